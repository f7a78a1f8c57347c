/**
 * The runtime's guest side, for the sandbox's guest process: the page, its bootstrap and the bridge,
 * kept apart from src/runtime/index.ts so the sandbox's guest bundle carries none of the host side.
 */
export { provideHappyDom, startGuest } from './guest.js';
export type { GuestHandle, GuestInit } from './guest.js';
