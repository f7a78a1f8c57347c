import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit.js';
import type { HostManagerOptions, ManagedApp } from './types.js';
import { NetworkGate } from '../policy-channel.js';

/**
 * What the manager's parts (spares, launch, reclaim, updates, messaging) share: the options, the clock,
 * the host key, the one network gate, the apps running now, and whether the manager has closed.
 */
export interface ManagerState {
  readonly options: HostManagerOptions;
  readonly now: () => number;
  readonly hostKey: Uint8Array;
  readonly gate: NetworkGate;
  readonly audit?: AuditLog;
  /** App id → its running (or just exited) app. */
  readonly running: Map<string, ManagedApp>;
  closed: boolean;
}

export function createManagerState(options: HostManagerOptions): ManagerState {
  return {
    options,
    now: options.now ?? Date.now,
    hostKey: options.hostKey ?? randomBytes(32),
    gate: new NetworkGate(options.maxConcurrentNetwork ?? 6),
    audit: options.audit,
    running: new Map(),
    closed: false,
  };
}

/** Marks an app active again and resumes it (nothing if it is not running). */
export function resumeApp(state: ManagerState, id: string): void {
  const m = state.running.get(id);
  if (!m || m.exit) return;
  m.lastActive = state.now();
  m.app.resume();
}
