import type { MemoryReport, SandboxExitReason } from './protocol.js';

/**
 * The sandbox watchdog: the host's decisions to stop a sandbox, each with its coded reason, as a
 * function of what the host read and when. Nothing here touches a process or a clock: startSandbox
 * feeds it the sandbox's heartbeat answers (which guest code can forge: it can reach objects of the
 * sandbox's own realm) and what the host read of the process from outside (which it cannot), with the
 * time of each, and carries out the verdicts. A test drives it with made-up readings and times.
 */

// Node's `external` already includes ArrayBuffers (and Buffers): adding `arrayBuffers` would count them twice.
export const usedBytes = (m: MemoryReport) => m.heapUsed + m.external;

export interface WatchdogLimits {
  /** Memory the guest may use beyond the baseline taken when the runtime had loaded, in MB. */
  memoryMb: number;
  /** How long the guest may keep the event loop busy, in ms. */
  busyMs: number;
  /** The same for the runtime's own start-up, before 'ready', in ms. */
  bootMs: number;
  messagesPerSecond: number;
  maxTimers: number;
  /** How often the host checks, in ms: the slack on every time limit. */
  intervalMs: number;
  /** The V8 heap cap of the sandbox in MB: resident growth past it is more than an honest guest under its limit reaches. */
  heapMb: number;
}

/** A decision to stop the sandbox: the permanent code and what the host saw. */
export interface Verdict {
  reason: SandboxExitReason;
  detail: string;
}

/** What the host read of the sandbox's Node process from outside at one check (measure.ts). */
export interface OutsideReading {
  /** For how long the process's event loop has not slept once, in ms (externalClock). */
  spinningMs: number;
  /** Its resident memory, or undefined when it could not be read. */
  rssBytes: number | undefined;
}

const MB = 1048576;

/**
 * One sandbox's watchdog. The host does not check a suspended sandbox (it calls resumed() when it
 * thaws it) and stops at the first verdict.
 */
export class Watchdog {
  #booted = false;
  #baseline: number | undefined;
  // The process's resident memory when the runtime had loaded, read by the host itself.
  #rssBaseline: number | undefined;
  #lastReport: MemoryReport | undefined;
  #lastPong: number;
  #windowStart: number;
  #windowCount = 0;
  #peakRss = 0;
  readonly #memoryLimit: number;

  constructor(
    readonly limits: WatchdogLimits,
    nowMs: number,
  ) {
    this.#memoryLimit = limits.memoryMb * 1024 * 1024;
    this.#lastPong = nowMs;
    this.#windowStart = nowMs;
  }

  /** The runtime's own code has loaded (the first 'ready'): the guest's limits apply from here. */
  get booted(): boolean {
    return this.#booted;
  }

  /**
   * The sandbox reported ready, with the memory it reports and the resident memory the host read.
   * Only the first counts (a later one could come from guest code resetting its baselines): false for the others.
   */
  ready(memory: MemoryReport | undefined, rssBytes: number | undefined, nowMs: number): boolean {
    if (this.#booted) return false;
    this.#booted = true;
    this.#lastPong = nowMs;
    if (memory) this.#baseline = usedBytes(memory);
    this.#rssBaseline = rssBytes;
    return true;
  }

  /** A heartbeat answer: the memory and pending timers the sandbox reports. */
  heartbeat(memory: MemoryReport, timers: number | undefined, nowMs: number): Verdict | undefined {
    this.#lastPong = nowMs;
    this.#lastReport = memory;
    this.#baseline ??= usedBytes(memory);
    const guest = usedBytes(memory) - this.#baseline;
    const { maxTimers } = this.limits;
    if ((timers ?? 0) > maxTimers) return { reason: 'TIMER_FLOOD', detail: `${timers} pending timers, over the limit of ${maxTimers}` };
    // Before 'ready' the runtime's own code is loading (the heap cap bounds it): the limit is the guest's.
    if (this.#booted && guest > this.#memoryLimit) return { reason: 'MEMORY_LIMIT', detail: `the guest used ${Math.round(guest / MB)} MB, over its ${Math.round(this.#memoryLimit / MB)} MB limit` };
    return undefined;
  }

  /** The sandbox sent a guest-runtime message. */
  guestMessage(nowMs: number): Verdict | undefined {
    if (nowMs - this.#windowStart >= 1000) {
      this.#windowStart = nowMs;
      this.#windowCount = 0;
    }
    const max = this.limits.messagesPerSecond;
    if (++this.#windowCount > max) return { reason: 'MESSAGE_FLOOD', detail: `more than ${max} messages in one second` };
    return undefined;
  }

  /** The periodic check, with what the host read from outside (once it knows the process's pid). */
  check(nowMs: number, outside: OutsideReading | undefined): Verdict | undefined {
    const allowed = this.#booted ? this.limits.busyMs : this.limits.bootMs;
    const interval = this.limits.intervalMs;
    const who = this.#booted ? 'guest' : 'runtime start-up';
    if (outside) {
      // From outside: an event loop that has not slept once for twice the limit (at least 3 s) is
      // stopped, whatever heartbeats the sandbox sends (a guest that reached the pipe can forge them).
      // Twice: the heartbeat catches an honest sandbox's busy loop first, with its own message; 3 s: a
      // loop kept turning by setImmediate never sleeps either, and may run that long.
      const spinning = outside.spinningMs;
      if (spinning > Math.max(2 * allowed, 3000) + interval)
        return { reason: 'CPU_LIMIT', detail: `the ${who} kept the sandbox's event loop from sleeping for ${spinning} ms, its limit is ${allowed} ms (measured by the host)` };
      this.peakRss(outside.rssBytes);
      if (this.#rssBaseline === undefined && this.#booted && outside.rssBytes !== undefined) this.#rssBaseline = outside.rssBytes;
    }
    if (nowMs - this.#lastPong > allowed + interval) {
      // A guest close to its memory limit that stops answering is usually stuck in garbage collection.
      const guest = this.#guestBytes();
      if (this.#booted && guest > this.#memoryLimit * 0.75)
        return { reason: 'MEMORY_LIMIT', detail: `the guest stopped answering while using ${Math.round(guest / MB)} MB of its ${Math.round(this.#memoryLimit / MB)} MB limit` };
      return { reason: 'CPU_LIMIT', detail: `the ${who} kept the event loop busy for more than ${allowed} ms` };
    }
    return this.#residentVerdict(outside?.rssBytes);
  }

  /**
   * The heartbeat's figures come from inside the sandbox, where guest code can forge them. The host's
   * own reading of the process bounds what a lying guest can hold: resident growth past the V8 heap cap
   * (the limit plus its headroom) is more than an honest guest under its limit reaches.
   */
  #residentVerdict(rssBytes: number | undefined): Verdict | undefined {
    if (this.#rssBaseline === undefined) return undefined;
    const grown = (rssBytes ?? this.#rssBaseline) - this.#rssBaseline;
    if (grown > this.limits.heapMb * MB)
      return { reason: 'MEMORY_LIMIT', detail: `the sandbox's resident memory grew by ${Math.round(grown / MB)} MB, more than its ${this.limits.memoryMb} MB limit allows` };
    return undefined;
  }

  /** The sandbox was resumed: the silence while it was frozen was not the guest's. */
  resumed(nowMs: number): void {
    this.#lastPong = nowMs;
  }

  /** The latest memory report and the bytes it attributes to the guest. */
  memory(): { report?: MemoryReport; guestBytes: number } {
    return { report: this.#lastReport, guestBytes: Math.max(0, this.#guestBytes()) };
  }

  /** The highest resident memory read so far, counting `rssBytes` when given. */
  peakRss(rssBytes?: number): number {
    if (rssBytes !== undefined && rssBytes > this.#peakRss) this.#peakRss = rssBytes;
    return this.#peakRss;
  }

  #guestBytes(): number {
    return this.#lastReport && this.#baseline !== undefined ? usedBytes(this.#lastReport) - this.#baseline : 0;
  }
}

/** What the host knows of a sandbox process that has ended. */
export interface ExitFacts {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the process wrote to stderr (its first 16 KB). */
  stderr: string;
  /** Whether the kernel killed a process of the sandbox's cgroup at its memory ceiling. */
  oomKilled: boolean;
  /** That ceiling, in bytes. */
  ceilingBytes?: number;
  /** The sandbox's RLIMIT_CPU, in seconds. */
  cpuSeconds: number;
}

/**
 * Why a sandbox process ended: the reason the host stopped it for, else what the exit itself says (the
 * kernel's memory ceiling, V8's heap limit, RLIMIT_CPU, a clean exit or a crash).
 */
export function exitVerdict(asked: { reason?: SandboxExitReason; detail?: string }, facts: ExitFacts): { reason: SandboxExitReason; detail?: string } {
  let { reason, detail } = asked;
  if (!reason) {
    // The kernel stopped it at its cgroup's memory ceiling (SIGKILL from the OOM killer).
    if (facts.oomKilled) {
      reason = 'MEMORY_LIMIT';
      detail = `the kernel stopped the sandbox at its cgroup memory ceiling of ${Math.round((facts.ceilingBytes ?? 0) / MB)} MB`;
    }
    // A V8 heap limit ends the process with "JavaScript heap out of memory".
    else if (/heap out of memory|Allocation failed/i.test(facts.stderr)) reason = 'MEMORY_LIMIT';
    // RLIMIT_CPU: the kernel sent SIGXCPU (bwrap passes a signal death on as 128 + its number).
    else if (facts.signal === 'SIGXCPU' || facts.code === 128 + 24) {
      reason = 'CPU_LIMIT';
      detail = `the sandbox used its ${facts.cpuSeconds} s of CPU time (RLIMIT_CPU)`;
    } else reason = facts.code === 0 ? 'EXITED' : 'CRASHED';
  }
  return { reason, detail: detail ?? (reason === 'CRASHED' ? crashLine(facts.stderr) : undefined) };
}

/** The line of a crash's stderr that says what happened ("Error: ..."), not Node's version banner. */
export function crashLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^\w*(Error|Exception)\b/.test(l)) ?? lines.filter((l) => !l.startsWith('Node.js v')).pop();
}
