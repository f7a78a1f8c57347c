import { readAppState, writeAppState } from '../app-store.js';
import type { ManagedApp } from './types.js';
import type { SandboxedApp } from '../sandboxed-app.js';
import { checkForUpdate, rollBack, type UpdateOutcome } from '../updates.js';
import type { ManagerState } from './state.js';

export interface UpdateChecks {
  /** Checks the feed for one app; one check at a time per app (a second call shares the first's answer). */
  check(id: string): Promise<UpdateOutcome>;
  /** A check in the background, on launch: its failure is the next check's business. */
  onLaunch(id: string): void;
  /** Stops the schedule and waits for the checks in flight. */
  close(): Promise<void>;
}

/** The manager's update checks: on each launch (unless checkOnLaunch is false) and every intervalMs for the running apps. */
export function createUpdateChecks(state: ManagerState): UpdateChecks {
  const { options } = state;
  const checking = new Map<string, Promise<UpdateOutcome>>();
  const check = (id: string): Promise<UpdateOutcome> => {
    if (!options.updates) return Promise.reject(new Error('no update feed configured'));
    const { feedUrl, trustStore } = options.updates;
    let p = checking.get(id);
    if (!p) {
      p = checkForUpdate({ feedUrl, trustStore, id, appsDir: options.appsDir, hostVersion: options.hostVersion, audit: state.audit }).finally(() => checking.delete(id));
      checking.set(id, p);
    }
    return p;
  };
  const schedule = options.updates?.intervalMs
    ? setInterval(() => {
        for (const id of state.running.keys()) void check(id).catch(() => undefined);
      }, options.updates.intervalMs)
    : undefined;
  schedule?.unref();
  return {
    check,
    onLaunch(id) {
      if (options.updates && options.updates.checkOnLaunch !== false) void check(id).catch(() => undefined);
    },
    async close() {
      if (schedule) clearInterval(schedule);
      await Promise.allSettled([...checking.values()]);
    },
  };
}

/**
 * A new version's first launch is on probation: if it crashes or breaks a limit within probationMs it is
 * rolled back (the next launch gets the previous version); if it lives that long, it is confirmed.
 */
export function watchFirstLaunch(state: ManagerState, id: string, entry: Pick<ManagedApp, 'version'>, app: SandboxedApp): void {
  const { appsDir } = state.options;
  const probation = setTimeout(() => void confirmFirstLaunch(state, id), state.options.probationMs ?? 5000);
  probation.unref();
  void app.exited.then(async (exit) => {
    if (exit.reason === 'STOPPED' || exit.reason === 'EXITED') return;
    clearTimeout(probation);
    const current = await readAppState(appsDir, id);
    if (current?.firstLaunchPending && current.active === entry.version) await rollBack(appsDir, id, `${exit.reason}${exit.detail ? `: ${exit.detail}` : ''}`, state.audit);
  });
}

async function confirmFirstLaunch(state: ManagerState, id: string): Promise<void> {
  const appState = await readAppState(state.options.appsDir, id);
  const m = state.running.get(id);
  if (!appState?.firstLaunchPending || !m || m.exit) return;
  appState.firstLaunchPending = false;
  await writeAppState(state.options.appsDir, appState);
}
