import { randomBytes } from 'node:crypto';
import { MiniappError } from '../core/errors/index.js';
import { startGuestSandbox, type Sandbox, type SandboxAppMessage, type SandboxExit, type SandboxLaunchMessage } from '../sandbox/index.js';
import type { AppSource } from './app-source.js';
import { messageEnd, type GuestMessage, type HostEnd, type HostMessage } from './channel.js';
import type { GuestHandle } from './guest/guest.js';
import { createHost, type Host } from './host/host.js';
import { appOrigin, type EscapeAttempts, type LaunchOptions, type RunningApp } from './launch-types.js';

export { sandboxGuestEntry, startGuestSandbox } from '../sandbox/index.js';

const LIMIT_REASONS = new Set(['CPU_LIMIT', 'MEMORY_LIMIT', 'MESSAGE_FLOOD', 'TIMER_FLOOD']);
export const isLimitExit = (exit: SandboxExit) => LIMIT_REASONS.has(exit.reason);

/** The coded error for an app whose sandbox stopped: a limit it broke, or a crash. */
export function exitError(id: string, exit: SandboxExit): MiniappError {
  if (isLimitExit(exit)) return new MiniappError('APP_LIMIT_EXCEEDED', { id, reason: exit.reason, detail: exit.detail });
  return new MiniappError('APP_CRASHED', { id, reason: exit.reason, detail: exit.detail });
}

/**
 * The sandbox isolation of the one launcher (launchApp with isolation "sandbox"): the guest (DOM,
 * bridge, the app's scripts) runs in a sandbox process, inside the OS jail where the machine has one;
 * the host side (dispatcher, services, storage, tokens, network policy, audit) runs here. Resolves once
 * the entry page loaded; rejects with APP_LIMIT_EXCEEDED or APP_CRASHED if the sandbox stopped first.
 */
export async function launchInSandbox(source: AppSource, options: LaunchOptions & { hostVersion: string }, t0: number): Promise<RunningApp> {
  const { manifest, audit } = { manifest: source.manifest, audit: options.audit };
  const origin = appOrigin(manifest.id);
  let sandbox!: Sandbox;
  // The host's end of the channel: plain JSON messages over the sandbox's pipe.
  const raw = messageEnd<HostMessage, GuestMessage>((m) => sandbox.send(m));
  const channel: HostEnd & { releaseAll?: () => void } = options.wrapHostEnd ? options.wrapHostEnd(raw, manifest) : raw;
  let requestClose: () => void = () => undefined;
  const closeRequested = new Promise<void>((resolve) => (requestClose = resolve));
  let appRef: RunningApp | undefined;
  let closedByApp = false;
  const host = createHost(channel, {
    ...options,
    manifest,
    hostKey: options.hostKey ?? randomBytes(32),
    origin,
    readAppFile: async (path) => (Object.prototype.hasOwnProperty.call(source.files, path) ? source.files[path] : undefined),
    // navigation.close: the app asked to be closed (possibly while still loading).
    onCloseRequest: () => {
      closedByApp = true;
      requestClose();
      void (appRef ? appRef.close() : sandbox.close());
    },
  });
  options.configureHost?.(host);
  sandbox = options.sandbox ?? startGuestSandbox(options.limits, options.checkIntervalMs);
  const escapes: EscapeAttempts = { count: 0, first: [] };
  sandbox.onEscape((what) => {
    if (escapes.first.length < 10) escapes.first.push(what);
    escapes.count++;
    audit?.record({ type: 'escape.caught', app: manifest.id, kind: 'constructor-chain', message: what });
  });
  sandbox.onMessage((data) => {
    options.onActivity?.();
    raw.deliver(data as GuestMessage);
  });
  audit?.record({ type: 'app.launch', app: manifest.id, version: manifest.version, pid: sandbox.pid, isolation: sandbox.isolation.level });
  const exited = sandbox.exited.then(async (exit) => {
    raw.close();
    channel.releaseAll?.();
    requestClose();
    // Let host-side waiters (idle, DOM helpers) finish: the guest is gone.
    raw.deliver({ type: 'closed' });
    const detail = exit.detail ?? (closedByApp ? 'the app closed itself (navigation.close)' : undefined);
    if (isLimitExit(exit)) audit?.record({ type: 'limit.violation', app: manifest.id, reason: exit.reason, detail });
    audit?.record({ type: 'app.stop', app: manifest.id, reason: exit.reason, detail, isolation: sandbox.isolation.level, calls: host.recorder.count });
    // Storage is flushed before anyone hears the app is gone (a caller may remove the data directory).
    await host.close().catch(() => undefined);
    return exit;
  });
  // An app that closes itself while loading (navigation.close) has stopped normally: the launch resolves.
  // A run (settleOnStop) reports a stop during the page's load from `exited`, with everything recorded so far.
  let booted = false;
  sandbox.ready.then(
    () => (booted = true),
    () => undefined,
  );
  const stopped = sandbox.exited.then((exit) => ((closedByApp && exit.reason === 'STOPPED') || (options.settleOnStop && booted) ? undefined : Promise.reject(exitError(manifest.id, exit))));
  stopped.catch(() => undefined);
  // The package goes over now, while the sandbox may still boot; it starts once the sandbox is ready.
  const files: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(source.files)) files[name] = Buffer.from(bytes).toString('base64');
  const app: SandboxAppMessage = { type: 'app', origin, entryPoint: manifest.entryPoint, hostVersion: options.hostVersion, methods: host.availableMethods(), files };
  sandbox.send(app);
  // ready rejects (with a bare Error) in the same turn the sandbox stops: wait for the coded error instead.
  await sandbox.ready.catch(() => stopped);
  const launch: SandboxLaunchMessage = { type: 'launch' };
  sandbox.send(launch);
  let loadTimer: NodeJS.Timeout | undefined;
  // A page whose scripts never yield never reports loaded: the sandbox's own limits stop it; a page
  // that waits for ever is left to the caller's timeout.
  const loadTimeout = options.loadTimeoutMs === undefined ? undefined : new Promise<void>((resolve) => (loadTimer = setTimeout(resolve, options.loadTimeoutMs).unref()));
  await Promise.race([host.loaded, stopped, ...(loadTimeout ? [loadTimeout] : [])]).finally(() => clearTimeout(loadTimer));
  host.lifecycle('launched');
  host.lifecycle('shown');
  appRef = runningInSandbox(source, host, sandbox, raw, exited, closeRequested, requestClose, performance.now() - t0, { closedByApp: () => closedByApp, escapes });
  return appRef;
}

function runningInSandbox(
  source: AppSource,
  host: Host,
  sandbox: Sandbox,
  end: HostEnd,
  exited: Promise<SandboxExit>,
  closeRequested: Promise<void>,
  requestClose: () => void,
  launchMs: number,
  seen: { closedByApp: () => boolean; escapes: EscapeAttempts },
): RunningApp {
  const unreachable = (): never => {
    throw new Error('the guest runs isolated in a sandbox process: use the dom helpers (query, click, text) instead of window/document');
  };
  const guest: GuestHandle = {
    get window() {
      return unreachable();
    },
    get document() {
      return unreachable();
    },
    close: async () => void (await sandbox.close()),
  };
  let closing: Promise<void> | undefined;
  return {
    source,
    host,
    guest,
    launchMs,
    closeRequested,
    isolation: sandbox.isolation,
    get closedByApp() {
      return seen.closedByApp();
    },
    escapes: seen.escapes,
    sandbox,
    exited,
    close() {
      closing ??= (async () => {
        requestClose();
        if (!end.closed && !sandbox.suspended) {
          host.lifecycle('hidden');
          host.lifecycle('unloaded');
          // Let the guest see the unload events before its page goes away.
          await new Promise((r) => setTimeout(r, 5));
        }
        await sandbox.close();
        await exited;
      })();
      return closing;
    },
  };
}
