import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import type { NetworkAuditEvent } from '../runtime/index.js';

/**
 * The host's audit log: every security-relevant event as one JSON line, `{ ts, run, seq, type, app?, ...fields }`.
 * AuditEvent is the one list of what may be recorded: a new event type is added here, with its fields.
 */
export type AuditEvent =
  | { type: 'host.start'; pid: number }
  | { type: 'host.stop' }
  | { type: 'install.step'; app?: string; source: string; step: string; status: 'passed' | 'failed' | 'skipped'; code?: string; message?: string; ms: number }
  | { type: 'install.verdict'; app?: string; version?: string; source: string; verdict: 'installed' | 'refused'; code?: string; keyId?: string; partner?: string }
  | { type: 'app.launch'; app: string; version: string; pid?: number; isolation?: string }
  | { type: 'app.stop'; app: string; reason: string; detail?: string }
  | { type: 'app.suspend' | 'app.resume'; app: string }
  | { type: 'app.reclaimed'; app: string; freedBytes: number; suspended: boolean }
  | { type: 'limit.violation'; app: string; reason: string; detail?: string }
  | { type: 'permission.granted'; app: string; method: string; permission: string }
  | { type: 'permission.denied'; app: string; method: string; permission?: string | null; code: string }
  | { type: 'storage.access'; app: string; method: string; ok: boolean; code?: string }
  | { type: 'token.issued'; app: string; scope: unknown; expiresAt: unknown }
  | { type: 'token.checked'; app: string; scope?: string; valid: boolean; reason?: string }
  | { type: 'escape.caught'; app: string; kind: string; message: string }
  | { type: 'message.allowed' | 'message.denied'; app: string; to: string }
  | { type: 'update.check'; app: string; status: string; installed?: string; available?: string; code?: string }
  | { type: 'update.staged'; app: string; version?: string }
  | { type: 'update.activated'; app: string; from?: string; to?: string }
  | { type: 'update.rolled-back'; app: string; from?: string; to?: string; reason: string }
  | (NetworkAuditEvent & { app: string });

export type AuditEventType = AuditEvent['type'];

/** An event as recorded and read back: its type, when, which run, and its fields as plain data. */
export interface AuditRecord {
  type: AuditEventType;
  app?: string;
  ts: string;
  run: string;
  seq: number;
  [field: string]: unknown;
}

export interface AuditLog {
  /** Appends one event; never throws (an audit failure must not become a guest-controlled crash). */
  record(event: AuditEvent): void;
  /** Events recorded in this run, in order (for reports and tests). */
  readonly events: readonly AuditRecord[];
  readonly file?: string;
  readonly run: string;
  close(): void;
}

export interface AuditOptions {
  /** A file to append to, or a directory in which this run gets its own file. Omit for memory only. */
  path?: string;
  now?: () => number;
  /** Keep at most this many events in memory (default 10,000); the file keeps all. */
  memoryLimit?: number;
  /** Called with each event as it is recorded (to forward it, or to watch for one); must not throw. */
  onRecord?: (event: AuditRecord) => void;
}

/**
 * Opens the audit log of one host run. Each line is written with a single write() to a descriptor
 * opened with O_APPEND (and O_NOFOLLOW, mode 0600), so lines from concurrent writers never interleave
 * and a crash loses at most the line being written. A directory gets one new file per run
 * (`audit-<time>-<run>.jsonl`); a file path is appended to, each run starting with a host.start line.
 */
export function openAuditLog(options: AuditOptions = {}): AuditLog {
  const now = options.now ?? Date.now;
  const run = randomUUID();
  const memoryLimit = options.memoryLimit ?? 10_000;
  const events: AuditRecord[] = [];
  let fd: number | undefined;
  let file: string | undefined;
  if (options.path) {
    file = options.path;
    let isDir = false;
    try {
      isDir = statSync(file).isDirectory();
    } catch {
      // a new file
    }
    if (isDir) {
      mkdirSync(file, { recursive: true, mode: 0o700 });
      file = join(file, `audit-${new Date(now()).toISOString().replace(/[:.]/g, '-')}-${run.slice(0, 8)}.jsonl`);
    }
    try {
      fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ELOOP' ? 'it is a symbolic link (ELOOP); the audit log never follows links' : (err as Error).message;
      throw new MiniappError('AUDIT_LOG_UNWRITABLE', { path: file, reason }, { cause: err });
    }
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new MiniappError('AUDIT_LOG_UNWRITABLE', { path: file, reason: 'it is not a regular file' });
    }
  }
  let seq = 0;
  const log: AuditLog = {
    record(event) {
      const line: AuditRecord = { ts: new Date(now()).toISOString(), run, seq: ++seq, ...event };
      events.push(line);
      if (events.length > memoryLimit) events.shift();
      try {
        options.onRecord?.(line);
      } catch {
        // a listener's failure is not the guest's doing and must not stop the host
      }
      if (fd === undefined) return;
      try {
        writeSync(fd, JSON.stringify(line) + '\n');
      } catch {
        // A full disk must not let a guest crash the host; the in-memory copy remains.
      }
    },
    events,
    file,
    run,
    close() {
      if (fd === undefined) return;
      log.record({ type: 'host.stop' });
      closeSync(fd);
      fd = undefined;
    },
  };
  log.record({ type: 'host.start', pid: process.pid });
  return log;
}
