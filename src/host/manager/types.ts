import type { Sandbox, SandboxExit, SandboxLimits } from '../../sandbox/index.js';
import type { AuditLog } from '../audit.js';
import type { SandboxedApp, SandboxedAppOptions } from '../sandboxed-app.js';
import type { TrustStore } from '../trust-store.js';

export interface HostManagerOptions {
  appsDir: string;
  hostVersion: string;
  audit?: AuditLog;
  /** 32 bytes shared by the host's services (storage keys and token signing derive per app from it). */
  hostKey?: Uint8Array;
  dataDir?: string;
  /** Per-app limits (default 64 MB memory counting buffers, 1 s busy loop, 20,000 messages/s). */
  limits?: SandboxLimits;
  /** Suspend an app after this long without activity (ms); 0 never. Default 30 s. */
  idleSuspendMs?: number;
  /** Total memory (PSS of every sandbox) above which inactive apps are closed, oldest activity first. Default 1 GB. */
  memoryBudgetMb?: number;
  /** One cap on concurrent network requests across all apps. Default 6. */
  maxConcurrentNetwork?: number;
  /** Which app may open (and pass a path to) which: sender id → receiver ids. Nothing else is allowed. */
  messaging?: Record<string, readonly string[]>;
  /** Options passed to every app's host services (network mode, fixtures, consent...). */
  appOptions?: Partial<SandboxedAppOptions>;
  checkIntervalMs?: number;
  now?: () => number;
  /** Update feed: checked in the background on each launch and every intervalMs (0: only on launch). */
  updates?: { feedUrl: string; trustStore: TrustStore; intervalMs?: number; checkOnLaunch?: boolean };
  /**
   * Sandboxes kept booted ahead of need (default 1): a launch takes one that has already loaded the
   * runtime and the DOM, so its start-up overlaps the host's own work (verify, extract). 0 disables.
   */
  spareSandboxes?: number;
  /** Sandboxes the caller already started (startGuestSandbox), used as the first spares. */
  initialSpares?: Sandbox[];
  /** Start a new spare when one is taken (default true; a one-app host such as conformance says false). */
  replenishSpares?: boolean;
  /** A new version that crashes within this long of its first launch is rolled back. Default 5000 ms. */
  probationMs?: number;
}

export interface ManagedApp {
  app: SandboxedApp;
  version: string;
  lastActive: number;
  exit?: SandboxExit;
}
