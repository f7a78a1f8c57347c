import { LIMITS, type BridgeCallRecord, type DevClientMessage, type RuntimeErrorRecord } from './protocol.js';

/**
 * Checks a message from a client before anything else touches it. Clients are untrusted: any script in a
 * served page (an app's dependency included) has the token, and with `--host` so has the LAN. So the text
 * is measured for nesting before it is parsed, the parsed value is checked field by field against the
 * protocol's types, and what is kept of free-form fields (params, result) is a bounded copy: no later
 * JSON.stringify, log line or relay can meet a structure deeper or larger than LIMITS allows.
 */
export type ParsedClientMessage = { ok: true; message: DevClientMessage } | { ok: false; reason: string };

const fail = (reason: string): ParsedClientMessage => ({ ok: false, reason });

/** The deepest nesting of arrays and objects in JSON text, stopping early once over `max` (strings skipped). */
export function jsonDepth(text: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * A copy of a parsed JSON value with every string cut to `maxStringLength`, or undefined when it holds
 * more than `budget.left` values. Keys are defined, never assigned, so "__proto__" stays a plain key.
 */
function boundedCopy(value: unknown, budget: { left: number }, depth = 0): unknown {
  if (--budget.left < 0 || depth > LIMITS.maxDepth) throw new RangeError('too large');
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return value;
  if (typeof value === 'string') return cut(value, LIMITS.maxStringLength);
  if (Array.isArray(value)) return value.map((v) => boundedCopy(v, budget, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const v = boundedCopy((value as Record<string, unknown>)[key], budget, depth + 1);
      Object.defineProperty(out, cut(key, 256), { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' ? cut(v, max) : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

function parseBridgeCall(c: unknown): BridgeCallRecord | string {
  if (!isObject(c)) return 'call must be an object';
  if (typeof c.method !== 'string' || c.method.length === 0 || c.method.length > 200) return 'call.method must be a string of 1 to 200 characters';
  if (c.outcome !== 'ok' && c.outcome !== 'error') return 'call.outcome must be "ok" or "error"';
  if (c.error !== undefined && !isObject(c.error)) return 'call.error must be an object';
  const budget = { left: LIMITS.maxValues };
  let params: unknown;
  let result: unknown;
  try {
    params = boundedCopy(c.params ?? null, budget);
    result = c.result === undefined ? undefined : boundedCopy(c.result, budget);
  } catch {
    return `call params and result hold more than ${LIMITS.maxValues} values`;
  }
  const e = c.error;
  return {
    id: str(c.id, 64) ?? '',
    method: c.method,
    params,
    outcome: c.outcome,
    ...(result !== undefined ? { result } : {}),
    ...(e ? { error: { code: str(e.code, 100) ?? 'INTERNAL_ERROR', message: str(e.message, 2000) ?? '', ...(typeof e.path === 'string' ? { path: cut(e.path, 200) } : {}) } } : {}),
    latencyMs: count(c.latencyMs) ?? 0,
    startedAt: str(c.startedAt, 40) ?? new Date().toISOString(),
  };
}

function parseRuntimeError(e: unknown): RuntimeErrorRecord | string {
  if (!isObject(e)) return 'error must be an object';
  if (e.kind !== 'error' && e.kind !== 'unhandledrejection') return 'error.kind must be "error" or "unhandledrejection"';
  if (typeof e.message !== 'string') return 'error.message must be a string';
  const line = count(e.line);
  const column = count(e.column);
  return {
    kind: e.kind,
    message: cut(e.message, 2000),
    ...(typeof e.stack === 'string' ? { stack: cut(e.stack, 8000) } : {}),
    ...(typeof e.source === 'string' ? { source: cut(e.source, 500) } : {}),
    ...(line !== undefined ? { line: Math.floor(line) } : {}),
    ...(column !== undefined ? { column: Math.floor(column) } : {}),
    at: str(e.at, 40) ?? new Date().toISOString(),
  };
}

/** Parses and checks one text frame from a client (see LIMITS). Never throws. */
export function parseClientMessage(text: string): ParsedClientMessage {
  if (typeof text !== 'string') return fail('not text');
  if (text.length > LIMITS.maxFrameBytes) return fail('larger than 1 MB');
  if (jsonDepth(text, LIMITS.maxDepth) > LIMITS.maxDepth) return fail(`nested deeper than ${LIMITS.maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('not JSON');
  }
  if (!isObject(value)) return fail('not a JSON object');
  switch (value.type) {
    case 'hello':
      if (!Number.isSafeInteger(value.protocol) || (value.protocol as number) < 0) return fail('hello.protocol must be a non-negative integer');
      return { ok: true, message: { type: 'hello', protocol: value.protocol as number } };
    case 'ack': {
      if (!Number.isSafeInteger(value.id) || (value.id as number) < 0) return fail('ack.id must be a non-negative integer');
      const hash = str(value.hash, 64);
      return { ok: true, message: { type: 'ack', id: value.id as number, ...(hash !== undefined ? { hash } : {}) } };
    }
    case 'bridge-call': {
      const call = parseBridgeCall(value.call);
      return typeof call === 'string' ? fail(call) : { ok: true, message: { type: 'bridge-call', call } };
    }
    case 'runtime-error': {
      const error = parseRuntimeError(value.error);
      return typeof error === 'string' ? fail(error) : { ok: true, message: { type: 'runtime-error', error } };
    }
    default:
      // A fixed reason (not the type sent): the terminal prints each reason once, and a page must not mint new ones.
      return fail(typeof value.type === 'string' ? 'unknown type' : 'no type');
  }
}
