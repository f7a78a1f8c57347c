/**
 * The sandbox's seccomp filter, as the classic BPF program bubblewrap loads with `--seccomp FD`.
 *
 * A denylist, not an allowlist: Node and V8 use a wide and changing set of system calls, and the other
 * layers (namespaces, no capabilities, no new privileges) already hold the boundary; this filter takes
 * away the kernel interfaces a compromised sandbox would use to attack the kernel or the namespaces
 * themselves (ptrace and process_vm_*, mounts, new namespaces, bpf, perf, keyrings, io_uring, module
 * and kexec loading). No libseccomp is needed: the program is a dozen instruction kinds, written here.
 * Architectures other than x86-64 and arm64 get no filter (detectJail reports it).
 */

// struct seccomp_data { int nr; u32 arch; u64 instruction_pointer; u64 args[6]; }
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
const OFFSET_ARG0_LOW = 16; // little-endian: the low 32 bits of args[0]

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_JGE_K = 0x35;
const BPF_JSET_K = 0x45;
const BPF_RET_K = 0x06;

const RET_ALLOW = 0x7fff0000;
const RET_ERRNO = 0x00050000;
const EPERM = 1;
const ENOSYS = 38;

// Namespace flags of clone(2): a new namespace of any kind is refused.
const CLONE_NEW_ANY = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

const DENIED_NAMES = [
  'ptrace',
  'process_vm_readv',
  'process_vm_writev',
  'kcmp',
  'pidfd_getfd',
  'kexec_load',
  'kexec_file_load',
  'init_module',
  'finit_module',
  'delete_module',
  'mount',
  'umount2',
  'pivot_root',
  'chroot',
  'open_tree',
  'move_mount',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
  'mount_setattr',
  'unshare',
  'setns',
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'personality',
  'keyctl',
  'add_key',
  'request_key',
  'io_uring_setup',
  'io_uring_enter',
  'io_uring_register',
  'open_by_handle_at',
  'name_to_handle_at',
  'swapon',
  'swapoff',
  'reboot',
  'acct',
  'quotactl',
  'settimeofday',
  'clock_settime',
  'clock_adjtime',
  'adjtimex',
  'syslog',
  'vhangup',
  'fanotify_init',
] as const;

type Name = (typeof DENIED_NAMES)[number] | 'clone' | 'clone3';

interface ArchTable {
  audit: number;
  /** System call numbers at or above this belong to another ABI on the same architecture (x32). */
  abiLimit?: number;
  nr: Record<Name, number | undefined>;
}

const X64: ArchTable = {
  audit: 0xc000003e,
  abiLimit: 0x40000000,
  nr: {
    ptrace: 101,
    process_vm_readv: 310,
    process_vm_writev: 311,
    kcmp: 312,
    pidfd_getfd: 438,
    kexec_load: 246,
    kexec_file_load: 320,
    init_module: 175,
    finit_module: 313,
    delete_module: 176,
    mount: 165,
    umount2: 166,
    pivot_root: 155,
    chroot: 161,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    unshare: 272,
    setns: 308,
    bpf: 321,
    perf_event_open: 298,
    userfaultfd: 323,
    personality: 135,
    keyctl: 250,
    add_key: 248,
    request_key: 249,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_by_handle_at: 304,
    name_to_handle_at: 303,
    swapon: 167,
    swapoff: 168,
    reboot: 169,
    acct: 163,
    quotactl: 179,
    settimeofday: 164,
    clock_settime: 227,
    clock_adjtime: 305,
    adjtimex: 159,
    syslog: 103,
    vhangup: 153,
    fanotify_init: 300,
    clone: 56,
    clone3: 435,
  },
};

const ARM64: ArchTable = {
  audit: 0xc00000b7,
  nr: {
    ptrace: 117,
    process_vm_readv: 270,
    process_vm_writev: 271,
    kcmp: 272,
    pidfd_getfd: 438,
    kexec_load: 104,
    kexec_file_load: 294,
    init_module: 105,
    finit_module: 273,
    delete_module: 106,
    mount: 40,
    umount2: 39,
    pivot_root: 41,
    chroot: 51,
    open_tree: 428,
    move_mount: 429,
    fsopen: 430,
    fsconfig: 431,
    fsmount: 432,
    fspick: 433,
    mount_setattr: 442,
    unshare: 97,
    setns: 268,
    bpf: 280,
    perf_event_open: 241,
    userfaultfd: 282,
    personality: 92,
    keyctl: 219,
    add_key: 217,
    request_key: 218,
    io_uring_setup: 425,
    io_uring_enter: 426,
    io_uring_register: 427,
    open_by_handle_at: 265,
    name_to_handle_at: 264,
    swapon: 224,
    swapoff: 225,
    reboot: 142,
    acct: 89,
    quotactl: 60,
    settimeofday: 170,
    clock_settime: 112,
    clock_adjtime: 266,
    adjtimex: 171,
    syslog: 116,
    vhangup: 58,
    fanotify_init: 262,
    clone: 220,
    clone3: 435,
  },
};

const TABLES: Partial<Record<string, ArchTable>> = { x64: X64, arm64: ARM64 };

/** Whether this architecture has a filter (process.arch names). */
export const seccompSupported = (arch: string = process.arch) => TABLES[arch] !== undefined;

type Insn = { code: number; jt: number | string; jf: number | string; k: number };

/**
 * The filter for this architecture as bytes of `struct sock_filter[]` (u16 code, u8 jt, u8 jf, u32 k),
 * or undefined where there is none. Jumps name their targets (labels) and are resolved at the end.
 */
export function seccompProgram(arch: string = process.arch): Buffer | undefined {
  const table = TABLES[arch];
  if (!table) return undefined;
  const p: Insn[] = [];
  const ld = (k: number) => p.push({ code: BPF_LD_W_ABS, jt: 0, jf: 0, k });
  const jump = (code: number, k: number, jt: number | string, jf: number | string) => p.push({ code, jt, jf, k });
  const labels: Record<string, number> = {};
  const label = (name: string) => (labels[name] = p.length);
  const ret = (k: number) => p.push({ code: BPF_RET_K, jt: 0, jf: 0, k });

  ld(OFFSET_ARCH);
  jump(BPF_JEQ_K, table.audit, 0, 'deny');
  ld(OFFSET_NR);
  if (table.abiLimit !== undefined) jump(BPF_JGE_K, table.abiLimit, 'deny', 0);
  for (const name of DENIED_NAMES) {
    const nr = table.nr[name];
    if (nr !== undefined) jump(BPF_JEQ_K, nr, 'deny', 0);
  }
  // clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back to
  // clone, whose flags it can.
  jump(BPF_JEQ_K, table.nr.clone3!, 'nosys', 0);
  jump(BPF_JEQ_K, table.nr.clone!, 0, 'allow');
  ld(OFFSET_ARG0_LOW);
  jump(BPF_JSET_K, CLONE_NEW_ANY, 'deny', 'allow');
  label('allow');
  ret(RET_ALLOW);
  label('deny');
  ret(RET_ERRNO | EPERM);
  label('nosys');
  ret(RET_ERRNO | ENOSYS);

  const out = Buffer.alloc(p.length * 8);
  p.forEach((insn, i) => {
    const target = (j: number | string) => (typeof j === 'number' ? j : labels[j]! - i - 1);
    out.writeUInt16LE(insn.code, i * 8);
    out.writeUInt8(target(insn.jt), i * 8 + 2);
    out.writeUInt8(target(insn.jf), i * 8 + 3);
    out.writeUInt32LE(insn.k >>> 0, i * 8 + 4);
  });
  return out;
}
