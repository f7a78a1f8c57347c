import type { ConsoleLevel } from '../channel.js';
import { BoundedList, RECORD_LIMITS } from './bounded.js';
import type { NetworkViolation } from './network.js';
import { CallRecorder } from './recorder.js';
import type { UiEffect } from './services/handlers.js';

export interface ConsoleEntry {
  level: ConsoleLevel;
  text: string;
  at: number;
}

export interface GuestErrorEntry {
  kind: 'error' | 'unhandledrejection' | 'resource';
  message: string;
  stack?: string;
  at: number;
}

/**
 * Everything a report needs of one run, bounded whatever the app does: the calls, the console and
 * error lines, the network violations and UI effects (first entries kept, the rest counted), and when
 * the page loaded and first called the bridge, in ms since the host started.
 */
export interface HostRecords {
  readonly recorder: CallRecorder;
  readonly console: BoundedList<ConsoleEntry>;
  readonly errors: BoundedList<GuestErrorEntry>;
  readonly violations: BoundedList<NetworkViolation>;
  readonly ui: BoundedList<UiEffect>;
  readonly timings: { loadedMs?: number; firstCallMs?: number };
  /** Milliseconds since the host started, to 0.01 ms. */
  since(): number;
}

export function createHostRecords(recordLimit?: number): HostRecords {
  const started = performance.now();
  return {
    recorder: new CallRecorder(recordLimit),
    console: new BoundedList<ConsoleEntry>(RECORD_LIMITS.console),
    errors: new BoundedList<GuestErrorEntry>(RECORD_LIMITS.errors),
    // Bounded: an app cannot grow the host's memory by making requests or effects (counts go on).
    violations: new BoundedList<NetworkViolation>(RECORD_LIMITS.violations),
    ui: new BoundedList<UiEffect>(RECORD_LIMITS.ui),
    timings: {},
    since: () => Math.round((performance.now() - started) * 100) / 100,
  };
}

/** What a report reads of the records: the kept entries, what was dropped, the counts and timings. */
export function snapshotOf(records: HostRecords) {
  const { recorder, console, errors, violations, ui, timings } = records;
  return {
    console: console.items,
    errors: errors.items,
    violations: violations.items,
    calls: recorder.calls,
    ui: ui.items,
    dropped: console.dropped + errors.dropped,
    counts: { calls: recorder.count, violations: violations.total, ui: ui.total, console: console.total, errors: errors.total },
    timings: { loadedMs: timings.loadedMs, firstCallMs: timings.firstCallMs },
  };
}
