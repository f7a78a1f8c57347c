import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, type Dirent, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { detectCgroup } from './cgroup.js';
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

/** Whether this machine can run sandboxes in the OS jail: detected once per process (see trialJail). */
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
  const refused = trialJail(bwrap);
  if (refused) return { ok: false, bwrap, reason: `bubblewrap cannot create namespaces here (${refused}): user namespaces are probably disabled`, missing: [] };
  const missing: string[] = [];
  if (!seccompSupported()) missing.push(`seccomp (no filter for ${process.arch})`);
  // cgroup limits need a subtree this user may create groups in, with the memory controller; the
  // per-process rlimits and the host's own measurements apply either way.
  const cgroup = detectCgroup();
  if (!cgroup.ok) missing.push(`cgroup limits (${cgroup.reason})`);
  const prlimit = findOnPath('prlimit');
  if (!prlimit) missing.push('rlimits (util-linux prlimit not found)');
  return { ok: true, bwrap, prlimit, missing };
}

/**
 * One trial jail running `true`: bwrap present is not enough, user namespaces may be off. It costs
 * 15-30 ms of every process that starts a sandbox, on the path to the app's first frame, so its answer
 * is remembered in the user's cache directory for as long as nothing it depends on changes: the boot
 * (the kernel and its settings), the user, the bwrap binary and the namespace sysctls. A stale or
 * forged entry fails safe: a "yes" the kernel no longer honours makes the sandbox's start fail with a
 * coded error; a "no" only weakens isolation where the user's own cache says so. Returns why the trial
 * failed, or undefined when jails work.
 */
function trialJail(bwrap: string): string | undefined {
  const key = trialKey(bwrap);
  const file = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'miniapp', 'jail-probe.json');
  if (key) {
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; refused?: string | null };
      if (saved.key === key) return saved.refused ?? undefined;
    } catch {
      // no cache yet, or unreadable: run the trial
    }
  }
  const trial = spawnSync(bwrap, ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', '--', findOnPath('true') ?? '/bin/true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  const refused =
    trial.status === 0
      ? undefined
      : String(trial.stderr ?? trial.error?.message ?? '')
          .trim()
          .split('\n')
          .pop() || `exit ${trial.status}`;
  if (key) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ key, refused: refused ?? null }));
      renameSync(tmp, file);
    } catch {
      // a read-only home: the trial runs again next time
    }
  }
  return refused;
}

/** What the trial's answer depends on, or undefined where it cannot be told (no boot id): then no cache. */
function trialKey(bwrap: string): string | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return '-';
    }
  };
  const boot = read('/proc/sys/kernel/random/boot_id');
  if (boot === '-') return undefined;
  try {
    const b = statSync(bwrap);
    const sysctls = ['/proc/sys/user/max_user_namespaces', '/proc/sys/kernel/unprivileged_userns_clone', '/proc/sys/kernel/apparmor_restrict_unprivileged_userns'].map(read);
    return [boot, process.getuid?.(), bwrap, b.ino, b.size, b.mtimeMs, ...sysctls].join('|');
  } catch {
    return undefined;
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

/**
 * The files the node binary needs to start: itself, its ELF interpreter (at the path the binary names)
 * and the shared libraries this very process has mapped (/proc/self/maps: the host runs the same
 * binary, so no ldd run is needed). Only system library files are taken from the maps. Once per process.
 */
let libs: string[] | undefined;
function nodeLibraries(): string[] {
  if (libs) return libs;
  const found = new Set<string>();
  const interp = elfInterpreter(process.execPath);
  if (interp) {
    found.add(interp);
    try {
      found.add(realpathSync(interp));
    } catch {
      // the jail's start reports a missing interpreter
    }
  }
  try {
    for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
      const path = line.slice(line.indexOf('/')).trim();
      if (line.includes('/') && /^\/(usr\/)?lib(32|64|x32)?\//.test(path) && /\.so(\.|$)/.test(path)) found.add(path);
    }
  } catch {
    // not Linux /proc: detectJail already said no
  }
  // The maps hold real file names (libstdc++.so.6.0.30); the loader opens the soname links beside them.
  // One listing per directory (most libraries share /usr/lib/<arch>, a directory of thousands of entries).
  const listings = new Map<string, Dirent[]>();
  const list = (dir: string) => {
    let entries = listings.get(dir);
    if (!entries) listings.set(dir, (entries = readdirSync(dir, { withFileTypes: true })));
    return entries;
  };
  for (const lib of [...found]) {
    const dir = dirname(lib);
    const stem = basename(lib).replace(/\.so(\..*)?$/, '.so');
    for (const entry of list(dir)) {
      if (!entry.isSymbolicLink() || !entry.name.startsWith(stem)) continue;
      const link = join(dir, entry.name);
      try {
        if (found.has(realpathSync(link))) found.add(link);
      } catch {
        // a dangling link
      }
    }
  }
  libs = [...found];
  return libs;
}

/** PT_INTERP of a 64-bit little-endian ELF file: the dynamic loader it names (/lib64/ld-linux-x86-64.so.2). */
function elfInterpreter(file: string): string | undefined {
  try {
    const head = Buffer.alloc(64 * 1024);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return undefined;
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    for (let i = 0; i < phnum; i++) {
      const at = phoff + i * phentsize;
      if (head.readUInt32LE(at) !== 3) continue;
      const offset = Number(head.readBigUInt64LE(at + 8));
      const size = Number(head.readBigUInt64LE(at + 32));
      return head
        .subarray(offset, offset + size)
        .toString('latin1')
        .replace(/\0+$/, '');
    }
  } catch {
    // unreadable or not ELF
  }
  return undefined;
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
    '--chdir',
    '/',
    '--unsetenv',
    'PWD',
    '--uid',
    String(NOBODY),
    '--gid',
    String(NOBODY),
    '--cap-drop',
    'ALL',
    '--hostname',
    'miniapp-sandbox',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(spec.tmpBytes ?? 16 * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    '--info-fd',
    '4',
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
