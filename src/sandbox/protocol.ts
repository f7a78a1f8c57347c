/**
 * Messages between the host and a sandbox process (the child's bootstrap). Guest-runtime traffic is
 * carried opaquely in `message`; the rest is the sandbox's own control plane. Everything is plain
 * data (structured clone over the IPC channel): no function or host object ever crosses.
 */
export interface MemoryReport {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export type HostToSandbox = { type: 'init'; entry: string; init: unknown } | { type: 'ping'; seq: number } | { type: 'message'; data: unknown };

export type SandboxToHost =
  | { type: 'ready'; memory?: MemoryReport }
  | { type: 'pong'; seq: number; memory: MemoryReport; timers?: number }
  | { type: 'message'; data: unknown }
  | { type: 'fatal'; code: string; message: string }
  /** Guest code tried to reach a host-realm constructor (a constructor-chain escape), and was stopped. */
  | { type: 'escape'; what: string };

/** The guest-runtime side of a sandbox: what an entry module's `start(channel, init)` receives. */
export interface SandboxChannel {
  send(data: unknown): void;
  onMessage(listener: (data: unknown) => void): void;
  /** The message just sent is one the host answers at once (a bridge call): the sandbox may briefly wait for the answer instead of sleeping. */
  expectReply?(): void;
}

/** Why a sandbox stopped. Limit reasons are permanent codes shown in reports and the audit log. */
export type SandboxExitReason = 'EXITED' | 'STOPPED' | 'CRASHED' | 'CPU_LIMIT' | 'MEMORY_LIMIT' | 'MESSAGE_FLOOD' | 'TIMER_FLOOD';

/** The app a sandbox is given, as the first message on its channel (plain data: files as base64). */
/**
 * The app a sandbox runs: sent as soon as the host has it (while the sandbox may still be booting), so
 * the package's bytes cross the pipe and are decoded off the path to the first frame. Nothing of it runs
 * before the host's SandboxLaunchMessage, sent once the sandbox reported ready: the host reads the
 * sandbox's baselines (memory, CPU) before any guest code exists.
 */
export interface SandboxAppMessage {
  type: 'app';
  origin: string;
  entryPoint: string;
  hostVersion: string;
  methods: string[];
  files: Record<string, string>;
}

/** Starts the app sent in the SandboxAppMessage. */
export interface SandboxLaunchMessage {
  type: 'launch';
}
