/**
 * The network allowlist, applied to every request and every redirect hop. The URL is parsed once
 * (WHATWG, as browsers do) and the parsed URL is the one requested, so the check and the request can
 * never disagree about the host.
 */

import { hostMatches } from '../../manifest/domains.js';

export { hostMatches };

export type PolicyVerdict = { allowed: true; url: URL } | { allowed: false; reason: string; url?: URL };

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Decides whether the guest may reach `input`. `base` resolves relative URLs (the page URL);
 * `secureScheme` is "https:" for fetch and XHR, "wss:" for WebSocket.
 */
export function checkUrl(input: string, allowedDomains: readonly string[], options: { base?: string; secureScheme?: 'https:' | 'wss:' } = {}): PolicyVerdict {
  let url: URL;
  try {
    url = new URL(input, options.base);
  } catch {
    return { allowed: false, reason: 'is not a valid URL' };
  }
  const scheme = options.secureScheme ?? 'https:';
  if (url.protocol !== scheme) return { allowed: false, reason: `uses ${url.protocol.replace(/:$/, '')}; only ${scheme.replace(/:$/, '')} is allowed`, url };
  if (url.username !== '' || url.password !== '') return { allowed: false, reason: 'carries user information (user:password@)', url };
  if (url.port !== '') return { allowed: false, reason: `uses port ${url.port}; only the default port is allowed`, url };
  const host = url.hostname;
  if (host.startsWith('[') || IPV4.test(host)) return { allowed: false, reason: `addresses the IP literal ${host}; use a host name`, url };
  if (host.endsWith('.')) return { allowed: false, reason: 'has a host ending with a dot', url };
  if (!hostMatches(host, allowedDomains)) {
    const lookalike = host.split('.').some((label) => label.startsWith('xn--')) ? ' (an internationalised look-alike)' : '';
    return { allowed: false, reason: `host ${host}${lookalike} is not in allowedDomains`, url };
  }
  return { allowed: true, url };
}

export type NetworkMode = 'fixtures' | 'live' | 'off';

/**
 * Where one hop of a request goes, decided from its parsed URL alone: the app's own origin is the
 * package; anything else must pass checkUrl (https, or wss for a WebSocket); a WebSocket the policy
 * allows is not carried by the headless runtime; the rest goes where the network mode says.
 */
export type HopRoute = { to: 'refused'; reason: string } | { to: 'package' } | { to: 'unsupported' } | { to: NetworkMode };

export function routeHop(url: URL, api: string, policy: { mode: NetworkMode; allowedDomains: readonly string[]; appOrigin: string }): HopRoute {
  const sameOrigin = url.origin === policy.appOrigin;
  if (!sameOrigin) {
    const verdict = checkUrl(url.href, policy.allowedDomains, { secureScheme: api === 'websocket' ? 'wss:' : 'https:' });
    if (!verdict.allowed) return { to: 'refused', reason: verdict.reason };
  }
  if (api === 'websocket') return { to: 'unsupported' };
  return sameOrigin ? { to: 'package' } : { to: policy.mode };
}

/** Reports and audit lines never repeat a password the app put in a URL. */
export const redact = (url: string) => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
