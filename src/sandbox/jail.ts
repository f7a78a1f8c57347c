import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { seccompSupported } from './seccomp.js';

/**
 * The isolation a sandbox runs under, strongest first:
 * - `os-sandbox`: a Node process inside a bubblewrap jail (own user, PID, network, mount, IPC, UTS and
 *   cgroup namespaces, no capabilities, no new privileges, seccomp, rlimits) plus the JS layers.
 * - `process`: a Node process with the permission model and the JS layers, as the user: a guest that
 *   reaches `process` has the user's network and can signal the user's processes.
 * - `in-process`: the app runs in the caller's process, with the caller's rights (own code only).
 */
export type IsolationLevel = 'os-sandbox' | 'process' | 'in-process';

export interface Isolation {
  level: IsolationLevel;
  /** Why a stronger level was not used (absent for os-sandbox with every layer). */
  reason?: string;
  /** Layers of the OS sandbox that are missing on this machine (seccomp, cgroup), said in reports. */
  missing?: string[];
}

export interface JailSupport {
  ok: boolean;
  bwrap?: string;
  prlimit?: string;
  reason?: string;
  missing: string[];
}

/** Setting this (tests, or to see what users on other platforms get) makes detection report bwrap missing. */
export const NO_OS_SANDBOX_ENV = 'MINIAPP_NO_OS_SANDBOX';

const findOnPath = (name: string): string | undefined => {
  for (const dir of (process.env.PATH || '/usr/local/bin:/usr/bin:/bin').split(':')) {
    const p = `${dir || '.'}/${name}`;
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
};

let cached: JailSupport | undefined;

/** Whether this machine can run sandboxes in the OS jail: detected once per process (one ~5 ms trial). */
export function detectJail(): JailSupport {
  if (process.env[NO_OS_SANDBOX_ENV]) return { ok: false, reason: `${NO_OS_SANDBOX_ENV} is set (bubblewrap treated as missing)`, missing: [] };
  if (cached) return cached;
  cached = probe();
  return cached;
}

function probe(): JailSupport {
  if (process.platform !== 'linux') return { ok: false, reason: `the OS sandbox (bubblewrap) exists on Linux only; this is ${process.platform}`, missing: [] };
  const bwrap = findOnPath('bwrap');
  if (!bwrap) return { ok: false, reason: 'bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap)', missing: [] };
  const trial = spawnSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--', process.execPath, '-e', '0'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  if (trial.status !== 0) {
    const why = String(trial.stderr ?? trial.error?.message ?? '').trim().split('\n').pop() || `exit ${trial.status}`;
    return { ok: false, bwrap, reason: `bubblewrap cannot create namespaces here (${why}): user namespaces are probably disabled`, missing: [] };
  }
  const missing: string[] = [];
  if (!seccompSupported()) missing.push(`seccomp (no filter for ${process.arch})`);
  // cgroup v2 limits need a delegated subtree with the memory controller; the per-process rlimits and the
  // host's own measurements apply either way.
  missing.push(cgroupNote());
  const prlimit = findOnPath('prlimit');
  if (!prlimit) missing.push('rlimits (util-linux prlimit not found)');
  return { ok: true, bwrap, prlimit, missing };
}

function cgroupNote(): string {
  try {
    const controllers = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup/cgroup.controllers' : '/sys/fs/cgroup/unified/cgroup.controllers';
    const list = spawnSync('cat', [controllers], { encoding: 'utf8' }).stdout?.trim();
    return list?.includes('memory') ? 'cgroup limits (not used: no delegated cgroup v2 subtree for the host)' : 'cgroup limits (cgroup v2 has no memory controller here)';
  } catch {
    return 'cgroup limits (no cgroup v2)';
  }
}

/** The isolation a new sandbox process gets on this machine, with the reason when it is not the OS jail. */
export function sandboxIsolation(): Isolation {
  const j = detectJail();
  if (j.ok) return { level: 'os-sandbox', ...(j.missing.length ? { missing: j.missing } : {}) };
  return { level: 'process', reason: j.reason };
}

/** Paths a jail must see: each is bound read-only at the same absolute path. */
export interface JailSpec {
  /** Files and directories (a directory may end with '/*', as for the permission model). */
  reads: string[];
  cpuSeconds: number;
  /** Bytes of the jail's /tmp (a tmpfs, also bounded by RLIMIT_FSIZE per file). */
  tmpBytes?: number;
}

/** The dynamic libraries the node binary loads (ldd), bound read-only; once per process. */
let libs: string[] | undefined;
function nodeLibraries(): string[] {
  if (libs) return libs;
  const out = spawnSync('ldd', [process.execPath], { encoding: 'utf8' }).stdout ?? '';
  const found = new Set<string>();
  for (const m of out.matchAll(/(?:=>\s*)?(\/[^\s]+)\s+\(0x/g)) {
    found.add(m[1]!);
    try {
      found.add(realpathSync(m[1]!));
    } catch {
      // a vanished library fails the jail's start, which reports it
    }
  }
  libs = [...found];
  return libs;
}

const readableByOthers = (path: string): boolean => {
  try {
    for (let p = path; ; p = dirname(p)) {
      const s = statSync(p);
      if (!(s.mode & (s.isDirectory() ? 0o001 : 0o004))) return false;
      if (dirname(p) === p) return true;
    }
  } catch {
    return false;
  }
};

const NOBODY = 65534;

/**
 * The command that starts `node <args>` inside the jail: prlimit (rlimits), then bwrap. The process gets
 * fd 3 (its channel) untouched; bwrap writes the child's host pid to fd 4 (--info-fd) and reads the
 * seccomp program from fd 5. When the host runs as root, bwrap itself runs as nobody whenever every
 * bound path is world-readable, so the guest's uid maps to an unprivileged host user; otherwise the
 * guest's uid 65534 maps to root's, with no capabilities.
 */
export function jailCommand(support: JailSupport, spec: JailSpec, nodeArgs: string[], seccomp: boolean): { file: string; args: string[]; uid?: number; gid?: number } {
  const binds = new Set<string>([process.execPath, ...nodeLibraries()]);
  for (const r of spec.reads) binds.add(r.endsWith('/*') ? r.slice(0, -2) : r);
  const bwrapArgs = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--as-pid-1',
    '--clearenv',
    '--chdir', '/',
    '--unsetenv', 'PWD',
    '--uid', String(NOBODY),
    '--gid', String(NOBODY),
    '--cap-drop', 'ALL',
    '--hostname', 'miniapp-sandbox',
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(spec.tmpBytes ?? 16 * 1024 * 1024), '--tmpfs', '/tmp',
    '--info-fd', '4',
    ...(seccomp ? ['--seccomp', '5'] : []),
  ];
  for (const b of [...binds].sort()) if (existsSync(b)) bwrapArgs.push('--ro-bind', b, b);
  bwrapArgs.push('--', process.execPath, ...nodeArgs);
  const dropToNobody = process.getuid?.() === 0 && [...binds].every(readableByOthers);
  const ids = dropToNobody ? { uid: NOBODY, gid: NOBODY } : {};
  if (!support.prlimit) return { file: support.bwrap!, args: bwrapArgs, ...ids };
  const cpu = Math.max(1, Math.ceil(spec.cpuSeconds));
  const limits = [`--cpu=${cpu}:${cpu + 1}`, '--core=0', `--fsize=${spec.tmpBytes ?? 16 * 1024 * 1024}`, '--nofile=1024', '--nproc=4096'];
  return { file: support.prlimit, args: [...limits, '--', support.bwrap!, ...bwrapArgs], ...ids };
}
