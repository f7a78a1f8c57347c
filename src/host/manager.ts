import type { TokenCheck } from '../runtime/index.js';
import { launchManagedApp } from './manager/launch.js';
import { canMessage, checkToken } from './manager/messaging.js';
import { maintainApps, reclaimMemory, totalMemory, type MemoryUse } from './manager/reclaim.js';
import { createSparePool } from './manager/spares.js';
import { createManagerState, resumeApp } from './manager/state.js';
import type { HostManagerOptions, ManagedApp } from './manager/types.js';
import { createUpdateChecks } from './manager/updates.js';
import { startGuestSandbox, type SandboxedApp, type SandboxedAppOptions } from './sandboxed-app.js';
import type { UpdateOutcome } from './updates.js';

export type { HostManagerOptions, ManagedApp } from './manager/types.js';

/**
 * A host with several mini-programs at once, as a super-app runs them: each in its own sandbox with its
 * own limits; apps idle for a while are suspended (nothing of theirs runs; due timers fire once on
 * resume); under memory pressure inactive apps are reclaimed first; network requests share one cap; an
 * app that breaks a limit is stopped alone and the rest keep running.
 *
 * The parts live in manager/: the shared state (state.ts), the spare sandboxes (spares.ts), launching
 * (launch.ts), idle suspension and memory reclaim (reclaim.ts), update checks and a new version's
 * probation (updates.ts), app-to-app messaging and token checks (messaging.ts). This function wires
 * them together and owns the timers and the close sequence.
 */
export function createHostManager(options: HostManagerOptions) {
  const state = createManagerState(options);
  const { running, gate } = state;
  const idleMs = options.idleSuspendMs ?? 30_000;
  const budget = (options.memoryBudgetMb ?? 1024) * 1024 * 1024;
  const spares = createSparePool({
    count: options.spareSandboxes ?? 1,
    initial: options.initialSpares,
    replenish: options.replenishSpares !== false,
    start: () => startGuestSandbox(options.limits, options.checkIntervalMs),
    closed: () => state.closed,
  });
  const maintain = (): Promise<void> => maintainApps(state, idleMs, budget);
  const sweep = setInterval(() => void maintain(), Math.max(50, Math.min(1000, idleMs || 1000)));
  sweep.unref();
  const updates = createUpdateChecks(state);
  const parts = { spares, updates };

  return {
    launch: (id: string, extra: Partial<SandboxedAppOptions> = {}): Promise<SandboxedApp> => launchManagedApp(state, parts, id, extra),
    resume: (id: string): void => resumeApp(state, id),
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
    /** Closes inactive apps, least recently active first (suspended before visible), until under budget. */
    reclaim: (budgetBytes = budget): Promise<string[]> => reclaimMemory(state, budgetBytes),
    maintain,
    totalMemory: (): MemoryUse => totalMemory(state),
    /** App-to-app: only sender → receiver pairs the host configured, each decision audited. */
    canMessage: (from: string, to: string): boolean => canMessage(state, from, to),
    /** What a partner backend's check of a token looks like from the host: verified and audited. */
    checkToken: (token: string, appId: string, scope?: string): TokenCheck => checkToken(state, token, appId, scope),
    /** Checks the feed for one app (in the background on launch and on the schedule); one check at a time per app. */
    checkUpdate: (id: string): Promise<UpdateOutcome> => updates.check(id),
    async stop(id: string) {
      const m = running.get(id);
      running.delete(id);
      await m?.app.close();
    },
    async close() {
      if (state.closed) return;
      state.closed = true;
      clearInterval(sweep);
      await updates.close();
      await Promise.all([...running.values()].map((m) => m.app.close()));
      await spares.close();
      running.clear();
    },
  };
}

export type HostManager = ReturnType<typeof createHostManager>;
