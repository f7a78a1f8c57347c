import type { GuestMessage, HostEnd, MessageOf, NetworkApi, NetworkRequest } from '../channel.js';
import type { appAudit } from './audit-events.js';
import { RECORD_LIMITS } from './bounded.js';
import type { Dispatcher } from './dispatcher.js';
import type { GuestRequests, HostActivity } from './guest-requests.js';
import type { Network } from './network.js';
import type { ConsoleEntry, GuestErrorEntry, HostRecords } from './records.js';

/** What the handling of the guest's messages works with; the activity and records are what it writes. */
export interface GuestMessageContext {
  channel: HostEnd;
  activity: HostActivity;
  records: HostRecords;
  dispatcher: Dispatcher;
  network: Network;
  /** Where the answers to the host's own requests (idle, dom, loaded, closed) go. */
  answers: GuestRequests['answers'];
  /** The app's origin: the base of its relative URLs. */
  origin: string;
  audit?: ReturnType<typeof appAudit>;
}

/**
 * Receives every message the guest sends. The guest is untrusted: a message of the wrong shape is
 * dropped, never half-handled, and every field is read as if it could be anything.
 */
export function handleGuestMessages(ctx: GuestMessageContext): void {
  ctx.channel.onMessage((raw) => {
    const m = raw as GuestMessage;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    if ('id' in m && !Number.isSafeInteger(m.id)) return;
    if (m.type !== 'idle' && m.type !== 'dom-result') ctx.activity.messages++;
    switch (m.type) {
      case 'call':
        void answerCall(ctx, m);
        break;
      case 'network':
        void answerNetwork(ctx, m);
        break;
      case 'network-refused':
        recordRefused(ctx, m);
        break;
      case 'console':
        ctx.records.console.push(consoleEntry(m, ctx.records.since()));
        break;
      case 'guest-error':
        ctx.audit?.guestError(m.kind, String(m.message));
        ctx.records.errors.push(guestErrorEntry(m, ctx.records.since()));
        break;
      case 'loaded':
        ctx.records.timings.loadedMs = ctx.records.since();
        ctx.answers.loaded();
        break;
      case 'idle':
        ctx.answers.idle(m.id, m.idle);
        break;
      case 'dom-result':
        ctx.answers.dom(m);
        break;
      case 'closed':
        ctx.answers.closed();
        break;
      case 'ready':
        break;
    }
  });
}

/** A bridge call: dispatched, recorded, audited, and answered (an answer that cannot be copied is an error). */
async function answerCall({ channel, activity, records, dispatcher, audit }: GuestMessageContext, m: MessageOf<GuestMessage, 'call'>): Promise<void> {
  const at = records.since();
  records.timings.firstCallMs ??= at;
  activity.pending++;
  const t0 = performance.now();
  const outcome = await dispatcher.dispatch(m.method, m.params);
  const latencyMs = Math.round((performance.now() - t0) * 1000) / 1000;
  activity.pending--;
  const method = typeof m.method === 'string' ? m.method : String(m.method);
  records.recorder.add({ method, params: m.params, ok: outcome.ok, ...(outcome.ok ? { result: outcome.value } : { error: outcome.error }), latencyMs, at });
  audit?.call(method, outcome);
  try {
    channel.send(outcome.ok ? { type: 'result', id: m.id, ok: true, value: outcome.value } : { type: 'result', id: m.id, ok: false, error: outcome.error });
  } catch (err) {
    channel.send({ type: 'result', id: m.id, ok: false, error: { code: 'INTERNAL_ERROR', message: `the result could not be copied: ${(err as Error).message}` } });
  }
}

/** A fetch, XMLHttpRequest or WebSocket: through the network policy, then answered. */
async function answerNetwork({ channel, activity, network, origin }: GuestMessageContext, m: MessageOf<GuestMessage, 'network'>): Promise<void> {
  activity.pending++;
  const { api, request } = networkRequestOf(m);
  const outcome = await network.request(api, request, `${origin}/`);
  activity.pending--;
  channel.send(outcome.ok ? { type: 'network-result', id: m.id, ok: true, response: outcome.response } : { type: 'network-result', id: m.id, ok: false, error: outcome.error });
}

/** A synchronous load the guest refused: a violation, or (allowed by the policy) an error that says why it did not load. */
function recordRefused({ network, records, origin }: GuestMessageContext, m: MessageOf<GuestMessage, 'network-refused'>): void {
  const api = m.api === 'xhr' ? 'xhr' : 'script';
  const url = String(m.url).slice(0, 8192);
  const method = typeof m.method === 'string' ? m.method.slice(0, 32).toUpperCase() : 'GET';
  if (network.refusedSync(api, url, method, `${origin}/`) === 'violation') return;
  const why =
    api === 'xhr'
      ? 'a synchronous XMLHttpRequest reaches only the package (make it asynchronous, or use fetch)'
      : 'a classic <script src> loads from the package only (bundle it, or use an async or module script)';
  records.errors.push({ kind: 'resource', message: `${url} was not loaded: ${why}`, at: records.since() });
}

const CONSOLE_LEVELS = new Set(['log', 'info', 'warn', 'error', 'debug']);

/** A console line as the host keeps it: a known level (else "log"), the text cut to RECORD_LIMITS.textChars. */
export function consoleEntry(m: MessageOf<GuestMessage, 'console'>, at: number): ConsoleEntry {
  return { level: CONSOLE_LEVELS.has(m.level) ? m.level : 'log', text: String(m.text).slice(0, RECORD_LIMITS.textChars), at };
}

/** A guest error as the host keeps it: a known kind (else "error"), the message and stack cut. */
export function guestErrorEntry(m: MessageOf<GuestMessage, 'guest-error'>, at: number): GuestErrorEntry {
  return {
    kind: m.kind === 'resource' || m.kind === 'unhandledrejection' ? m.kind : 'error',
    message: String(m.message).slice(0, 2000),
    ...(m.stack ? { stack: String(m.stack).slice(0, RECORD_LIMITS.textChars) } : {}),
    at,
  };
}

/** The request a network message asks for, read field by field: only strings are taken, GET and fetch by default. */
export function networkRequestOf(m: MessageOf<GuestMessage, 'network'>): { api: NetworkApi; request: NetworkRequest } {
  const request = m.request && typeof m.request === 'object' ? m.request : ({} as typeof m.request);
  const api = m.api === 'websocket' || m.api === 'xhr' ? m.api : 'fetch';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  return {
    api,
    request: { url: String(request.url), method: typeof request.method === 'string' ? request.method : 'GET', headers, ...(typeof request.body === 'string' ? { body: request.body } : {}) },
  };
}
