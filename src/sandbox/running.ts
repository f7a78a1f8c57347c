import type { ExternalClock } from './measure.js';
import type { SandboxProcess } from './process.js';
import type { SandboxExitReason } from './protocol.js';
import type { Watchdog } from './watchdog.js';

/** What the parts of one running sandbox share: its process, its watchdog, and what the host decided. */
export interface RunningSandbox {
  readonly proc: SandboxProcess;
  readonly watchdog: Watchdog;
  /** The host's own reading of whether the event loop sleeps (reset when the guest's limits start, and on resume). */
  readonly clock: ExternalClock;
  /** Why the host stopped the sandbox: the first reason only. */
  exitReason?: SandboxExitReason;
  detail?: string;
  suspended: boolean;
  /** Guest-runtime messages from the sandbox. */
  listener?: (data: unknown) => void;
  /** Escape attempts the sandbox stopped. */
  escapeListener?: (what: string) => void;
  /** The entry's start() finished. */
  markReady(): void;
}

/** Stops the sandbox with a coded reason; a sandbox already being stopped keeps its first reason. */
export function stopSandbox(s: RunningSandbox, reason: SandboxExitReason, why?: string): void {
  if (s.exitReason) return;
  s.exitReason = reason;
  s.detail = why;
  s.proc.kill();
}
