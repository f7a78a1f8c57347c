import { promises as fs } from 'node:fs';
import type { Manifest } from '../manifest/types.js';
import { exitError, isLimitExit, launchApp, type EscapeAttempts, type Host, type HostOptions } from '../runtime/index.js';
import type { Isolation, Sandbox, SandboxExit, SandboxLimits } from '../sandbox/index.js';
import type { AuditLog } from './audit.js';
import { policyChannel, type NetworkGate } from './policy-channel.js';

export { sandboxGuestEntry, startGuestSandbox } from './guest-sandbox.js';
export { exitError, isLimitExit };

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
  /** The isolation the app runs under, and why a stronger one was not available. */
  readonly isolation: Isolation;
  readonly exited: Promise<SandboxExit>;
  /** The app asked to close (navigation.close): its stop is a normal exit, not a crash. */
  readonly closedByApp: boolean;
  /** Escape attempts its sandbox caught (see RunningApp.escapes). */
  readonly escapes: EscapeAttempts;
  suspend(): void;
  resume(): void;
  readonly suspended: boolean;
  close(): Promise<SandboxExit>;
}

/**
 * Launches an installed mini-program in its own sandbox process, through the one launcher (launchApp
 * with isolation "sandbox"): the guest runs in the sandbox, inside the OS jail where the machine has
 * one; the host side runs here, behind the host's audit and network gate. The host reads the app's
 * extracted files and sends them: the sandbox cannot read the apps directory. Resolves once the entry
 * page loaded; rejects (APP_LIMIT_EXCEEDED, APP_CRASHED) if the sandbox stopped first.
 */
export async function launchSandboxedApp(options: SandboxedAppOptions): Promise<SandboxedApp> {
  const { manifest, audit } = options;
  const running = await launchApp(
    { manifest, files: await readAppFiles(options.dir), kind: 'package', root: options.dir, warnings: [] },
    {
      ...options,
      isolation: 'sandbox',
      // The host's audit and shared network gate; its releaseAll() runs when the sandbox is gone.
      wrapHostEnd: (end) => policyChannel(end, { app: manifest.id, audit, gate: options.gate }),
    },
  );
  const sandbox = running.sandbox!;
  void running.exited.then((exit) => options.onExit?.(exit));
  return {
    id: manifest.id,
    manifest,
    host: running.host,
    sandbox,
    launchMs: running.launchMs,
    isolation: running.isolation,
    exited: running.exited,
    get closedByApp() {
      return running.closedByApp ?? false;
    },
    escapes: running.escapes,
    suspend() {
      if (sandbox.suspended) return;
      running.host.lifecycle('hidden');
      sandbox.suspend();
      audit?.record({ type: 'app.suspend', app: manifest.id });
    },
    resume() {
      if (!sandbox.suspended) return;
      sandbox.resume();
      running.host.lifecycle('shown');
      audit?.record({ type: 'app.resume', app: manifest.id });
    },
    get suspended() {
      return sandbox.suspended;
    },
    close: async () => {
      await running.close();
      return running.exited;
    },
  };
}

/** An installed app's files (regular files only, links not followed). */
export async function readAppFiles(dir: string): Promise<Record<string, Uint8Array>> {
  const { join, relative, sep } = await import('node:path');
  const files: Record<string, Uint8Array> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[relative(dir, full).split(sep).join('/')] = await fs.readFile(full);
  }
  return files;
}
