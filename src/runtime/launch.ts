import { randomBytes } from 'node:crypto';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import { loadAppSource, type AppSource } from './app-source.js';
import { createInProcessChannel, type HostEnd } from './channel.js';
import { startGuest, type GuestHandle, type GuestInit } from './guest/guest.js';
import { createHost, type Host, type HostOptions } from './host/host.js';
import { refuseInspectorSignal, startGuestSandbox, type Isolation, type Sandbox, type SandboxExit, type SandboxLimits } from '../sandbox/index.js';

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
  wrapHostEnd?: (end: HostEnd, manifest: import('../manifest/types.js').Manifest) => HostEnd;
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

/** The isolation of a launch that does not use a sandbox process: the caller's own rights. */
const IN_PROCESS: Isolation = { level: 'in-process', reason: 'asked for in-process (the app runs with the rights of the user who runs it)' };

/** The page origin of an app: its id under a reserved name, so apps never share localStorage or cookies. */
export const appOrigin = (appId: string) => `https://${appId}.miniapp.localhost`;

/** Loads an app (directory, project or package) and launches it; the guest has loaded its entry HTML when this resolves. */
export async function launchApp(target: string | AppSource, options: LaunchOptions = {}): Promise<RunningApp> {
  const t0 = performance.now();
  // A process that runs mini-programs never opens a debugger on a signal (see measure.ts).
  refuseInspectorSignal();
  // The sandbox boots (a Node process, the DOM) while the package is read and verified here.
  const sandbox = options.isolation === 'sandbox' ? (options.sandbox ?? startGuestSandbox(options.limits, options.checkIntervalMs)) : undefined;
  let source: AppSource;
  try {
    source = typeof target === 'string' ? await loadAppSource(target, options.cwd ?? process.cwd(), { pubkey: options.pubkey, hostVersion: options.hostVersion }) : target;
  } catch (err) {
    // Nothing of the package reached the sandbox: it goes, with the reason the caller gets.
    if (sandbox && !options.sandbox) await sandbox.close();
    throw err;
  }
  const hostVersion = options.hostVersion ?? NEWEST_HOST_VERSION;
  if (sandbox) return (await import('./sandboxed.js')).launchInSandbox(source, { ...options, hostVersion, sandbox }, t0);
  return launchInProcess(source, { ...options, hostVersion }, t0);
}

/** The in-process isolation: guest and host in this thread, for the partner's own code (miniapp/testing). */
async function launchInProcess(source: AppSource, options: LaunchOptions & { hostVersion: string }, t0: number): Promise<RunningApp> {
  const { manifest } = source;
  const { hostVersion } = options;
  const origin = appOrigin(manifest.id);
  const isolation = IN_PROCESS;
  // Before the page loads, so that the app's network decisions (recorded live) come after it.
  options.audit?.record({ type: 'app.launch', app: manifest.id, version: manifest.version, isolation: isolation.level });
  const channel = createInProcessChannel();
  let hostEnd: HostEnd = channel.host;
  let requestClose: () => void = () => undefined;
  const closeRequested = new Promise<void>((resolve) => (requestClose = resolve));
  if (options.wrapHostEnd) hostEnd = options.wrapHostEnd(hostEnd, manifest);
  const host = createHost(hostEnd, {
    ...options,
    manifest,
    hostVersion,
    hostKey: options.hostKey ?? randomBytes(32),
    origin,
    readAppFile: async (path) => (Object.prototype.hasOwnProperty.call(source.files, path) ? source.files[path] : undefined),
    onCloseRequest: () => requestClose(),
  });
  // The page gets the host's own method list (what canIUse answers from), as under every isolation.
  const init: GuestInit = { origin, entryPoint: manifest.entryPoint, files: source.files, hostVersion, methods: host.availableMethods() };
  let guest: GuestHandle;
  try {
    guest = await startGuest(channel.guest, init);
  } catch (err) {
    hostEnd.close();
    await host.close();
    throw err;
  }
  host.lifecycle('launched');
  host.lifecycle('shown');
  let closing: Promise<void> | undefined;
  let markExited!: (exit: SandboxExit) => void;
  const exited = new Promise<SandboxExit>((resolve) => (markExited = resolve));
  return {
    source,
    host,
    guest,
    launchMs: performance.now() - t0,
    closeRequested,
    isolation,
    escapes: { count: 0, first: [] },
    exited,
    close() {
      closing ??= (async () => {
        requestClose();
        if (!hostEnd.closed) {
          host.lifecycle('hidden');
          host.lifecycle('unloaded');
          // Let the guest see the unload events before its page goes away.
          await new Promise((r) => setTimeout(r, 5));
        }
        await guest.close();
        hostEnd.close();
        await host.close();
        options.audit?.record({ type: 'app.stop', app: manifest.id, reason: 'STOPPED', isolation: isolation.level, calls: host.recorder.count });
        markExited({ reason: 'STOPPED', code: null, signal: null });
      })();
      return closing;
    },
  };
}
