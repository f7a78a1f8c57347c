import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';

export type Profile = 'dev' | 'release';

export interface DomainProblem {
  code: 'MANIFEST_INVALID_DOMAIN' | 'MANIFEST_RELEASE_FORBIDDEN';
  reason: string;
  fix?: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1']);

let tldts: typeof import('tldts') | undefined;
/**
 * True when `host` is itself a public suffix (ICANN or private section of the Public Suffix List),
 * so `*.host` would allow hosts that unrelated parties can register. The list is loaded only when a
 * wildcard is checked: it costs ~25 ms to load, more than the rest of validation together.
 */
export function isPublicSuffix(host: string): boolean {
  tldts ??= createRequire(import.meta.url)('tldts') as typeof import('tldts');
  const parsed = tldts.parse(host, { allowPrivateDomains: true });
  return parsed.publicSuffix === host && parsed.domain === null;
}

function looksLikeIPv4(host: string): boolean {
  const last = host.split('.').pop() ?? '';
  return /^(?:0x[0-9a-f]+|\d+)$/i.test(last);
}

const fixTo = (verb: string, value: string) => `${verb}: "${value}"`;

/**
 * Explains why an allowedDomains entry is not acceptable, or returns undefined.
 * Entries are host names (lowercase ASCII, IDN in punycode) or "*.host" for every subdomain of host.
 */
export function checkAllowedDomain(value: string, profile: Profile): DomainProblem | undefined {
  const invalid = (reason: string, fix?: string): DomainProblem => ({ code: 'MANIFEST_INVALID_DOMAIN', reason, fix });
  if (value.length === 0) return invalid('is empty', 'Remove the empty entry.');
  if (value.includes('://') || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    let host = '';
    try {
      host = new URL(value).hostname;
    } catch {
      /* keep the generic fix */
    }
    return invalid('is not a host name', host ? fixTo('drop the scheme', host) : 'Drop the scheme and keep only the host name.');
  }
  if (value.includes('@')) return invalid('contains user information', fixTo('keep only the host', value.slice(value.lastIndexOf('@') + 1)));
  if (value.startsWith('[') || value.split(':').length > 2) return invalid('is an IP literal', 'Use a host name; IP addresses are not allowed.');
  if (value.includes('/')) return invalid('contains a path', fixTo('drop the path', value.slice(0, value.indexOf('/'))));
  if (value.includes(':')) return invalid('contains a port', fixTo('drop the port (hosts always use HTTPS on 443)', value.slice(0, value.indexOf(':'))));
  if (value.endsWith('.')) return invalid('ends with a dot', fixTo('drop the trailing dot', value.replace(/\.+$/, '')));
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u007f]/.test(value)) {
    const ascii = domainToASCII(value.replace(/^\*\./, ''));
    return invalid('is not ASCII', ascii ? fixTo('give the IDN in punycode', (value.startsWith('*.') ? '*.' : '') + ascii) : 'Give the host name in punycode (xn--...).');
  }
  if (value !== value.toLowerCase()) return invalid('is not lowercase', fixTo('use lowercase', value.toLowerCase()));
  if (value === '*') return invalid('is a bare wildcard, which would allow every host', 'List the hosts the app talks to, or "*.partner.com" for your own subdomains.');

  const wildcard = value.startsWith('*.');
  const host = wildcard ? value.slice(2) : value;
  if (host.includes('*')) return invalid('has a wildcard that is not a leading "*." label', 'Wildcards may only be written as "*.host".');
  if (host.length > 253) return invalid('is longer than 253 characters');
  const labels = host.split('.');
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) {
    return invalid(bad === '' ? 'has an empty label' : `has an invalid label "${bad}"`, 'Labels are 1-63 lowercase letters, digits and inner hyphens.');
  }

  if (!wildcard && LOOPBACK.has(host)) {
    return profile === 'release' ? { code: 'MANIFEST_RELEASE_FORBIDDEN', reason: 'is a loopback host, allowed for local testing only', fix: 'Remove it before a release build.' } : undefined;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    return profile === 'release' ? { code: 'MANIFEST_RELEASE_FORBIDDEN', reason: 'is a loopback host, allowed for local testing only', fix: 'Remove it before a release build.' } : undefined;
  }
  if (looksLikeIPv4(host)) return invalid('is an IP literal', 'Use a host name; IP addresses are not allowed (127.0.0.1 only with --profile dev).');
  if (wildcard && (labels.length < 2 || isPublicSuffix(host))) {
    return invalid(`is a wildcard over the public suffix "${host}", which anyone can register under`, 'Use your own domain, e.g. "*.partner.com".');
  }
  if (labels.length < 2) return invalid('is not a fully qualified host name', `Write the full host name, e.g. "${host}.partner.com".`);
  return undefined;
}

/** True when `host` (already lowercase ASCII from the URL parser) is allowed by one of the entries. */
export function hostMatches(host: string, allowedDomains: readonly string[]): boolean {
  for (const entry of allowedDomains) {
    if (entry.startsWith('*.')) {
      // A suffix on a label boundary: "*.partner.com" allows "a.partner.com", not "evilpartner.com"
      // nor "partner.com" itself.
      const suffix = entry.slice(1);
      if (host.length > suffix.length && host.endsWith(suffix)) return true;
    } else if (host === entry) {
      return true;
    }
  }
  return false;
}
