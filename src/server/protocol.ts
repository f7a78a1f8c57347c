/**
 * The dev server's wire protocol (docs/dev-server-protocol.md is its reference for host teams). One
 * union per direction, keyed on `type`; every payload is plain JSON (strings stripped of ANSI colour),
 * so a debug host can implement the client side in any language. This file imports nothing: the browser
 * client (src/server/client/client.ts) is bundled with it, so both sides share these types and constants.
 */

/** Bumped when a message changes incompatibly; a client refuses a hello with a version it does not know. */
export const PROTOCOL_VERSION = 1;

/** The WebSocket endpoint; the upgrade needs `?token=<per-process token>` and a same-origin (or no) Origin. */
export const WS_PATH = '/__miniapp/ws';
/** Everything the dev server itself serves lives under this prefix (simulator, client script, reload). */
export const DEV_PREFIX = '/__miniapp/';
/** The path a host opens an app at: the root of the app's origin, which serves the manifest's entryPoint. */
export const LAUNCH_PATH = '/';
/** Where the sessionStorage of a reloaded page keeps the id of the reload that loaded it. */
export const ACK_STORAGE_KEY = '__miniapp_reload_id';

/**
 * Who is at the other end of a connection (`?role=` on the WebSocket URL, default `page`). Pages (a
 * browser tab, the simulator's device frame, a device's debug host) are told to reload and are counted
 * when they acknowledge; the simulator's own window only watches (inspector, status) and is never waited for.
 */
export type ClientRole = 'page' | 'simulator';
export const CLIENT_ROLES: readonly ClientRole[] = ['page', 'simulator'];

/** The limits the server applies to what a client sends and to what it buffers for a client. */
export const LIMITS = {
  /** One WebSocket frame; a larger one closes the connection with 1009 (message too big). */
  maxFrameBytes: 1024 * 1024,
  /** Nesting of arrays and objects in one message (the envelope included); deeper messages are dropped. */
  maxDepth: 32,
  /** Values (objects, arrays, strings, numbers...) in one message's params, result or error. */
  maxValues: 10_000,
  /** One string inside params or result; longer ones are cut (and end with "…"). */
  maxStringLength: 16 * 1024,
  /** Messages one client may send per second; more are ignored (a page in an error loop, or a hostile one). */
  maxMessagesPerSecond: 200,
  /** Bytes one client may send per second; more are ignored. */
  maxBytesPerSecond: 8 * 1024 * 1024,
  /**
   * Connected clients at once. One more takes the slot of the oldest client that has not spoken (sent
   * `hello` or any valid message) within `helloTimeoutMs`, which is closed with 1008; when there is none
   * it is refused with 503 (src/server/client-slots.ts).
   */
  maxClients: 64,
  /** How long a new connection may stay silent before its slot may be given to a newcomer when the server is full. */
  helloTimeoutMs: 3000,
  /** Bytes a client may owe (sent, not yet read) before relayed messages to it are dropped. */
  dropAboveBytes: 1024 * 1024,
  /** Bytes a client may owe before it is disconnected (it reconnects, and then reloads if its build is old). */
  disconnectAboveBytes: 8 * 1024 * 1024,
} as const;

/** What the simulator page is given (`window.__MINIAPP_SIMULATOR__`, injected by the server). */
export interface SimulatorConfig {
  /** The per-process token for the WebSocket. */
  token: string;
  protocol: number;
  wsPath: string;
  launchPath: string;
  /** The manifest being served, if a build succeeded. */
  app?: { id: string; version: string; name?: string; entryPoint: string; permissions: string[] };
}

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

/** An error the app did not catch (`window` "error") or a promise rejection nobody handled. */
export interface RuntimeErrorRecord {
  kind: 'error' | 'unhandledrejection';
  message: string;
  stack?: string;
  /** The script URL, when the browser knows it. */
  source?: string;
  line?: number;
  column?: number;
  /** ISO 8601. */
  at: string;
}

/** What the server sends. */
export type DevServerMessage =
  /**
   * First message on every connection. `session` changes when the server restarts (clients then reload);
   * `build.hash` is the build being served: a page running another build reloads.
   */
  | { type: 'hello'; protocol: number; session: string; clientId: string; app?: { id: string; version: string }; build: { ok: boolean; hash?: string } }
  /** A rebuild started (files changed, or a manual reload was asked for). */
  | { type: 'building'; changed: string[] }
  /** A rebuild finished and its output is being served: reload now, then acknowledge with `ack`. */
  | { type: 'reload'; id: number; hash: string; reason: 'change' | 'manual'; changed: string[]; durationMs: number }
  /** The last rebuild failed. `served` tells whether an earlier good build is still served. `errors[0]` is repeated at the top level. */
  | ({ type: 'error'; errors: ErrorPayload[]; served: boolean } & ErrorPayload)
  /** manifest.json is invalid; `served` as for `error`. */
  | { type: 'manifest-invalid'; file: string; errors: ErrorPayload[]; served: boolean }
  /** A bridge call made by another client (the inspector shows calls from every connected page). */
  | { type: 'bridge-call'; source: string; call: BridgeCallRecord }
  /** An uncaught error or unhandled rejection in another client's page (the simulator shows them). */
  | { type: 'runtime-error'; source: string; error: RuntimeErrorRecord };

/** What a client sends. */
export type DevClientMessage =
  /**
   * Sent by the client as soon as the socket opens, before anything else: a client that has spoken keeps
   * its slot when the server is full (`protocol` is the version the client speaks).
   */
  | { type: 'hello'; protocol: number }
  /** This page was loaded by the reload with this id and runs the build `hash` (sent right after `hello`). */
  | { type: 'ack'; id: number; hash?: string }
  /** A bridge call this page made, for the inspector and the terminal. */
  | { type: 'bridge-call'; call: BridgeCallRecord }
  /** An error the page's code did not catch, for the simulator and the terminal. */
  | { type: 'runtime-error'; error: RuntimeErrorRecord };

export type DevServerMessageOf<T extends DevServerMessage['type']> = Extract<DevServerMessage, { type: T }>;

// eslint-disable-next-line no-control-regex
const ANSI = /[\u001b\u009b][[\]()#;?]*(?:\d{1,4}(?:;\d{0,4})*)?[0-9A-ORZcf-nqry=><~]/g;

/** Removes terminal colour and cursor codes: the browser shows text, not escape sequences. */
export const stripAnsi = (s: string) => s.replace(ANSI, '');
