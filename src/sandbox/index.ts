import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toolchainPath } from '../core/toolchain.js';
import { createSandboxCgroup, type SandboxCgroup } from './cgroup.js';
import { detectJail, jailCommand, sandboxIsolation, type Isolation } from './jail.js';
import { externalClock, processCpuMs, refuseInspectorSignal } from './measure.js';
import type { HostToSandbox, MemoryReport, SandboxExitReason, SandboxToHost } from './protocol.js';
import { seccompProgram } from './seccomp.js';
import { lineChannel } from './wire.js';

export type { MemoryReport, SandboxChannel, SandboxExitReason } from './protocol.js';
export { detectJail, sandboxIsolation, NO_OS_SANDBOX_ENV, type Isolation, type IsolationLevel } from './jail.js';
export type { SandboxAppMessage, SandboxLaunchMessage } from './protocol.js';
export { freezeRealmPrototypes } from './realm.js';
export { detectCgroup, type CgroupSupport } from './cgroup.js';
export { refuseInspectorSignal } from './measure.js';

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

/** The line of a crash's stderr that says what happened ("Error: ..."), not Node's version banner. */
function crashLine(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^\w*(Error|Exception)\b/.test(l)) ?? lines.filter((l) => !l.startsWith('Node.js v')).pop();
}

// Node's `external` already includes ArrayBuffers (and Buffers): adding `arrayBuffers` would count them twice.
const used = (m: MemoryReport) => m.heapUsed + m.external;

/** The longest message the host accepts from a sandbox (the largest bridge call or request body is far below). */
const MAX_INBOUND_CHARS = 16 * 1024 * 1024;
/** How much the host lets pile up unread on a sandbox's channel (the app message carrying the package's files is the largest). */
const MAX_UNREAD_BYTES = 128 * 1024 * 1024;

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
  const cpuSeconds = options.limits?.cpuSeconds ?? 3600;
  refuseInspectorSignal();
  const cgroup = createSandboxCgroup(sandboxCgroupMb(memoryMb) * 1048576, SANDBOX_PIDS_MAX);
  const { child, isolation, jailed } = spawnSandboxProcess(options, heapMb, cgroup);
  // The Node process's host pid: the child itself, or inside the jail the one bwrap reports on fd 4.
  let innerPid: number | undefined = jailed ? undefined : child.pid;
  // A kill asked for before bwrap has told us the inner pid is carried out as soon as it does: a spare
  // closed while it boots must not live on holding the host's pipes (the CLI would never exit).
  let killWanted = false;
  if (jailed)
    readJailInfo(child, (pid) => {
      innerPid = pid;
      if (killWanted) {
        signalInner('SIGKILL');
        child.kill('SIGKILL');
      }
    });
  const signalInner = (signal: NodeJS.Signals) => {
    try {
      if (innerPid) process.kill(innerPid, signal);
    } catch {
      // already gone
    }
  };
  const clock = externalClock();
  let peakRss = 0;
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

  const send: (m: HostToSandbox) => void = lineChannel(
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
    // The sandbox's own sender writes one JSON object per line: anything else was written by guest code.
    () => kill('CRASHED', 'the sandbox sent a line that is not a JSON message'),
    () => kill('MESSAGE_FLOOD', `a single message over ${MAX_INBOUND_CHARS / 1048576} MB`),
    MAX_INBOUND_CHARS,
  );
  // The host never buffers without bound for a sandbox: one that stops reading its channel while it
  // keeps asking (answers pile up in the host's write buffer) is stopped.
  const post = (m: HostToSandbox) => {
    if (pipe.writableLength > MAX_UNREAD_BYTES) return kill('MESSAGE_FLOOD', `the sandbox left over ${MAX_UNREAD_BYTES / 1048576} MB of the host's messages unread`);
    send(m);
  };
  const kill = (reason: SandboxExitReason, why?: string) => {
    if (exitReason) return;
    exitReason = reason;
    detail = why;
    killWanted = true;
    // Inside the jail, bwrap's own pid 1 of the sandbox's namespace outlives a killed outer bwrap (its
    // die-with-parent does not hold here): the inner pid is killed first, once bwrap has reported it.
    if (jailed && !innerPid) {
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
      return;
    }
    signalInner('SIGKILL');
    child.kill('SIGKILL');
  };

  let markReady!: () => void;
  let failReady!: (err: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => undefined);

  let forceExit: () => void = () => undefined;
  const exited = new Promise<SandboxExit>((resolve) => {
    // A kill that bwrap does not answer within a few seconds (seen on a loaded machine) is not waited
    // for: the host stops listening, drops its pipes and reports the reason it asked for.
    forceExit = () => {
      clearInterval(timer);
      signalInner('SIGKILL');
      child.kill('SIGKILL');
      pipe.destroy();
      child.stderr?.destroy();
      (child.stdio[4] as Duplex | null)?.destroy();
      child.unref();
      const exit: SandboxExit = { reason: exitReason ?? 'STOPPED', code: null, signal: 'SIGKILL', detail: detail ?? 'the sandbox did not stop in time and was abandoned' };
      failReady(new Error(`sandbox stopped before it was ready: ${exit.reason}`));
      resolve(exit);
    };
    child.once('exit', (code, signal) => {
      clearInterval(timer);
      // bwrap is gone: whatever still holds the other ends (a jailed process it could not take with it)
      // must not keep this process alive.
      if (jailed) {
        killWanted = true;
        signalInner('SIGKILL');
        setTimeout(() => {
          pipe.destroy();
          child.stderr?.destroy();
        }, 250).unref();
      }
      let reason = exitReason;
      if (!reason) {
        // The kernel stopped it at its cgroup's memory ceiling (SIGKILL from the OOM killer).
        if (cgroup?.oomKilled()) {
          reason = 'MEMORY_LIMIT';
          detail = `the kernel stopped the sandbox at its cgroup memory ceiling of ${Math.round(cgroup.memoryBytes / 1048576)} MB`;
        }
        // A V8 heap limit ends the process with "JavaScript heap out of memory".
        else if (/heap out of memory|Allocation failed/i.test(stderr)) reason = 'MEMORY_LIMIT';
        // RLIMIT_CPU: the kernel sent SIGXCPU (bwrap passes a signal death on as 128 + its number).
        else if (signal === 'SIGXCPU' || code === 128 + 24) {
          reason = 'CPU_LIMIT';
          detail = `the sandbox used its ${cpuSeconds} s of CPU time (RLIMIT_CPU)`;
        } else reason = code === 0 ? 'EXITED' : 'CRASHED';
      }
      // The group goes with its processes: now, or once a jailed process bwrap left behind is gone.
      if (cgroup) {
        cgroup.remove();
        setTimeout(() => cgroup.remove(), 500).unref();
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
      rssBaseline = innerPid ? processRss(innerPid) : undefined;
      clock.reset();
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
    if (innerPid) {
      // From outside: an event loop that has not slept once for twice the limit (at least 3 s) is
      // stopped, whatever heartbeats the sandbox sends (a guest that reached the pipe can forge them).
      // Twice: the heartbeat catches an honest sandbox's busy loop first, with its own message; 3 s: a
      // loop kept turning by setImmediate never sleeps either, and may run that long.
      const spinning = clock.sample(innerPid, Date.now());
      if (spinning > Math.max(2 * allowed, 3000) + interval)
        return kill('CPU_LIMIT', `the ${booted ? 'guest' : 'runtime start-up'} kept the sandbox's event loop from sleeping for ${spinning} ms, its limit is ${allowed} ms (measured by the host)`);
      const rss = processRss(innerPid);
      if (rss !== undefined && rss > peakRss) peakRss = rss;
      if (rssBaseline === undefined && booted && rss !== undefined) rssBaseline = rss;
    }
    if (Date.now() - lastPong > allowed + interval) {
      // A guest close to its memory limit that stops answering is usually stuck in garbage collection.
      const guest = lastReport && baseline !== undefined ? used(lastReport) - baseline : 0;
      if (booted && guest > memoryLimit * 0.75)
        return kill('MEMORY_LIMIT', `the guest stopped answering while using ${Math.round(guest / 1048576)} MB of its ${Math.round(memoryLimit / 1048576)} MB limit`);
      return kill('CPU_LIMIT', `the ${booted ? 'guest' : 'runtime start-up'} kept the event loop busy for more than ${allowed} ms`);
    }
    // The heartbeat's figures come from inside the sandbox, where guest code can reach objects of the
    // sandbox's own realm (a DOM object's prototype chain) and forge them. The host's own reading of the
    // process bounds what a lying guest can hold: resident growth past the V8 heap cap (the limit plus
    // its headroom) is more than an honest guest under its limit reaches.
    if (rssBaseline !== undefined) {
      const grown = (processRss(innerPid!) ?? rssBaseline) - rssBaseline;
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
    get pid() {
      return innerPid ?? child.pid!;
    },
    pids: () => [...new Set([child.pid!, innerPid ?? child.pid!])],
    isolation,
    usage: () => {
      const rss = innerPid ? processRss(innerPid) : undefined;
      if (rss !== undefined && rss > peakRss) peakRss = rss;
      return { cpuMs: (innerPid && processCpuMs(innerPid)) || 0, rssBytes: rss ?? 0, peakRssBytes: peakRss };
    },
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
      signalInner('SIGSTOP');
    },
    resume() {
      if (!suspended || exitReason) return;
      suspended = false;
      lastPong = Date.now();
      clock.reset();
      signalInner('SIGCONT');
    },
    get suspended() {
      return suspended;
    },
    memory: () => ({ report: lastReport, guestBytes: lastReport && baseline !== undefined ? Math.max(0, used(lastReport) - baseline) : 0 }),
    close(reason: SandboxExitReason = 'STOPPED') {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          if (suspended) signalInner('SIGCONT');
          kill(reason);
        }
        let timeout: NodeJS.Timeout | undefined;
        const late = new Promise<void>((r) => (timeout = setTimeout(r, 3000).unref()));
        await Promise.race([exited, late]);
        clearTimeout(timeout);
        if (child.exitCode === null && child.signalCode === null) forceExit();
        return exited;
      })();
      return closing;
    },
  };
}

/**
 * Starts the sandbox's Node process: inside the OS jail when this machine has one (src/sandbox/jail.ts),
 * else as a plain child process. Either way the permission model, the V8 flags and an empty
 * environment apply; fd 3 is the channel.
 */
function spawnSandboxProcess(options: SandboxOptions, heapMb: number, cgroup: SandboxCgroup | undefined): { child: ChildProcess; isolation: Isolation; jailed: boolean } {
  const execArgv = sandboxExecArgv(options.readPaths ?? [], heapMb).filter((a) => !options.withoutPermissionModel || !/^--(experimental-permission|allow-fs-read)/.test(a));
  const nodeArgs = [...execArgv, childEntry()];
  const support = options.jail === 'process' ? undefined : detectJail();
  if (!support?.ok) {
    const isolation: Isolation = options.jail === 'process' ? { level: 'process', reason: 'the caller asked for a plain sandbox process' } : sandboxIsolation();
    const child = spawnInCgroup(cgroup, process.execPath, nodeArgs, { env: {}, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    return { child, isolation, jailed: false };
  }
  const program = seccompProgram();
  const cmd = jailCommand(support, { reads: jailReads(options.readPaths ?? []), cpuSeconds: options.limits?.cpuSeconds ?? 3600 }, nodeArgs, program !== undefined);
  const child = spawnInCgroup(cgroup, cmd.file, cmd.args, { env: {}, uid: cmd.uid, gid: cmd.gid, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', program ? 'pipe' : 'ignore'] });
  if (program) {
    const fd5 = (child.stdio as unknown as Duplex[])[5]!;
    fd5.on('error', () => undefined);
    fd5.end(program);
  }
  const missing = [...support.missing, ...(program ? [] : [`seccomp (no filter for ${process.arch})`])];
  const isolation: Isolation = { level: 'os-sandbox', ...(missing.length ? { missing: [...new Set(missing)] } : {}) };
  return { child, isolation, jailed: true };
}

/**
 * Spawns the sandbox's first process inside its cgroup before it runs anything: a shell that waits for
 * one line on its stdin, written once the host has put the shell's pid in the group, then execs the
 * real command (prlimit, bwrap, node) with stdin closed. Everything the sandbox starts inherits the group.
 * The host moves the process itself, so this works for a host that drops the jail to another user.
 */
function spawnInCgroup(cgroup: SandboxCgroup | undefined, file: string, args: string[], options: SpawnOptions): ChildProcess {
  if (!cgroup) return spawn(file, args, options);
  const stdio = [...(options.stdio as StdioOptions[])];
  stdio[0] = 'pipe';
  const child = spawn('/bin/sh', ['-c', 'read -r _ && exec "$@" </dev/null', 'sh', file, ...args], { ...options, stdio: stdio as SpawnOptions['stdio'] });
  try {
    for (const procs of cgroup.procs) writeFileSync(procs, String(child.pid));
  } catch {
    // Not moved (the shell already died, or the group went away): the shell gets no line and ends.
    child.stdin?.destroy();
    return child;
  }
  child.stdin?.on('error', () => undefined);
  child.stdin?.end('\n');
  return child;
}

/** What the jail binds read-only: the toolchain's dist/ and package.json (as the permission model allows), and the given paths. */
function jailReads(readPaths: string[]): string[] {
  return [dirname(dirname(childEntry())), toolchainPath('package.json'), ...readPaths];
}

/** bwrap writes `{ "child-pid": N, ... }` to --info-fd once the jail runs: N is the Node process's host pid. */
function readJailInfo(child: ChildProcess, onPid: (pid: number) => void): void {
  const info = child.stdio[4] as Duplex;
  let text = '';
  let seen = false;
  info.on('error', () => undefined);
  info.on('data', (d: Buffer) => {
    if (text.length > 4096) return;
    text += d.toString();
    const m = /"child-pid"\s*:\s*(\d+)/.exec(text);
    if (m && !seen) {
      seen = true;
      onPid(Number(m[1]));
    }
  });
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
