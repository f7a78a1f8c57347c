import type { WireError } from '../channel.js';
import { PARAMS_PREVIEW_BYTES, preview, RECORD_LIMITS, RESULT_PREVIEW_BYTES } from './bounded.js';
import type { Responder } from './dispatcher.js';
import { BridgeFailure } from './failure.js';

/**
 * One bridge call as the inspector saw it. Params and result are previews (bounded, JSON-safe: see
 * bounded.ts); `truncated` says when one was cut, and a truncated result is not replayed.
 */
export interface CallRecord {
  seq: number;
  method: string;
  params: unknown;
  ok: boolean;
  result?: unknown;
  error?: WireError;
  truncated?: { params?: true; result?: true };
  /** Milliseconds from the call reaching the host to its answer. */
  latencyMs: number;
  /** Milliseconds since launch when the call arrived. */
  at: number;
}

/** A saved recording (`--record`), replayable as scripted responses (`--replay`). */
export interface Recording {
  format: 'miniapp-recording';
  version: 1;
  appId: string;
  calls: Array<{ method: string; params: unknown; ok: boolean; result?: unknown; error?: WireError; truncated?: true }>;
}

/** Calls that ended with one error code: how many, and (the first few of) which methods. */
export interface OutcomeCount {
  count: number;
  methods: Record<string, number>;
}

const MAX_METHODS_PER_CODE = 50;

/**
 * Keeps the first `limit` calls (previews of their params and results) and counts every call and every
 * error code, so that the host's memory per app stays bounded however many calls the app makes and
 * however large their params: checks that look for a code (conformance, run's warnings) read the counts.
 */
export class CallRecorder {
  readonly calls: CallRecord[] = [];
  /** Every call, recorded or not. */
  count = 0;
  readonly refused = new Map<string, OutcomeCount>();
  private listeners: Array<(c: CallRecord) => void> = [];

  constructor(readonly limit: number = RECORD_LIMITS.calls) {}

  add(record: Omit<CallRecord, 'seq' | 'truncated'>): CallRecord {
    const params = preview(record.params, PARAMS_PREVIEW_BYTES);
    const result = record.ok ? preview(record.result, RESULT_PREVIEW_BYTES) : undefined;
    const error = record.error ? { ...record.error, code: String(record.error.code).slice(0, 100), message: String(record.error.message).slice(0, 2000) } : undefined;
    const full: CallRecord = {
      seq: ++this.count,
      method: record.method.slice(0, 200),
      params: params.value,
      ok: record.ok,
      ...(result ? { result: result.value } : {}),
      ...(error ? { error } : {}),
      latencyMs: record.latencyMs,
      at: record.at,
    };
    if (params.truncated || result?.truncated) full.truncated = { ...(params.truncated ? { params: true as const } : {}), ...(result?.truncated ? { result: true as const } : {}) };
    if (!record.ok && error) this.countRefusal(error.code, full.method);
    if (this.calls.length < this.limit) this.calls.push(full);
    for (const l of this.listeners) l(full);
    return full;
  }

  private countRefusal(code: string, method: string): void {
    let entry = this.refused.get(code);
    if (!entry) this.refused.set(code, (entry = { count: 0, methods: Object.create(null) as Record<string, number> }));
    entry.count++;
    if (method in entry.methods || Object.keys(entry.methods).length < MAX_METHODS_PER_CODE) entry.methods[method] = (entry.methods[method] ?? 0) + 1;
  }

  /** How many calls ended with `code`, and with which methods. */
  refusals(code: string): OutcomeCount {
    return this.refused.get(code) ?? { count: 0, methods: {} };
  }

  onCall(listener: (c: CallRecord) => void): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }

  toRecording(appId: string): Recording {
    return {
      format: 'miniapp-recording',
      version: 1,
      appId,
      calls: this.calls.map((c) =>
        c.ok
          ? { method: c.method, params: c.params, ok: true, result: c.result, ...(c.truncated?.result ? { truncated: true as const } : {}) }
          : { method: c.method, params: c.params, ok: false, error: c.error },
      ),
    };
  }
}

/** Checks a parsed recording file; returns a reason when it is not one. */
export function explainBadRecording(value: unknown): string | undefined {
  const r = value as Recording;
  if (!r || typeof r !== 'object' || r.format !== 'miniapp-recording' || r.version !== 1) return 'it is not a miniapp recording (format "miniapp-recording", version 1)';
  if (!Array.isArray(r.calls)) return '"calls" must be an array';
  const bad = r.calls.findIndex((c) => !c || typeof c.method !== 'string' || typeof c.ok !== 'boolean' || (!c.ok && typeof c.error?.code !== 'string'));
  if (bad !== -1) return `calls[${bad}] needs "method", "ok" and, when ok is false, "error.code"`;
  return undefined;
}

/**
 * Replays a recording: each method's recorded answers are given back in order to the same method's
 * calls; when a method's answers run out, the host's own handler answers again.
 */
export function replayResponder(recording: Recording): Responder {
  const queues = new Map<string, Recording['calls']>();
  for (const call of recording.calls) {
    // Calls the host refused before any handler (unknown method, permission, params) are policy, not responses.
    if (!call.ok && ['METHOD_NOT_FOUND', 'PERMISSION_DENIED', 'INVALID_PARAMS'].includes(call.error!.code)) continue;
    if (!queues.has(call.method)) queues.set(call.method, []);
    queues.get(call.method)!.push(call);
  }
  return (method) => {
    const next = queues.get(method)?.shift();
    // A result too large to record was cut: the host answers that call itself.
    if (!next || next.truncated) return undefined;
    return {
      handler: () => {
        if (next.ok) return structuredClone(next.result);
        throw new BridgeFailure(next.error!.code, next.error!.message ?? next.error!.code, next.error!.path);
      },
    };
  };
}
