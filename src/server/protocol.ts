/**
 * The dev server's wire protocol (docs/dev-server-protocol.md is its reference for host teams). One
 * union per direction, keyed on `type`; every payload is plain JSON (strings stripped of ANSI colour),
 * so a debug host can implement the client side in any language.
 */

/** Bumped when a message changes incompatibly; a client refuses a hello with a version it does not know. */
export const PROTOCOL_VERSION = 1;

/** The WebSocket endpoint; the upgrade needs `?token=<per-process token>` and a same-origin (or no) Origin. */
export const WS_PATH = '/__miniapp/ws';
/** Everything the dev server itself serves lives under this prefix (simulator, client script, reload). */
export const DEV_PREFIX = '/__miniapp/';

/** A build problem as the browser shows it: plain fields, no colour codes. */
export interface ErrorPayload {
  code: string;
  message: string;
  hint?: string;
  /** Project-relative path, forward slashes. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
  /** The offending source line with a caret under the column. */
  frame?: string;
}

/** One bridge call as the inspector lists it (and as a recording stores it). */
export interface BridgeCallRecord {
  /** Unique within its source. */
  id: string;
  method: string;
  params: unknown;
  outcome: 'ok' | 'error';
  result?: unknown;
  error?: { code: string; message: string; path?: string };
  latencyMs: number;
  /** ISO 8601 time the call was made. */
  startedAt: string;
}

/** What the server sends. */
export type DevServerMessage =
  /** First message on every connection. `session` changes when the server restarts (clients then reload). */
  | { type: 'hello'; protocol: number; session: string; clientId: string; app?: { id: string; version: string }; build: { ok: boolean; hash?: string } }
  /** A rebuild started (files changed, or a manual reload was asked for). */
  | { type: 'building'; changed: string[] }
  /** A rebuild finished and its output is being served: reload now, then acknowledge with `ack`. */
  | { type: 'reload'; id: number; hash: string; reason: 'change' | 'manual'; changed: string[]; durationMs: number }
  /** The last rebuild failed; the previous good build is still served. `errors[0]` is repeated at the top level. */
  | ({ type: 'error'; errors: ErrorPayload[] } & ErrorPayload)
  /** manifest.json is invalid; the previous good build is still served. */
  | { type: 'manifest-invalid'; file: string; errors: ErrorPayload[] }
  /** A bridge call made by another client (the inspector shows calls from every connected page). */
  | { type: 'bridge-call'; source: string; call: BridgeCallRecord };

/** What a client sends. */
export type DevClientMessage =
  /** This page was loaded by the reload with this id (sent right after `hello`). */
  | { type: 'ack'; id: number }
  /** A bridge call this page made, for the inspector and the terminal. */
  | { type: 'bridge-call'; call: BridgeCallRecord };

export type DevServerMessageOf<T extends DevServerMessage['type']> = Extract<DevServerMessage, { type: T }>;

// eslint-disable-next-line no-control-regex
const ANSI = /[\u001b\u009b][[\]()#;?]*(?:\d{1,4}(?:;\d{0,4})*)?[0-9A-ORZcf-nqry=><~]/g;

/** Removes terminal colour and cursor codes: the browser shows text, not escape sequences. */
export const stripAnsi = (s: string) => s.replace(ANSI, '');

const MAX_RECORD_JSON = 256 * 1024;

/**
 * Checks a message from a client (untrusted: any page that got the token could send anything).
 * Returns the message, or undefined when it is not one of ours.
 */
export function parseClientMessage(text: string): DevClientMessage | undefined {
  if (text.length > MAX_RECORD_JSON) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const m = value as Record<string, unknown>;
  if (m.type === 'ack' && Number.isSafeInteger(m.id)) return { type: 'ack', id: m.id as number };
  if (m.type === 'bridge-call' && m.call && typeof m.call === 'object') {
    const c = m.call as Record<string, unknown>;
    if (typeof c.method !== 'string' || c.method.length > 200) return undefined;
    const error = c.error && typeof c.error === 'object' ? (c.error as Record<string, unknown>) : undefined;
    return {
      type: 'bridge-call',
      call: {
        id: String(c.id ?? '').slice(0, 64),
        method: c.method,
        params: c.params,
        outcome: c.outcome === 'error' ? 'error' : 'ok',
        result: c.result,
        error: error ? { code: String(error.code ?? 'INTERNAL_ERROR'), message: String(error.message ?? ''), ...(typeof error.path === 'string' ? { path: error.path } : {}) } : undefined,
        latencyMs: typeof c.latencyMs === 'number' && Number.isFinite(c.latencyMs) ? c.latencyMs : 0,
        startedAt: typeof c.startedAt === 'string' ? c.startedAt.slice(0, 40) : new Date().toISOString(),
      },
    };
  }
  return undefined;
}
