import type { NetworkApi, NetworkRequest } from '../channel.js';
import { checkUrl, redact, type NetworkMode } from './network-policy.js';
import { domainRefusal, followHops, type HopsOutcome, type Refusal } from './network-requests.js';

import type { NetworkAuditEvent, NetworkOptions, NetworkOutcome } from './network-types.js';

export type { NetworkMode };
export type { NetworkAuditEvent, NetworkFixture, NetworkOptions, NetworkOutcome, NetworkViolation } from './network-types.js';

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
