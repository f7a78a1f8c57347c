import { spawn, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toolchainPath } from '../core/toolchain.js';
import type { HostToSandbox, MemoryReport, SandboxExitReason, SandboxToHost } from './protocol.js';
import { lineChannel } from './wire.js';

export type { MemoryReport, SandboxChannel, SandboxExitReason } from './protocol.js';
export type { SandboxAppMessage } from './guest-entry.js';

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
}

export interface SandboxExit {
  reason: SandboxExitReason;
  code: number | null;
  signal: NodeJS.Signals | null;
  detail?: string;
}

export interface Sandbox {
  readonly pid: number;
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

/** The line of a crash's stderr that says what happened ("Error: ..."), not Node's version banner. */
function crashLine(stderr: string): string | undefined {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\w*(Error|Exception)\b/.test(l)) ?? lines.filter((l) => !l.startsWith('Node.js v')).pop();
}

// Node's `external` already includes ArrayBuffers (and Buffers): adding `arrayBuffers` would count them twice.
const used = (m: MemoryReport) => m.heapUsed + m.external;

/** The default guest memory limit, in MB. */
export const DEFAULT_MEMORY_MB = 64;

/** The V8 heap cap of a sandbox: a backstop above the guest's limit (the host's own accounting, which also counts buffers, acts first). */
export const sandboxHeapMb = (memoryMb: number) => Math.ceil(memoryMb) + 96;

/**
 * The V8 flags of a sandbox. V8 accepts a code cache only from a process with the same flags, so the
 * build makes the guest's code cache with exactly these (scripts/make-sandbox-code-cache.mjs).
 */
export const sandboxV8Flags = (heapMb: number): string[] => ['--disallow-code-generation-from-strings', `--max-old-space-size=${heapMb}`];

/** The Node flags that make a process a sandbox: see docs/runtime-security.md for why each is there. */
export function sandboxExecArgv(readPaths: string[], heapMb: number): string[] {
  const dist = dirname(dirname(childEntry()));
  // The toolchain's package.json too: toolchainRoot() identifies the install directory by it.
  const reads = [`${dist}/*`, toolchainPath('package.json'), ...readPaths];
  return ['--experimental-permission', ...reads.map((p) => `--allow-fs-read=${p}`), ...sandboxV8Flags(heapMb), '--no-warnings'];
}

function childEntry(): string {
  // Always the built bootstrap in dist/sandbox/ (one CommonJS file, see scripts/build.mjs), whether this
  // module runs from src/ (tests), dist/ or the CLI bundle.
  return toolchainPath('dist', 'sandbox', 'child.cjs');
}

/**
 * Starts one mini-program sandbox: a Node process with the permission model on (reads limited to the
 * toolchain's code and the given paths; no writes, child processes, workers or addons), code
 * generation from strings off, an empty environment and its network closed. The host watches a
 * heartbeat and the memory the guest uses and stops it with a coded reason when it breaks a limit.
 */
export function startSandbox(options: SandboxOptions): Sandbox {
  const memoryMb = options.limits?.memoryMb ?? DEFAULT_MEMORY_MB;
  const memoryLimit = memoryMb * 1024 * 1024;
  const busyMs = options.limits?.busyMs ?? 1000;
  const bootMs = options.limits?.bootMs ?? 5000;
  let booted = false;
  const maxRate = options.limits?.messagesPerSecond ?? 20_000;
  const maxTimers = options.limits?.maxTimers ?? 10_000;
  const interval = options.checkIntervalMs ?? 100;
  const heapMb = sandboxHeapMb(memoryMb);
  const child: ChildProcess = spawn(process.execPath, [...sandboxExecArgv(options.readPaths ?? [], heapMb), childEntry()], {
    env: {},
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const pipe = child.stdio[3] as Duplex;
  pipe.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 16_384) stderr += d.toString();
  });

  let listener = options.onMessage;
  let escapeListener = options.onEscape;
  let exitReason: SandboxExitReason | undefined;
  let detail: string | undefined;
  let suspended = false;
  let baseline: number | undefined;
  // The process's resident memory when the runtime had loaded, read by the host itself (see the timer).
  let rssBaseline: number | undefined;
  let lastReport: MemoryReport | undefined;
  let lastPong = Date.now();
  let seq = 0;
  let windowStart = Date.now();
  let windowCount = 0;

  const post: (m: HostToSandbox) => void = lineChannel(
    pipe,
    (raw) => {
      // Guest code can reach the sandbox realm's objects and so rewrite what the sandbox sends (see the
      // timer's memory check): a message the host cannot handle stops that sandbox, never the host.
      try {
        onMessage(raw as SandboxToHost);
      } catch (err) {
        kill('CRASHED', `the sandbox sent a message the host could not handle (${(err as Error)?.message ?? String(err)})`);
      }
    },
    undefined,
    () => kill('MESSAGE_FLOOD', 'a single message over 64 MB'),
  );
  const kill = (reason: SandboxExitReason, why?: string) => {
    if (exitReason) return;
    exitReason = reason;
    detail = why;
    child.kill('SIGKILL');
  };

  let markReady!: () => void;
  let failReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);

  const exited = new Promise<SandboxExit>((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(timer);
      let reason = exitReason;
      if (!reason) {
        // A V8 heap limit ends the process with "JavaScript heap out of memory".
        if (/heap out of memory|Allocation failed/i.test(stderr)) reason = 'MEMORY_LIMIT';
        else reason = code === 0 ? 'EXITED' : 'CRASHED';
      }
      const exit: SandboxExit = { reason, code, signal, detail: detail ?? (reason === 'CRASHED' ? crashLine(stderr) : undefined) };
      failReady(new Error(`sandbox stopped before it was ready: ${reason}${exit.detail ? ` (${exit.detail})` : ''}`));
      resolve(exit);
    });
  });

  function onMessage(m: SandboxToHost): void {
    if (m.type === 'pong') {
      lastPong = Date.now();
      lastReport = m.memory;
      baseline ??= used(m.memory);
      const guest = used(m.memory) - baseline;
      if ((m.timers ?? 0) > maxTimers) return kill('TIMER_FLOOD', `${m.timers} pending timers, over the limit of ${maxTimers}`);
      // Before 'ready' the runtime's own code is loading (the heap cap bounds it): the limit is the guest's.
      if (booted && guest > memoryLimit) kill('MEMORY_LIMIT', `the guest used ${Math.round(guest / 1048576)} MB, over its ${Math.round(memoryLimit / 1048576)} MB limit`);
    } else if (m.type === 'message') {
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        windowCount = 0;
      }
      if (++windowCount > maxRate) return kill('MESSAGE_FLOOD', `more than ${maxRate} messages in one second`);
      listener?.(m.data);
    } else if (m.type === 'ready' && !booted) {
      // The runtime's own code is loaded and no guest code has run: from here on the busy-loop limit
      // applies in full, and guest memory is counted from here. Only the first counts: a later one
      // could come from guest code resetting its baselines.
      booted = true;
      lastPong = Date.now();
      if (m.memory) baseline = used(m.memory);
      rssBaseline = processRss(child.pid!);
      markReady();
    } else if (m.type === 'escape') {
      escapeListener?.(String(m.what).slice(0, 200));
    } else if (m.type === 'fatal') {
      detail = `${m.code}: ${m.message}`;
    }
  }

  const timer = setInterval(() => {
    if (suspended || exitReason) return;
    const allowed = booted ? busyMs : bootMs;
    if (Date.now() - lastPong > allowed + interval) {
      // A guest close to its memory limit that stops answering is usually stuck in garbage collection.
      const guest = lastReport && baseline !== undefined ? used(lastReport) - baseline : 0;
      if (booted && guest > memoryLimit * 0.75) return kill('MEMORY_LIMIT', `the guest stopped answering while using ${Math.round(guest / 1048576)} MB of its ${Math.round(memoryLimit / 1048576)} MB limit`);
      return kill('CPU_LIMIT', `the ${booted ? 'guest' : 'runtime start-up'} kept the event loop busy for more than ${allowed} ms`);
    }
    // The heartbeat's figures come from inside the sandbox, where guest code can reach objects of the
    // sandbox's own realm (a DOM object's prototype chain) and forge them. The host's own reading of the
    // process bounds what a lying guest can hold: resident growth past the V8 heap cap (the limit plus
    // its headroom) is more than an honest guest under its limit reaches.
    if (rssBaseline !== undefined) {
      const grown = (processRss(child.pid!) ?? rssBaseline) - rssBaseline;
      if (grown > heapMb * 1048576) {
        return kill('MEMORY_LIMIT', `the sandbox's resident memory grew by ${Math.round(grown / 1048576)} MB, more than its ${memoryMb} MB limit allows`);
      }
    }
    post({ type: 'ping', seq: ++seq });
  }, interval);
  timer.unref();

  // Take the baseline before any guest code runs: the first heartbeat answers before init.
  post({ type: 'ping', seq: ++seq });
  post({ type: 'init', entry: options.entry, init: options.init });

  let closing: Promise<SandboxExit> | undefined;
  return {
    pid: child.pid!,
    ready,
    exited,
    send: (data) => post({ type: 'message', data }),
    onMessage(l) {
      listener = l;
    },
    onEscape(l) {
      escapeListener = l;
    },
    suspend() {
      if (suspended || exitReason) return;
      suspended = true;
      child.kill('SIGSTOP');
    },
    resume() {
      if (!suspended || exitReason) return;
      suspended = false;
      lastPong = Date.now();
      child.kill('SIGCONT');
    },
    get suspended() {
      return suspended;
    },
    memory: () => ({ report: lastReport, guestBytes: lastReport && baseline !== undefined ? Math.max(0, used(lastReport) - baseline) : 0 }),
    close(reason: SandboxExitReason = 'STOPPED') {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          if (suspended) child.kill('SIGCONT');
          kill(reason);
        }
        return exited;
      })();
      return closing;
    },
  };
}

/** Resident set size of a process in bytes from /proc (Linux), for host-wide memory figures. */
export function processRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
