import { randomBytes } from 'node:crypto';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import { loadAppSource, type AppSource } from './app-source.js';
import { createInProcessChannel, type HostEnd } from './channel.js';
import { startGuest, type GuestHandle, type GuestInit } from './guest/guest.js';
import { createHost } from './host/host.js';
import { appOrigin, type EscapeAttempts, type LaunchOptions, type RunningApp } from './launch-types.js';
import { refuseInspectorSignal, startGuestSandbox, type Isolation, type SandboxExit } from '../sandbox/index.js';

export { appOrigin };
export type { EscapeAttempts, LaunchOptions, RunningApp };

/** The isolation of a launch that does not use a sandbox process: the caller's own rights. */
const IN_PROCESS: Isolation = { level: 'in-process', reason: 'asked for in-process (the app runs with the rights of the user who runs it)' };

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
