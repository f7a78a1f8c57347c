import { processPss } from '../memory.js';
import type { ManagedApp } from './types.js';
import type { ManagerState } from './state.js';

export interface MemoryUse {
  total: number;
  perApp: Record<string, number>;
  host: number;
}

/** The host's memory and every running app's (PSS), in bytes. */
export function totalMemory(state: ManagerState): MemoryUse {
  const perApp: Record<string, number> = {};
  // Every process of the sandbox: the Node process and, in the OS sandbox, bubblewrap's supervisor.
  for (const [id, m] of state.running) if (!m.exit) perApp[id] = m.app.sandbox.pids().reduce((sum, pid) => sum + (processPss(pid) ?? 0), 0);
  const host = processPss(process.pid) ?? process.memoryUsage().rss;
  return { total: Object.values(perApp).reduce((a, b) => a + b, host), perApp, host };
}

/** The order apps are reclaimed in: running ones only, suspended before visible, least recently active first. */
export function reclaimOrder(running: ReadonlyMap<string, ManagedApp>): Array<[string, ManagedApp]> {
  return [...running.entries()].filter(([, m]) => !m.exit).sort(([, a], [, b]) => Number(b.app.suspended) - Number(a.app.suspended) || a.lastActive - b.lastActive);
}

/** Closes inactive apps in reclaimOrder until the total is under budget; returns the ids closed. */
export async function reclaimMemory(state: ManagerState, budgetBytes: number): Promise<string[]> {
  const reclaimed: string[] = [];
  let total = totalMemory(state).total;
  if (total <= budgetBytes) return reclaimed;
  for (const [id, m] of reclaimOrder(state.running)) {
    if (total <= budgetBytes) break;
    const freed = processPss(m.app.sandbox.pid) ?? 0;
    state.audit?.record({ type: 'app.reclaimed', app: id, freedBytes: freed, suspended: m.app.suspended });
    await m.app.close();
    state.running.delete(id);
    reclaimed.push(id);
    total -= freed;
  }
  return reclaimed;
}

/** Suspends the running apps idle for idleMs or longer at time t (0: never). */
export function suspendIdle(running: ReadonlyMap<string, ManagedApp>, t: number, idleMs: number): void {
  if (idleMs <= 0) return;
  for (const m of running.values()) if (!m.app.suspended && !m.exit && t - m.lastActive >= idleMs) m.app.suspend();
}

/** One sweep: suspend the idle apps, then reclaim memory over budget. */
export async function maintainApps(state: ManagerState, idleMs: number, budgetBytes: number): Promise<void> {
  if (state.closed) return;
  suspendIdle(state.running, state.now(), idleMs);
  await reclaimMemory(state, budgetBytes);
}
