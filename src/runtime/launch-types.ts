import type { Manifest } from '../manifest/types.js';
import type { Isolation, Sandbox, SandboxExit, SandboxLimits } from '../sandbox/index.js';
import type { AppSource } from './app-source.js';
import type { HostEnd } from './channel.js';
import type { GuestHandle } from './guest/guest.js';
import type { Host, HostOptions } from './host/host.js';

// What a launch takes and gives, under either isolation: launch.ts (in-process) and sandboxed.ts (the
// sandbox process) both fill them in, so neither imports the other for its types.

export interface LaunchOptions extends Partial<Omit<HostOptions, 'manifest' | 'origin' | 'readAppFile' | 'onCloseRequest' | 'hostKey'>> {
  cwd?: string;
  /** 32 bytes; storage encryption and token signing keys derive from it. Default: random for this launch. */
  hostKey?: Uint8Array;
  /**
   * Where the guest runs: "in-process" (the default; "none" is its old name) in this thread, with
   * `window` and `document` reachable for a partner's own tests and the app running with the caller's
   * rights; "sandbox" in a sandbox process, inside the OS jail where the machine has one, reachable only
   * through the channel: what every untrusted package gets (run, install, conformance, the host manager).
   */
  isolation?: 'none' | 'in-process' | 'sandbox';
  /** With isolation "sandbox": stop waiting for the page to load after this long (default: wait). */
  loadTimeoutMs?: number;
  /** With isolation "sandbox": resolve the launch when the sandbox stops (a limit, a crash) while the page loads, so the caller reports it from `exited`; a host's launch rejects instead. */
  settleOnStop?: boolean;
  /** With isolation "sandbox": the sandbox's limits (memory, busy loop, message rate, CPU seconds). */
  limits?: SandboxLimits;
  /** With isolation "sandbox": a sandbox already started (startGuestSandbox), booted ahead of need. */
  sandbox?: Sandbox;
  checkIntervalMs?: number;
  /** Wraps the host's end of the channel: the one live audit path (host/policy-channel.ts) and a host's network gate. */
  wrapHostEnd?: (end: HostEnd, manifest: Manifest) => HostEnd;
  /** Called with the host side before any app code runs (to install answers such as respond()). */
  configureHost?: (host: Host) => void;
  /** Called on every message from the guest. */
  onActivity?: () => void;
  /** For a .zip: the public key file it must be signed with (checked before anything is parsed). */
  pubkey?: string;
}

/** A mini-program running in the reference runtime: host and guest joined by one channel. */
export interface RunningApp {
  source: AppSource;
  host: Host;
  /** The guest page. With isolation "sandbox", window and document throw: use host.dom() instead. */
  guest: GuestHandle;
  launchMs: number;
  /** Resolves when the app asked to close (navigation.close) or was closed. */
  closeRequested: Promise<void>;
  /** The isolation the app runs under, and why a stronger one was not available. */
  isolation: Isolation;
  /** The app asked to close itself (navigation.close): its stop is a normal exit, not a crash. */
  readonly closedByApp?: boolean;
  /**
   * Escape attempts the sandbox caught: guest code that reached the sandbox realm's Function
   * constructor through an object's constructor chain (a page object's `constructor.constructor`). Only
   * a sandbox sees them; in-process the count stays 0.
   */
  readonly escapes: EscapeAttempts;
  /** With isolation "sandbox": the sandbox process. */
  sandbox?: Sandbox;
  /** Resolves once, when the app is gone, with the coded reason (a limit, a crash, or a normal stop). */
  exited: Promise<SandboxExit>;
  close(): Promise<void>;
}

/** How many escape attempts a sandbox caught, and the first few (what each reached). */
export interface EscapeAttempts {
  count: number;
  first: string[];
}

/** The page origin of an app: its id under a reserved name, so apps never share localStorage or cookies. */
export const appOrigin = (appId: string) => `https://${appId}.miniapp.localhost`;
