import { toolchainPath } from '../core/toolchain.js';
import { createSandboxCgroup, releaseCgroup, type SandboxCgroup } from './cgroup.js';
import { openHostChannel } from './host-channel.js';
import type { Isolation } from './jail.js';
import { externalClock, processCpuMs, processRss, refuseInspectorSignal } from './measure.js';
import { startSandboxProcess } from './process.js';
import type { HostToSandbox, MemoryReport, SandboxExitReason } from './protocol.js';
import { stopSandbox, type RunningSandbox } from './running.js';
import { exitVerdict, Watchdog, type WatchdogLimits } from './watchdog.js';

export type { MemoryReport, SandboxChannel, SandboxExitReason } from './protocol.js';
export { detectJail, sandboxIsolation, NO_OS_SANDBOX_ENV, type Isolation, type IsolationLevel } from './jail.js';
export type { SandboxAppMessage, SandboxLaunchMessage } from './protocol.js';
export { freezeRealmPrototypes } from './realm.js';
export { detectCgroup, type CgroupSupport } from './cgroup.js';
export { processAlive, processRss, refuseInspectorSignal } from './measure.js';
export { sandboxExecArgv, sandboxV8Flags } from './process.js';

export interface SandboxLimits {
  /** Memory the guest may use beyond the sandbox's own baseline, counting heap, external memory and ArrayBuffers. Default 64 MB. */
  memoryMb?: number;
  /** How long the guest may keep the event loop busy (a synchronous or microtask loop) before it is stopped. Default 1000 ms. */
  busyMs?: number;
  /** Messages per second the guest may send to the host before it is stopped as a flood. Default 20,000. */
  messagesPerSecond?: number;
  /** Pending timers the guest may hold at once before it is stopped as a timer flood. Default 10,000. */
  maxTimers?: number;
  /**
   * How long loading the runtime's own code (until the entry's start() resolved, before any guest code
   * runs) may block the event loop.
   * Default 5000 ms: compiling the bundled DOM takes a few hundred ms, much more on a loaded machine.
   */
  bootMs?: number;
  /** CPU seconds the whole sandbox process may use (RLIMIT_CPU, a hard backstop enforced by the kernel). Default 3600. */
  cpuSeconds?: number;
}

export interface SandboxOptions {
  /** Absolute path of the module the sandbox imports and calls `start(channel, init)` on. */
  entry: string;
  /** Data for the entry's start(): plain, structured-cloneable. */
  init?: unknown;
  /** Files and directories the sandbox may read besides the toolchain's own code (a directory ends with '/*'). */
  readPaths?: string[];
  limits?: SandboxLimits;
  /** Guest-runtime messages from the sandbox. */
  onMessage?: (data: unknown) => void;
  /** Guest code reached a host-realm constructor and was stopped (see lockdown.ts). */
  onEscape?: (what: string) => void;
  /** How often the host checks the heartbeat and memory, in ms. Default 100. */
  checkIntervalMs?: number;
  /**
   * "os" (default): the OS jail where this machine has it, else a plain sandbox process (see
   * `isolation` on the handle for which one and why). "process": never the jail (for comparisons).
   */
  jail?: 'os' | 'process';
  /**
   * @internal Tests only: start without Node's permission model, as if the guest had escaped every
   * JavaScript layer, to show what the OS jail holds by itself.
   */
  withoutPermissionModel?: boolean;
}

export interface SandboxExit {
  reason: SandboxExitReason;
  code: number | null;
  signal: NodeJS.Signals | null;
  detail?: string;
}

export interface Sandbox {
  /** The host pid of the sandbox's Node process (inside the jail: known once the jail started). */
  readonly pid: number;
  /** Every host pid of the sandbox (the jail's supervisor and the Node process), for memory figures. */
  pids(): number[];
  /** The isolation this sandbox runs under, and why a stronger one was not available. */
  readonly isolation: Isolation;
  /** What the host measured of the process from outside (never a report from inside). */
  usage(): { cpuMs: number; rssBytes: number; peakRssBytes: number };
  /** Resolves when the entry's start() finished; rejects if the sandbox died first. */
  readonly ready: Promise<void>;
  /** Resolves once, when the process is gone, with why. */
  readonly exited: Promise<SandboxExit>;
  send(data: unknown): void;
  /** Replaces the listener for guest-runtime messages (a pre-started sandbox gets its app later). */
  onMessage(listener: (data: unknown) => void): void;
  /** Replaces the listener for escape attempts the sandbox stopped. */
  onEscape(listener: (what: string) => void): void;
  /** Freezes the process: nothing of the guest runs until resume(); due timers fire once then. */
  suspend(): void;
  resume(): void;
  readonly suspended: boolean;
  /** Latest memory report (guest-attributable bytes = used - baseline). */
  memory(): { report?: MemoryReport; guestBytes: number };
  /** Stops the sandbox; safe to call twice. */
  close(reason?: SandboxExitReason): Promise<SandboxExit>;
}

/** The default guest memory limit, in MB. */
export const DEFAULT_MEMORY_MB = 64;

/** The V8 heap cap of a sandbox: a backstop above the guest's limit (the host's own accounting, which also counts buffers, acts first). */
export const sandboxHeapMb = (memoryMb: number) => Math.ceil(memoryMb) + 96;

/**
 * The kernel's memory ceiling for a sandbox's cgroup, in MB: its resting size (~100 MB resident: Node,
 * the DOM, the page), the V8 heap cap and the guest's limit again for buffers outside the heap. The
 * host's own measurements stop an honest guest far below it; the ceiling is the wall a guest that
 * allocates faster than the host measures, or forges what it reports, cannot pass.
 */
export const sandboxCgroupMb = (memoryMb: number) => 128 + sandboxHeapMb(memoryMb) + Math.ceil(memoryMb);
/** Processes and threads a sandbox's cgroup may hold (Node runs ~12 threads; bwrap one more process). */
export const SANDBOX_PIDS_MAX = 64;

/**
 * Starts one mini-program sandbox: a Node process with the permission model on (reads limited to the
 * toolchain's code and the given paths; no writes, child processes, workers or addons), code
 * generation from strings off, an empty environment and its network closed. The host watches a
 * heartbeat and the memory the guest uses and stops it with a coded reason when it breaks a limit
 * (the decisions are watchdog.ts's; this wires the process, its channel and its cgroup to them).
 */
export function startSandbox(options: SandboxOptions): Sandbox {
  const limits = watchdogLimits(options);
  const cpuSeconds = options.limits?.cpuSeconds ?? 3600;
  refuseInspectorSignal();
  const cgroup = createSandboxCgroup(sandboxCgroupMb(limits.memoryMb) * 1048576, SANDBOX_PIDS_MAX);
  const { readPaths, jail, withoutPermissionModel } = options;
  const proc = startSandboxProcess({ readPaths, jail, withoutPermissionModel, cpuSeconds, heapMb: limits.heapMb }, cgroup);
  const ready = deferred();
  const s: RunningSandbox = {
    proc,
    watchdog: new Watchdog(limits, Date.now()),
    clock: externalClock(),
    suspended: false,
    listener: options.onMessage,
    escapeListener: options.onEscape,
    markReady: ready.resolve,
  };
  const post = openHostChannel(s);
  let seq = 0;
  const ping = () => post({ type: 'ping', seq: ++seq });
  const timer = setInterval(() => checkSandbox(s, ping), limits.intervalMs);
  timer.unref();
  const end = watchExit(s, cgroup, cpuSeconds, () => clearInterval(timer), ready.reject);
  // Take the baseline before any guest code runs: the first heartbeat answers before init.
  ping();
  post({ type: 'init', entry: options.entry, init: options.init });
  return sandboxHandle(s, post, ready.promise, end);
}

function watchdogLimits(options: SandboxOptions): WatchdogLimits {
  const memoryMb = options.limits?.memoryMb ?? DEFAULT_MEMORY_MB;
  return {
    memoryMb,
    busyMs: options.limits?.busyMs ?? 1000,
    bootMs: options.limits?.bootMs ?? 5000,
    messagesPerSecond: options.limits?.messagesPerSecond ?? 20_000,
    maxTimers: options.limits?.maxTimers ?? 10_000,
    intervalMs: options.checkIntervalMs ?? 100,
    heapMb: sandboxHeapMb(memoryMb),
  };
}

/** The ready promise and its two ends (a sandbox that dies first rejects it; nobody need listen). */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * The host's periodic check: what it reads of the process from outside (never a report from inside)
 * goes to the watchdog with the time, and a verdict stops the sandbox; else the next heartbeat is asked for.
 */
function checkSandbox(s: RunningSandbox, ping: () => void): void {
  if (s.suspended || s.exitReason) return;
  const pid = s.proc.innerPid;
  const now = Date.now();
  const verdict = s.watchdog.check(now, pid ? { spinningMs: s.clock.sample(pid, now), rssBytes: processRss(pid) } : undefined);
  if (verdict) return stopSandbox(s, verdict.reason, verdict.detail);
  ping();
}

/** How a sandbox ends: the promise of its exit, and giving up on a process that does not end. */
interface SandboxEnd {
  exited: Promise<SandboxExit>;
  abandon(): void;
}

function watchExit(s: RunningSandbox, cgroup: SandboxCgroup | undefined, cpuSeconds: number, stopChecks: () => void, failReady: (err: Error) => void): SandboxEnd {
  const { proc } = s;
  let abandon: () => void = () => undefined;
  const exited = new Promise<SandboxExit>((resolve) => {
    // A kill that bwrap does not answer within a few seconds (seen on a loaded machine) is not waited
    // for: the host stops listening, drops its pipes and reports the reason it asked for.
    abandon = () => {
      stopChecks();
      proc.abandon();
      const exit: SandboxExit = { reason: s.exitReason ?? 'STOPPED', code: null, signal: 'SIGKILL', detail: s.detail ?? 'the sandbox did not stop in time and was abandoned' };
      failReady(new Error(`sandbox stopped before it was ready: ${exit.reason}`));
      resolve(exit);
    };
    proc.child.once('exit', (code, signal) => {
      stopChecks();
      proc.gone();
      const facts = { code, signal, stderr: proc.stderr(), oomKilled: cgroup?.oomKilled() ?? false, ceilingBytes: cgroup?.memoryBytes, cpuSeconds };
      const { reason, detail } = exitVerdict({ reason: s.exitReason, detail: s.detail }, facts);
      releaseCgroup(cgroup);
      const exit: SandboxExit = { reason, code, signal, detail };
      failReady(new Error(`sandbox stopped before it was ready: ${reason}${detail ? ` (${detail})` : ''}`));
      resolve(exit);
    });
  });
  return { exited, abandon: () => abandon() };
}

/** The caller's handle on a running sandbox. */
function sandboxHandle(s: RunningSandbox, post: (m: HostToSandbox) => void, ready: Promise<void>, end: SandboxEnd): Sandbox {
  const { proc, watchdog } = s;
  let closing: Promise<SandboxExit> | undefined;
  return {
    get pid() {
      return proc.innerPid ?? proc.child.pid!;
    },
    pids: () => [...new Set([proc.child.pid!, proc.innerPid ?? proc.child.pid!])],
    isolation: proc.isolation,
    usage: () => {
      const pid = proc.innerPid;
      const rss = pid ? processRss(pid) : undefined;
      return { cpuMs: (pid && processCpuMs(pid)) || 0, rssBytes: rss ?? 0, peakRssBytes: watchdog.peakRss(rss) };
    },
    ready,
    exited: end.exited,
    send: (data) => post({ type: 'message', data }),
    onMessage(l) {
      s.listener = l;
    },
    onEscape(l) {
      s.escapeListener = l;
    },
    suspend() {
      if (s.suspended || s.exitReason) return;
      s.suspended = true;
      proc.signal('SIGSTOP');
    },
    resume() {
      if (!s.suspended || s.exitReason) return;
      s.suspended = false;
      watchdog.resumed(Date.now());
      s.clock.reset();
      proc.signal('SIGCONT');
    },
    get suspended() {
      return s.suspended;
    },
    memory: () => watchdog.memory(),
    close(reason: SandboxExitReason = 'STOPPED') {
      closing ??= closeSandbox(s, end, reason);
      return closing;
    },
  };
}

/** Stops the sandbox and waits (3 s at most) for it to end; one that does not is abandoned. */
async function closeSandbox(s: RunningSandbox, end: SandboxEnd, reason: SandboxExitReason): Promise<SandboxExit> {
  if (s.proc.running()) {
    if (s.suspended) s.proc.signal('SIGCONT');
    stopSandbox(s, reason);
  }
  let timeout: NodeJS.Timeout | undefined;
  const late = new Promise<void>((r) => (timeout = setTimeout(r, 3000).unref()));
  await Promise.race([end.exited, late]);
  clearTimeout(timeout);
  if (s.proc.running()) end.abandon();
  return end.exited;
}

/** The guest side's bundle (see scripts/build.mjs): the guest environment and happy-dom in one CommonJS file, loaded with its code cache. */
export const sandboxGuestEntry = () => toolchainPath('dist', 'sandbox', 'guest.cjs');

/**
 * Starts a sandbox for a mini-program before knowing which: it loads the guest runtime and the DOM and
 * waits for its app. It may read nothing but the toolchain's dist/ (the host sends the app's files).
 */
export function startGuestSandbox(limits?: SandboxLimits, checkIntervalMs?: number): Sandbox {
  return startSandbox({ entry: sandboxGuestEntry(), readPaths: [], limits, checkIntervalMs });
}
