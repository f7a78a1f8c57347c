import { randomBytes } from 'node:crypto';
import type { Manifest } from '../manifest/types.js';
import type { GuestMessage, HostEnd, HostMessage } from '../runtime/index.js';
import { createHost, type Host, type HostOptions } from '../runtime/index.js';
import { appOrigin } from '../runtime/index.js';
import type { Sandbox, SandboxExit, SandboxLimits } from '../sandbox/index.js';
import { startGuestSandbox } from './guest-sandbox.js';

export { sandboxGuestEntry, startGuestSandbox } from './guest-sandbox.js';
import { MiniappError } from '../core/errors/index.js';
import type { AuditLog } from './audit.js';
import { policyChannel, type NetworkGate } from './policy-channel.js';
import type { SandboxAppMessage } from '../sandbox/index.js';
import { readAppFiles } from './app-files.js';

export interface SandboxedAppOptions extends Partial<Omit<HostOptions, 'manifest' | 'origin' | 'readAppFile' | 'onCloseRequest'>> {
  /** The installed (extracted) package directory. */
  dir: string;
  manifest: Manifest;
  hostVersion: string;
  limits?: SandboxLimits;
  audit?: AuditLog;
  gate?: NetworkGate;
  /** Called once when the app's sandbox is gone, with why (a limit, a crash, or a normal stop). */
  onExit?: (exit: SandboxExit) => void;
  checkIntervalMs?: number;
  /** Called on every message from the guest (the host manager's idle clock). */
  onActivity?: () => void;
  /** Called with the host side before any app code runs (to install answers such as respond()). */
  configureHost?: (host: Host) => void;
  /** A sandbox started ahead of need (startGuestSandbox), booted while the package was being installed. */
  sandbox?: Sandbox;
}

export interface SandboxedApp {
  readonly id: string;
  readonly manifest: Manifest;
  readonly host: Host;
  readonly sandbox: Sandbox;
  /** Milliseconds from the start of the launch to the entry page having loaded. */
  readonly launchMs: number;
  readonly exited: Promise<SandboxExit>;
  suspend(): void;
  resume(): void;
  readonly suspended: boolean;
  close(): Promise<SandboxExit>;
}

/**
 * Launches an installed mini-program in its own sandbox process: the guest environment (DOM, bridge,
 * the app's scripts) runs there; the host side (dispatcher, services, storage, tokens, network policy,
 * audit) runs here, joined by plain JSON messages. The sandbox may read only the toolchain's dist/: the
 * host reads the app's extracted files and sends them. Resolves once the entry page loaded; rejects
 * (APP_LIMIT_EXCEEDED, APP_CRASHED) if the sandbox stopped first.
 */
export async function launchSandboxedApp(options: SandboxedAppOptions): Promise<SandboxedApp> {
  const t0 = performance.now();
  const { manifest, audit } = options;
  const origin = appOrigin(manifest.id);
  let hostListener: ((m: GuestMessage) => void) | undefined;
  let closed = false;
  let sandbox!: Sandbox;
  const raw: HostEnd = {
    send(m: HostMessage) {
      if (!closed) sandbox.send(m);
    },
    onMessage(l) {
      hostListener = l;
    },
    close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
  let appRef: SandboxedApp | undefined;
  const channel = policyChannel(raw, { app: manifest.id, audit, gate: options.gate });
  const host = createHost(channel, {
    ...options,
    manifest,
    hostKey: options.hostKey ?? randomBytes(32),
    origin,
    // navigation.close: the app asked to be closed (possibly while still loading).
    onCloseRequest: () => void (appRef ? appRef.close() : sandbox.close()),
  });
  options.configureHost?.(host);
  sandbox = options.sandbox ?? startGuestSandbox(options.limits, options.checkIntervalMs);
  sandbox.onEscape((what) => audit?.record({ type: 'escape.caught', app: manifest.id, kind: 'constructor-chain', message: what }));
  sandbox.onMessage((data) => {
    options.onActivity?.();
    hostListener?.(data as GuestMessage);
  });
  audit?.record({ type: 'app.launch', app: manifest.id, version: manifest.version, pid: sandbox.pid });
  const exited = sandbox.exited.then(async (exit) => {
    closed = true;
    channel.releaseAll();
    // Let host-side waiters (idle, DOM helpers) finish: the guest is gone.
    hostListener?.({ type: 'closed' });
    const limit = isLimitExit(exit);
    audit?.record({ type: limit ? 'limit.violation' : 'app.stop', app: manifest.id, reason: exit.reason, detail: exit.detail });
    options.onExit?.(exit);
    // Storage is flushed before anyone hears the app is gone (a caller may remove the data directory).
    await host.close().catch(() => undefined);
    return exit;
  });
  const stopped = sandbox.exited.then((exit) => Promise.reject(exitError(manifest.id, exit)));
  stopped.catch(() => undefined);
  const reading = readAppFiles(options.dir);
  // ready rejects (with a bare Error) in the same turn the sandbox stops: wait for the coded error instead.
  const booted = sandbox.ready.catch(() => stopped);
  booted.catch(() => undefined);
  const [files] = await Promise.all([reading, booted]);
  const app: SandboxAppMessage = { type: 'app', origin, entryPoint: manifest.entryPoint, hostVersion: options.hostVersion, methods: host.availableMethods(), files };
  sandbox.send(app);
  await Promise.race([host.loaded, stopped]);
  const launchMs = performance.now() - t0;
  host.lifecycle('launched');
  host.lifecycle('shown');
  let closing: Promise<SandboxExit> | undefined;
  const running: SandboxedApp = {
    id: manifest.id,
    manifest,
    host,
    sandbox,
    launchMs,
    exited,
    suspend() {
      if (sandbox.suspended) return;
      host.lifecycle('hidden');
      sandbox.suspend();
      audit?.record({ type: 'app.suspend', app: manifest.id });
    },
    resume() {
      if (!sandbox.suspended) return;
      sandbox.resume();
      host.lifecycle('shown');
      audit?.record({ type: 'app.resume', app: manifest.id });
    },
    get suspended() {
      return sandbox.suspended;
    },
    close() {
      closing ??= (async () => {
        if (!closed && !sandbox.suspended) {
          host.lifecycle('hidden');
          host.lifecycle('unloaded');
          await new Promise((r) => setTimeout(r, 5));
        }
        await sandbox.close();
        return exited;
      })();
      return closing;
    },
  };
  appRef = running;
  return running;
}

const LIMIT_REASONS = new Set(['CPU_LIMIT', 'MEMORY_LIMIT', 'MESSAGE_FLOOD', 'TIMER_FLOOD']);
export const isLimitExit = (exit: SandboxExit) => LIMIT_REASONS.has(exit.reason);

/** The coded error for an app whose sandbox stopped: a limit it broke, or a crash. */
export function exitError(id: string, exit: SandboxExit): MiniappError {
  if (isLimitExit(exit)) return new MiniappError('APP_LIMIT_EXCEEDED', { id, reason: exit.reason, detail: exit.detail });
  return new MiniappError('APP_CRASHED', { id, reason: exit.reason, detail: exit.detail });
}
