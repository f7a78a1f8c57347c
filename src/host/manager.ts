import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MiniappError } from '../core/errors/index.js';
import type { Manifest } from '../manifest/types.js';
import { verifyToken, type TokenCheck } from '../runtime/host/services/tokens.js';
import { tokenSigningKey } from '../runtime/host/services/tokens.js';
import type { SandboxExit, SandboxLimits } from '../sandbox/index.js';
import { processPss } from './memory.js';
import { readAppState, versionDir, writeAppState } from './app-store.js';
import type { AuditLog } from './audit.js';
import { NetworkGate } from './policy-channel.js';
import { launchSandboxedApp, type SandboxedApp, type SandboxedAppOptions } from './sandboxed-app.js';

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
  /** Who may message whom: sender id → receiver ids. Nothing else is delivered. */
  messaging?: Record<string, readonly string[]>;
  /** Options passed to every app's host services (network mode, fixtures, consent...). */
  appOptions?: Partial<SandboxedAppOptions>;
  checkIntervalMs?: number;
  now?: () => number;
}

export interface ManagedApp {
  app: SandboxedApp;
  version: string;
  lastActive: number;
  exit?: SandboxExit;
}

/**
 * A host with several mini-programs at once, as a super-app runs them: each in its own sandbox with its
 * own limits; apps idle for a while are suspended (nothing of theirs runs; due timers fire once on
 * resume); under memory pressure inactive apps are reclaimed first; network requests share one cap; an
 * app that breaks a limit is stopped alone and the rest keep running.
 */
export function createHostManager(options: HostManagerOptions) {
  const now = options.now ?? Date.now;
  const hostKey = options.hostKey ?? randomBytes(32);
  const gate = new NetworkGate(options.maxConcurrentNetwork ?? 6);
  const running = new Map<string, ManagedApp>();
  const idleMs = options.idleSuspendMs ?? 30_000;
  const budget = (options.memoryBudgetMb ?? 1024) * 1024 * 1024;
  const audit = options.audit;
  let closed = false;

  const sweep = setInterval(() => {
    void maintain();
  }, Math.max(50, Math.min(1000, idleMs || 1000)));
  sweep.unref();

  async function maintain(): Promise<void> {
    if (closed) return;
    const t = now();
    if (idleMs > 0) {
      for (const m of running.values()) if (!m.app.suspended && !m.exit && t - m.lastActive >= idleMs) m.app.suspend();
    }
    await reclaim();
  }

  /** Closes inactive apps, least recently active first (suspended before visible), until under budget. */
  async function reclaim(budgetBytes = budget): Promise<string[]> {
    const reclaimed: string[] = [];
    let total = totalMemory().total;
    if (total <= budgetBytes) return reclaimed;
    const candidates = [...running.entries()].filter(([, m]) => !m.exit).sort(([, a], [, b]) => Number(b.app.suspended) - Number(a.app.suspended) || a.lastActive - b.lastActive);
    for (const [id, m] of candidates) {
      if (total <= budgetBytes) break;
      const freed = processPss(m.app.sandbox.pid) ?? 0;
      audit?.record({ type: 'app.reclaimed', app: id, freedBytes: freed, suspended: m.app.suspended });
      await m.app.close();
      running.delete(id);
      reclaimed.push(id);
      total -= freed;
    }
    return reclaimed;
  }

  function totalMemory(): { total: number; perApp: Record<string, number>; host: number } {
    const perApp: Record<string, number> = {};
    for (const [id, m] of running) if (!m.exit) perApp[id] = processPss(m.app.sandbox.pid) ?? 0;
    const host = processPss(process.pid) ?? process.memoryUsage().rss;
    return { total: Object.values(perApp).reduce((a, b) => a + b, host), perApp, host };
  }

  async function launch(id: string, extra: Partial<SandboxedAppOptions> = {}): Promise<SandboxedApp> {
    if (closed) throw new Error('the host manager is closed');
    const existing = running.get(id);
    if (existing && !existing.exit) {
      resume(id);
      return existing.app;
    }
    const state = await readAppState(options.appsDir, id);
    if (!state?.active) throw new MiniappError('APP_NOT_INSTALLED', { id, dir: options.appsDir });
    const dir = versionDir(options.appsDir, id, state.active);
    const manifest = JSON.parse(await fs.readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const entry: Partial<ManagedApp> = { version: state.active, lastActive: now() };
    const app = await launchSandboxedApp({
      ...options.appOptions,
      ...extra,
      dir,
      manifest,
      hostVersion: options.hostVersion,
      hostKey,
      dataDir: options.dataDir,
      limits: { ...options.limits, ...extra.limits },
      audit,
      gate,
      checkIntervalMs: options.checkIntervalMs,
      onActivity: () => {
        entry.lastActive = now();
      },
      onExit: (exit) => {
        entry.exit = exit;
      },
    });
    entry.app = app;
    running.set(id, entry as ManagedApp);
    if (state.firstLaunchPending) {
      // The first launch of a new version succeeded (its page loaded): it no longer needs a rollback.
      state.firstLaunchPending = false;
      await writeAppState(options.appsDir, state);
    }
    return app;
  }

  function resume(id: string): void {
    const m = running.get(id);
    if (!m || m.exit) return;
    m.lastActive = now();
    m.app.resume();
  }

  /** App-to-app messages: only sender → receiver pairs the host configured, each one audited. */
  function canMessage(from: string, to: string): boolean {
    const allowed = options.messaging?.[from]?.includes(to) ?? false;
    audit?.record({ type: allowed ? 'message.allowed' : 'message.denied', app: from, to });
    return allowed;
  }

  /** What a partner backend's check of a token looks like from the host: verified and audited. */
  function checkToken(token: string, appId: string, scope?: string): TokenCheck {
    const result = verifyToken(token, { signingKey: tokenSigningKey(hostKey), appId, scope });
    audit?.record({ type: 'token.checked', app: appId, scope, valid: result.valid, reason: result.valid ? undefined : result.reason });
    return result;
  }

  return {
    launch,
    resume,
    suspend(id: string) {
      running.get(id)?.app.suspend();
    },
    get(id: string): ManagedApp | undefined {
      return running.get(id);
    },
    get apps(): ReadonlyMap<string, ManagedApp> {
      return running;
    },
    gate,
    reclaim,
    maintain,
    totalMemory,
    canMessage,
    checkToken,
    async stop(id: string) {
      const m = running.get(id);
      running.delete(id);
      await m?.app.close();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      await Promise.all([...running.values()].map((m) => m.app.close()));
      running.clear();
    },
  };
}

export type HostManager = ReturnType<typeof createHostManager>;
