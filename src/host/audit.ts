import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MiniappError } from '../core/errors/index.js';

/**
 * The host's audit log: every security-relevant event as one JSON line. Events are plain data:
 *   { ts, run, seq, type, app?, ...fields }
 * Types used by the host: host.start, host.stop, install.step, install.verdict, app.launch, app.stop,
 * permission.granted, permission.denied, storage.access, network.allowed, network.blocked,
 * token.issued, token.checked, limit.violation, escape.caught, message.allowed, message.denied,
 * update.check, update.staged, update.activated, update.rolled-back.
 */
export interface AuditEvent {
  type: string;
  app?: string;
  [field: string]: unknown;
}

export interface AuditLog {
  /** Appends one event; never throws (an audit failure must not become a guest-controlled crash). */
  record(event: AuditEvent): void;
  /** Events recorded in this run, in order (for reports and tests). */
  readonly events: readonly (AuditEvent & { ts: string; run: string; seq: number })[];
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
  onRecord?: (event: AuditEvent & { ts: string; run: string; seq: number }) => void;
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
  const events: (AuditEvent & { ts: string; run: string; seq: number })[] = [];
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
      const line = { ts: new Date(now()).toISOString(), run, seq: ++seq, ...event };
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
