import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MiniappError } from '../core/errors/index.js';
import { BridgeFailure } from '../runtime/index.js';
import type { Manifest } from '../manifest/types.js';
import { verifyToken, type TokenCheck } from '../runtime/index.js';
import { tokenSigningKey } from '../runtime/index.js';
import type { Sandbox, SandboxExit, SandboxLimits } from '../sandbox/index.js';
import { processPss } from './memory.js';
import { readAppState, versionDir, writeAppState } from './app-store.js';
import type { AuditLog } from './audit.js';
import { NetworkGate } from './policy-channel.js';
import type { TrustStore } from './trust-store.js';
import { activateStaged, checkForUpdate, rollBack, type UpdateOutcome } from './updates.js';
import { launchSandboxedApp, startGuestSandbox, type SandboxedApp, type SandboxedAppOptions } from './sandboxed-app.js';

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
  const spares: Sandbox[] = [...(options.initialSpares ?? [])];
  const spareCount = options.spareSandboxes ?? 1;
  function replenish(): void {
    while (!closed && spares.length < spareCount) {
      const s = startGuestSandbox(options.limits, options.checkIntervalMs);
      spares.push(s);
      void s.exited.then(() => {
        const i = spares.indexOf(s);
        if (i >= 0) spares.splice(i, 1);
      });
    }
  }
  function takeSpare(): Sandbox | undefined {
    const s = spares.shift();
    if (options.replenishSpares !== false) replenish();
    return s;
  }
  replenish();

  const sweep = setInterval(
    () => {
      void maintain();
    },
    Math.max(50, Math.min(1000, idleMs || 1000)),
  );
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
    // Every process of the sandbox: the Node process and, in the OS sandbox, bubblewrap's supervisor.
    for (const [id, m] of running) if (!m.exit) perApp[id] = m.app.sandbox.pids().reduce((sum, pid) => sum + (processPss(pid) ?? 0), 0);
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
    const state = await activateStaged(options.appsDir, id, audit);
    if (!state?.active) throw new MiniappError('APP_NOT_INSTALLED', { id, dir: options.appsDir });
    const dir = versionDir(options.appsDir, id, state.active);
    const manifest = JSON.parse(await fs.readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const entry: Partial<ManagedApp> = { version: state.active, lastActive: now() };
    const onFirstLaunch = state.firstLaunchPending === true;
    let app: SandboxedApp;
    try {
      app = await launchSandboxedApp({
        ...options.appOptions,
        ...extra,
        // A spare was started with the host's limits; an app with its own limits gets its own sandbox.
        sandbox: extra.limits ? undefined : takeSpare(),
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
        configureHost: (host) => {
          // The one app-to-app path: opening another mini-program, allowed only for configured pairs and
          // audited. A refusal looks like a missing app, so an app cannot probe what else is installed.
          host.respond('navigation.openMiniProgram', async (params) => {
            const to = String(params.appId);
            if (!canMessage(id, to)) throw new BridgeFailure('APP_NOT_FOUND', `no mini-program ${JSON.stringify(to)} can be opened from here`);
            try {
              await launch(to, typeof params.path === 'string' && params.path ? { launchPath: params.path } : {});
            } catch (err) {
              throw new BridgeFailure('APP_NOT_FOUND', `${JSON.stringify(to)} cannot be opened: ${(err as Error).message}`);
            }
            return {};
          });
        },
      });
    } catch (err) {
      // A new version that cannot even load is rolled back, and the previous one launched instead.
      if (onFirstLaunch && state.previous && (await rollBack(options.appsDir, id, (err as Error).message, audit))) return launch(id, extra);
      throw err;
    }
    entry.app = app;
    running.set(id, entry as ManagedApp);
    if (onFirstLaunch) {
      const probation = setTimeout(() => void confirmFirstLaunch(id), options.probationMs ?? 5000);
      probation.unref();
      void app.exited.then(async (exit) => {
        if (exit.reason === 'STOPPED' || exit.reason === 'EXITED') return;
        clearTimeout(probation);
        const current = await readAppState(options.appsDir, id);
        if (current?.firstLaunchPending && current.active === entry.version) await rollBack(options.appsDir, id, `${exit.reason}${exit.detail ? `: ${exit.detail}` : ''}`, audit);
      });
    }
    if (options.updates && options.updates.checkOnLaunch !== false) void checkUpdate(id).catch(() => undefined);
    return app;
  }

  async function confirmFirstLaunch(id: string): Promise<void> {
    const state = await readAppState(options.appsDir, id);
    const m = running.get(id);
    if (!state?.firstLaunchPending || !m || m.exit) return;
    state.firstLaunchPending = false;
    await writeAppState(options.appsDir, state);
  }

  const checking = new Map<string, Promise<UpdateOutcome>>();
  /** Checks the feed for one app (in the background on launch and on the schedule); one check at a time per app. */
  function checkUpdate(id: string): Promise<UpdateOutcome> {
    if (!options.updates) return Promise.reject(new Error('no update feed configured'));
    const { feedUrl, trustStore } = options.updates;
    let p = checking.get(id);
    if (!p) {
      p = checkForUpdate({ feedUrl, trustStore, id, appsDir: options.appsDir, hostVersion: options.hostVersion, audit }).finally(() => checking.delete(id));
      checking.set(id, p);
    }
    return p;
  }
  const schedule = options.updates?.intervalMs
    ? setInterval(() => {
        for (const id of running.keys()) void checkUpdate(id).catch(() => undefined);
      }, options.updates.intervalMs)
    : undefined;
  schedule?.unref();

  function resume(id: string): void {
    const m = running.get(id);
    if (!m || m.exit) return;
    m.lastActive = now();
    m.app.resume();
  }

  /**
   * App-to-app: only sender → receiver pairs the host configured, each decision audited. Used by the
   * host's navigation.openMiniProgram answer; hosts with other app-to-app features call it too.
   */
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
    checkUpdate,
    async stop(id: string) {
      const m = running.get(id);
      running.delete(id);
      await m?.app.close();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweep);
      if (schedule) clearInterval(schedule);
      await Promise.allSettled([...checking.values()]);
      await Promise.all([...running.values()].map((m) => m.app.close()));
      await Promise.all(spares.splice(0).map((s) => s.close()));
      running.clear();
    },
  };
}

export type HostManager = ReturnType<typeof createHostManager>;
