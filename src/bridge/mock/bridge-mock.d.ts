// Types for bridge-mock.js (plain JavaScript so browsers load it as it is).
import type { BridgeMethodName, MiniAppBridge } from '../types.js';

export interface MockBridgeOptions {
  /** The manifest's permissions: methods needing others fail with PERMISSION_DENIED. */
  permissions?: string[];
  hostVersion?: string;
  /** Consent permissions the user refuses: their methods fail with USER_DENIED. */
  deny?: string[];
  // biome-ignore lint/suspicious/noExplicitAny: a handler receives the params of whichever method it answers
  responses?: Partial<Record<BridgeMethodName | (string & {}), (params: any) => unknown>>;
}

export interface MockBridge extends MiniAppBridge {
  calls: Array<{ method: string; params: unknown; ok?: boolean; result?: unknown; error?: { code: string; message: string } }>;
  // biome-ignore lint/suspicious/noExplicitAny: as for responses
  respond(method: string, handler: ((params: any) => unknown) | undefined): void;
}

export const MAX_PARAMS_BYTES: number;
export function validate(schema: unknown, value: unknown, path?: string): { path: string; message: string } | undefined;
export function sampleOf(schema: unknown): unknown;
export function createMockBridge(options?: MockBridgeOptions): MockBridge;
export function installMockBridge(options?: MockBridgeOptions, target?: object): MockBridge;
