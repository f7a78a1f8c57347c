import type { ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { toolchainPath } from '../core/toolchain.js';
import { spawnInCgroup, type SandboxCgroup } from './cgroup.js';
import { detectJail, jailCommand, sandboxIsolation, type Isolation } from './jail.js';
import { seccompProgram } from './seccomp.js';

/**
 * The sandbox's process: its flags, how it is spawned (inside the OS jail where this machine has one,
 * else as a plain child process, in its cgroup either way), and how the host signals it.
 */

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

/** What starting a sandbox's process takes (a part of SandboxOptions). */
export interface SpawnRequest {
  readPaths?: string[];
  jail?: 'os' | 'process';
  withoutPermissionModel?: boolean;
  cpuSeconds: number;
  heapMb: number;
}

/** A started sandbox process, as the host sees and signals it. */
export interface SandboxProcess {
  readonly child: ChildProcess;
  readonly isolation: Isolation;
  readonly jailed: boolean;
  /** The channel, fd 3. */
  readonly pipe: Duplex;
  /** The Node process's host pid: the child itself, or inside the jail the one bwrap reports on fd 4 (undefined until it has). */
  readonly innerPid: number | undefined;
  /** What the process wrote to stderr (its first 16 KB). */
  stderr(): string;
  /** Whether the child has neither exited nor been killed by a signal yet. */
  running(): boolean;
  /** Signals the Node process (nothing while its pid is unknown, or once it is gone). */
  signal(signal: NodeJS.Signals): void;
  /** Kills the Node process and the child (the jail's supervisor), as soon as the jail says which process that is. */
  kill(): void;
  /** The child is gone: whatever still holds the other ends (a jailed process bwrap could not take with it) must not keep the host alive. */
  gone(): void;
  /** Kills everything and drops the host's ends of the pipes without waiting for the process to end. */
  abandon(): void;
}

/** Spawns a sandbox's process (in `cgroup` when there is one) and gives the host its handle on it. */
export function startSandboxProcess(request: SpawnRequest, cgroup: SandboxCgroup | undefined): SandboxProcess {
  const { child, isolation, jailed } = spawnSandboxProcess(request, cgroup);
  let innerPid: number | undefined = jailed ? undefined : child.pid;
  // A kill asked for before bwrap has told us the inner pid is carried out as soon as it does: a spare
  // closed while it boots must not live on holding the host's pipes (the CLI would never exit).
  let killWanted = false;
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (innerPid) process.kill(innerPid, sig);
    } catch {
      // already gone
    }
  };
  if (jailed)
    readJailInfo(child, (pid) => {
      innerPid = pid;
      if (killWanted) {
        signal('SIGKILL');
        child.kill('SIGKILL');
      }
    });
  const pipe = child.stdio[3] as Duplex;
  pipe.on('error', () => undefined);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 16_384) stderr += d.toString();
  });
  return {
    child,
    isolation,
    jailed,
    pipe,
    get innerPid() {
      return innerPid;
    },
    stderr: () => stderr,
    running: () => child.exitCode === null && child.signalCode === null,
    signal,
    kill() {
      killWanted = true;
      // Inside the jail, bwrap's own pid 1 of the sandbox's namespace outlives a killed outer bwrap (its
      // die-with-parent does not hold here): the inner pid is killed first, once bwrap has reported it.
      if (jailed && !innerPid) {
        setTimeout(() => child.kill('SIGKILL'), 2000).unref();
        return;
      }
      signal('SIGKILL');
      child.kill('SIGKILL');
    },
    gone() {
      if (!jailed) return;
      killWanted = true;
      signal('SIGKILL');
      setTimeout(() => {
        pipe.destroy();
        child.stderr?.destroy();
      }, 250).unref();
    },
    abandon() {
      signal('SIGKILL');
      child.kill('SIGKILL');
      pipe.destroy();
      child.stderr?.destroy();
      (child.stdio[4] as Duplex | null)?.destroy();
      child.unref();
    },
  };
}

/**
 * Starts the sandbox's Node process: inside the OS jail when this machine has one (src/sandbox/jail.ts),
 * else as a plain child process. Either way the permission model, the V8 flags and an empty
 * environment apply; fd 3 is the channel.
 */
function spawnSandboxProcess(request: SpawnRequest, cgroup: SandboxCgroup | undefined): { child: ChildProcess; isolation: Isolation; jailed: boolean } {
  const execArgv = sandboxExecArgv(request.readPaths ?? [], request.heapMb).filter((a) => !request.withoutPermissionModel || !/^--(experimental-permission|allow-fs-read)/.test(a));
  const nodeArgs = [...execArgv, childEntry()];
  const support = request.jail === 'process' ? undefined : detectJail();
  if (!support?.ok) {
    const isolation: Isolation = request.jail === 'process' ? { level: 'process', reason: 'the caller asked for a plain sandbox process' } : sandboxIsolation();
    const child = spawnInCgroup(cgroup, process.execPath, nodeArgs, { env: {}, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    return { child, isolation, jailed: false };
  }
  const program = seccompProgram();
  const cmd = jailCommand(support, { reads: jailReads(request.readPaths ?? []), cpuSeconds: request.cpuSeconds }, nodeArgs, program !== undefined);
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
