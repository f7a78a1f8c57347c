import type { NetworkApi, NetworkRequest, NetworkResponse, WireError } from '../channel.js';
import { checkUrl, redact, type NetworkMode } from './network-policy.js';
import { domainRefusal, followHops, type HopsOutcome, type Refusal } from './network-requests.js';

export type { NetworkMode };

/** A canned response for `--network fixtures`. `url` matches exactly, or as a prefix when it ends with "*". */
export interface NetworkFixture {
  url: string;
  method?: string;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
}

export interface NetworkViolation {
  api: NetworkApi;
  url: string;
  reason: string;
  /** 0 for the request itself, n for the n-th redirect. */
  hop: number;
}

/**
 * One network decision, as an audit log records it: the runtime refused the request (blocked, with the
 * code the guest saw and why), or the policy let it through (allowed, with the status it got, or the code
 * of what went wrong after: no fixture, a connection error, a WebSocket the runtime does not carry).
 */
export type NetworkAuditEvent =
  | { type: 'network.blocked'; api: NetworkApi; method: string; url: string; code: string; reason: string; hop: number }
  | { type: 'network.allowed'; api: NetworkApi; method: string; url: string; status?: number; code?: string; finalUrl?: string };

export interface NetworkOptions {
  mode: NetworkMode;
  allowedDomains: readonly string[];
  fixtures?: readonly NetworkFixture[];
  /** Extra CA certificates (PEM) trusted by the live network. */
  ca?: string | string[];
  /** Where to connect instead of host:443 (tests point allowed hosts at a loopback server). */
  connect?: (host: string) => { host: string; port: number } | undefined;
  /** Serves the app's own files for same-origin requests (the package is read-only). */
  readAppFile?: (path: string) => Promise<Uint8Array | undefined>;
  appOrigin: string;
  onViolation: (v: NetworkViolation) => void;
  /** Told every decision, where it is made (an audit log); absent, nothing is built for it. */
  onDecision?: (event: NetworkAuditEvent) => void;
  timeoutMs?: number;
}

export type NetworkOutcome = { ok: true; response: NetworkResponse } | { ok: false; error: WireError };

/**
 * The guest's only way out: every fetch, XMLHttpRequest and WebSocket of the mini-program arrives
 * here as a plain request, is checked against allowedDomains (again at every redirect hop: the policy
 * in network-policy.ts, the hops in network-requests.ts) and is answered from fixtures, the real
 * network, or not at all. Every decision is recorded here, once: a violation in the report, and each
 * refusal or request let through in the audit log.
 */
export function createNetwork(options: NetworkOptions) {
  const { onDecision } = options;

  /** A refusal by the runtime: recorded, and the outcome the guest gets. */
  function refuse(api: NetworkApi, method: string, r: Refusal): NetworkOutcome {
    if (r.violation) options.onViolation({ api, url: r.url, reason: r.reason, hop: r.hop });
    onDecision?.({ type: 'network.blocked', api, method, url: redact(r.url), code: r.code, reason: r.reason, hop: r.hop });
    return { ok: false, error: { code: r.code, message: r.message } };
  }

  async function request(api: NetworkApi, request: NetworkRequest, base: string): Promise<NetworkOutcome> {
    const outcome = await followHops(api, request, base, options);
    const method = request.method.toUpperCase();
    if ('refused' in outcome) return refuse(api, method, outcome.refused);
    onDecision?.(allowedEvent(api, method, outcome));
    return outcome.ok ? { ok: true, response: outcome.response } : { ok: false, error: outcome.error };
  }

  /**
   * A synchronous load the guest refused by itself (a classic <script src>, a synchronous XMLHttpRequest:
   * there is no synchronous way to the host), recorded as the policy sees it: outside allowedDomains it
   * is a violation like any other request; inside, it is refused for being synchronous.
   */
  function refusedSync(api: 'script' | 'xhr', rawUrl: string, method: string, base: string): 'violation' | 'synchronous' {
    const verdict = checkUrl(rawUrl, options.allowedDomains, { base });
    if (!verdict.allowed) {
      refuse(api, method, domainRefusal(verdict.url?.href ?? rawUrl, verdict.reason, 0));
      return 'violation';
    }
    onDecision?.({ type: 'network.blocked', api, method, url: redact(verdict.url.href), code: 'SYNC_REQUEST_REFUSED', reason: 'synchronous loads are served from the package only', hop: 0 });
    return 'synchronous';
  }

  return { request, refusedSync };
}

export type Network = ReturnType<typeof createNetwork>;

/** The audit line of a request the policy let through: its first URL, then its status (or what failed) and where it ended. */
export function allowedEvent(api: NetworkApi, method: string, outcome: Exclude<HopsOutcome, { refused: Refusal }>): NetworkAuditEvent {
  const final = outcome.ok ? outcome.response.url : undefined;
  return {
    type: 'network.allowed',
    api,
    method,
    url: redact(outcome.allowed),
    ...(outcome.ok ? { status: outcome.response.status } : { code: outcome.error.code }),
    ...(final !== undefined && final !== outcome.allowed ? { finalUrl: redact(final) } : {}),
  };
}
