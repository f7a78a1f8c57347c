import { spawn, type ChildProcess, type SpawnOptions, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from './measure.js';

/**
 * Kernel-enforced limits for a sandbox, from control groups where this host may create them: a memory
 * ceiling the sandbox's processes cannot pass (the kernel stops them at it, between two of the host's
 * measurements as well as at them), no swap to hide in, and a cap on processes and threads. cgroup v2
 * is used where its memory controller is available to this process's cgroup; else cgroup v1's memory
 * and pids hierarchies (hosts still on the hybrid layout). Nothing here trusts the sandbox: the host
 * creates the group, moves the sandbox's first process into it before that process runs anything
 * (see jail.ts), and reads the kernel's counters after the fact.
 */
export type CgroupSupport = { ok: true; version: 1 | 2; memoryParent: string; pidsParent?: string } | { ok: false; reason: string };

export interface SandboxCgroup {
  /** The cgroup.procs files the sandbox's first process is written to (one per hierarchy). */
  procs: string[];
  memoryBytes: number;
  pidsMax: number;
  /** Whether the kernel killed a process of the group at the memory ceiling. */
  oomKilled(): boolean;
  /** The group's peak memory as the kernel counted it (page cache included), where the kernel says. */
  peakBytes(): number | undefined;
  /** Removes the group (once its processes are gone; a group that still has some is left, and swept later). */
  remove(): void;
}

let detected: CgroupSupport | undefined;

/** Whether sandboxes get cgroup limits on this machine, and why not: detected once per process (a trial group). */
export function detectCgroup(): CgroupSupport {
  detected ??= probe();
  return detected;
}

interface Mount {
  point: string;
  fstype: string;
  options: string[];
}

function mounts(): Mount[] {
  const list: Mount[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    // id parent major:minor root point options [optional fields] - fstype source superoptions
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const point = left.split(' ')[4];
    const [fstype, , superOptions] = right.split(' ');
    if (point && fstype) list.push({ point: point.replace(/\\040/g, ' '), fstype, options: (superOptions ?? '').split(',') });
  }
  return list;
}

/** This process's cgroup path per hierarchy: "" for v2's unified one, else the v1 controller names. */
function ownGroups(): Map<string, string> {
  const groups = new Map<string, string>();
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    // hierarchy-id:controllers:path (the path itself may hold colons)
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const controllers = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (controllers === '') groups.set('', path);
    else for (const c of controllers.split(',')) groups.set(c.replace(/^name=/, ''), path);
  }
  return groups;
}

function probe(): CgroupSupport {
  if (process.platform !== 'linux') return { ok: false, reason: 'cgroups exist on Linux only' };
  let all: Mount[];
  let own: Map<string, string>;
  try {
    all = mounts();
    own = ownGroups();
  } catch {
    return { ok: false, reason: 'no /proc/self/mountinfo or /proc/self/cgroup' };
  }
  const v2 = all.find((m) => m.fstype === 'cgroup2');
  const reasons: string[] = [];
  if (v2 && own.has('')) {
    const parent = join(v2.point, own.get('')!);
    const why = trial(parent, 'memory.max');
    if (!why) return { ok: true, version: 2, memoryParent: parent };
    reasons.push(`cgroup v2: ${why}`);
  }
  const memory = all.find((m) => m.fstype === 'cgroup' && m.options.includes('memory'));
  if (memory && own.has('memory')) {
    const parent = join(memory.point, own.get('memory')!);
    const why = trial(parent, 'memory.limit_in_bytes');
    if (!why) {
      const pids = all.find((m) => m.fstype === 'cgroup' && m.options.includes('pids'));
      const pidsParent = pids && own.has('pids') ? join(pids.point, own.get('pids')!) : undefined;
      return { ok: true, version: 1, memoryParent: parent, ...(pidsParent && !trial(pidsParent, 'pids.max') ? { pidsParent } : {}) };
    }
    reasons.push(`cgroup v1: ${why}`);
  }
  return { ok: false, reason: reasons.join('; ') || 'no cgroup memory controller is mounted' };
}

/** Creates and removes one group under parent: undefined when that works and the group has the file. */
function trial(parent: string, file: string): string | undefined {
  const dir = join(parent, `miniapp-trial-${process.pid}`);
  try {
    mkdirSync(dir);
  } catch (err) {
    return `cannot create a group under ${parent} (${(err as NodeJS.ErrnoException).code ?? 'error'}: no delegated subtree for this user)`;
  }
  try {
    return existsSync(join(dir, file)) ? undefined : `the memory controller is not enabled for ${parent}`;
  } finally {
    try {
      rmdirSync(dir);
    } catch {
      // swept with the others later
    }
  }
}

let serial = 0;
const swept = new Set<string>();

/**
 * Groups left by host processes that are gone (a crash, a SIGKILL), once per process. A jail can outlive
 * its host: bwrap's die-with-parent does not hold once it has switched users (seen on these machines),
 * so the processes still in such a group are killed (they are sandboxes this host's user started, in a
 * group no live host owns), then the group is removed, or on the next sweep once they are gone.
 */
function sweep(parent: string): void {
  if (swept.has(parent)) return;
  swept.add(parent);
  try {
    for (const name of readdirSync(parent)) {
      const m = /^miniapp-(?:trial-)?(\d+)(?:-\d+)?$/.exec(name);
      if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
      const dir = join(parent, name);
      try {
        rmdirSync(dir);
      } catch {
        let pids: string[] = [];
        try {
          pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
        } catch {
          // not a group of ours after all
        }
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }
  } catch {
    // unreadable: nothing to sweep
  }
}

/**
 * A new group for one sandbox with its memory ceiling (no swap beyond it) and process cap, or undefined
 * where the machine has none or creating it fails (the reason is the one detectCgroup gives).
 */
export function createSandboxCgroup(memoryBytes: number, pidsMax: number): SandboxCgroup | undefined {
  const support = detectCgroup();
  if (!support.ok) return undefined;
  const name = `miniapp-${process.pid}-${++serial}`;
  const memDir = join(support.memoryParent, name);
  const pidsDir = support.version === 1 && support.pidsParent ? join(support.pidsParent, name) : undefined;
  const made: string[] = [];
  const remove = () => {
    for (const dir of [...made].reverse()) {
      try {
        rmdirSync(dir);
        made.splice(made.indexOf(dir), 1);
      } catch {
        // processes left (they are being killed): tried again, else swept by a later host process
      }
    }
  };
  try {
    sweep(support.memoryParent);
    if (support.version === 1 && support.pidsParent) sweep(support.pidsParent);
    mkdirSync(memDir);
    made.push(memDir);
    if (support.version === 2) {
      writeFileSync(join(memDir, 'memory.max'), String(memoryBytes));
      if (existsSync(join(memDir, 'memory.swap.max'))) writeFileSync(join(memDir, 'memory.swap.max'), '0');
      if (existsSync(join(memDir, 'pids.max'))) writeFileSync(join(memDir, 'pids.max'), String(pidsMax));
    } else {
      writeFileSync(join(memDir, 'memory.limit_in_bytes'), String(memoryBytes));
      // memory + swap: the same figure, so nothing is swapped out to pass the ceiling (absent without swap accounting).
      if (existsSync(join(memDir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(memDir, 'memory.memsw.limit_in_bytes'), String(memoryBytes));
      if (pidsDir) {
        mkdirSync(pidsDir);
        made.push(pidsDir);
        writeFileSync(join(pidsDir, 'pids.max'), String(pidsMax));
      }
    }
  } catch {
    remove();
    return undefined;
  }
  const read = (file: string) => {
    try {
      return readFileSync(join(memDir, file), 'utf8');
    } catch {
      return undefined;
    }
  };
  return {
    procs: [join(memDir, 'cgroup.procs'), ...(pidsDir ? [join(pidsDir, 'cgroup.procs')] : [])],
    memoryBytes,
    pidsMax,
    oomKilled() {
      const events = read(support.version === 2 ? 'memory.events' : 'memory.oom_control') ?? '';
      return Number(/oom_kill (\d+)/.exec(events)?.[1] ?? 0) > 0;
    },
    peakBytes() {
      const peak = read(support.version === 2 ? 'memory.peak' : 'memory.max_usage_in_bytes');
      return peak === undefined ? undefined : Number(peak.trim());
    },
    remove,
  };
}

/**
 * Spawns the sandbox's first process inside its cgroup before it runs anything: a shell that waits for
 * one line on its stdin, written once the host has put the shell's pid in the group, then execs the
 * real command (prlimit, bwrap, node) with stdin closed. Everything the sandbox starts inherits the group.
 * The host moves the process itself, so this works for a host that drops the jail to another user.
 */
export function spawnInCgroup(cgroup: SandboxCgroup | undefined, file: string, args: string[], options: SpawnOptions): ChildProcess {
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

/** The group goes with its processes: now, or once a jailed process bwrap left behind is gone. */
export function releaseCgroup(cgroup: SandboxCgroup | undefined): void {
  if (!cgroup) return;
  cgroup.remove();
  setTimeout(() => cgroup.remove(), 500).unref();
}
