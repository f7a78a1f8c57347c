import { getMethod } from './catalog.js';

/**
 * What the build lint and the manifest tooling ask of the catalogue, without knowing its shape.
 * `undefined` means "no such method" (or, for methodPermission, a method every app may call).
 */
export function methodPermission(method: string): string | undefined {
  return getMethod(method)?.permission ?? undefined;
}

/** The host version a method appeared in, or undefined for an unknown method. */
export function methodSince(method: string): string | undefined {
  return getMethod(method)?.since;
}

export function isBridgeMethod(method: string): boolean {
  return getMethod(method) !== undefined;
}
