import type { WireError } from '../channel.js';
import type { Responder } from './dispatcher.js';
import { BridgeFailure } from './failure.js';

/** One bridge call as the inspector saw it. */
export interface CallRecord {
  seq: number;
  method: string;
  params: unknown;
  ok: boolean;
  result?: unknown;
  error?: WireError;
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
  calls: Array<{ method: string; params: unknown; ok: boolean; result?: unknown; error?: WireError }>;
}

export class CallRecorder {
  readonly calls: CallRecord[] = [];
  private listeners: Array<(c: CallRecord) => void> = [];

  add(record: Omit<CallRecord, 'seq'>): CallRecord {
    const full = { seq: this.calls.length + 1, ...record };
    this.calls.push(full);
    for (const l of this.listeners) l(full);
    return full;
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
      calls: this.calls.map((c) => (c.ok ? { method: c.method, params: c.params, ok: true, result: c.result } : { method: c.method, params: c.params, ok: false, error: c.error })),
    };
  }
}

/** Checks a parsed recording file; returns a reason when it is not one. */
export function explainBadRecording(value: unknown): string | undefined {
  const r = value as Recording;
  if (!r || typeof r !== 'object' || r.format !== 'miniapp-recording' || r.version !== 1) return 'it is not a miniapp recording (format "miniapp-recording", version 1)';
  if (!Array.isArray(r.calls)) return '"calls" must be an array';
  const bad = r.calls.findIndex((c) => !c || typeof c.method !== 'string' || typeof c.ok !== 'boolean' || (!c.ok && (typeof c.error?.code !== 'string')));
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
    if (!next) return undefined;
    return {
      handler: () => {
        if (next.ok) return structuredClone(next.result);
        throw new BridgeFailure(next.error!.code, next.error!.message ?? next.error!.code, next.error!.path);
      },
    };
  };
}
