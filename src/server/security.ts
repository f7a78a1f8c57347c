import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { explainUnsafePackagePath } from '../format/paths.js';

/**
 * The dev server's guards. It serves a project's code and streams its bridge calls, so another web page
 * open in the developer's browser must not read either: requests whose Host is a domain name other than
 * localhost are refused (DNS rebinding), the WebSocket needs a same-origin Origin and the per-process
 * token, and request paths are checked before any lookup.
 */

/** The hostname of a Host header ("127.0.0.1:8080" → "127.0.0.1", "[::1]:8080" → "::1"). */
export function hostnameOf(hostHeader: string): string | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(hostHeader.trim());
  if (!m) return undefined;
  return (m[1] ?? m[2])!.toLowerCase();
}

/**
 * A Host we answer: an IP literal (what a device on the LAN uses), localhost or *.localhost. A domain
 * name pointing at this machine is how DNS rebinding reaches a local server, so any other name is refused.
 */
export function isAllowedHost(hostHeader: string | undefined, extraHosts: readonly string[] = []): boolean {
  if (!hostHeader) return false;
  const name = hostnameOf(hostHeader);
  if (!name) return false;
  if (isIP(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return extraHosts.some((h) => h.toLowerCase() === name);
}

/**
 * An Origin allowed to open the WebSocket or POST: the page's own origin (scheme http and the same
 * host:port as the request's Host). A missing Origin means a non-browser client (a native debug host,
 * curl), which a web page cannot impersonate; "null" (sandboxed frames, file://) is refused.
 */
export function isAllowedOrigin(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  if (!hostHeader) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && url.host.toLowerCase() === hostHeader.trim().toLowerCase();
}

export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type RequestPath = { ok: true; path: string; trailingSlash: boolean } | { ok: false; reason: string };

/**
 * Turns a request target into a package path, refusing anything that could name a file outside the
 * served set: dot segments before or after decoding (`..`, `%2e%2e`), backslashes (raw or `%5c`), NUL
 * and control characters, malformed escapes. Served files come from the build's in-memory file map, so
 * a path that passes is only ever a key lookup; this check is the first wall, not the only one.
 */
export function parseRequestPath(target: string): RequestPath {
  const raw = target.replace(/[?#].*$/s, '');
  if (!raw.startsWith('/')) return { ok: false, reason: 'the path must start with /' };
  if (raw.length > 2048) return { ok: false, reason: 'the path is too long' };
  if (raw.includes('\\')) return { ok: false, reason: 'backslashes are not allowed' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: 'the path has a malformed %-escape' };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(decoded)) return { ok: false, reason: 'the path has a backslash or control character' };
  const segments = decoded.slice(1).split('/');
  const trailingSlash = segments.length > 0 && segments[segments.length - 1] === '';
  if (trailingSlash) segments.pop();
  for (const s of segments) {
    if (s === '.' || s === '..') return { ok: false, reason: 'dot segments are not allowed' };
    if (s === '') return { ok: false, reason: 'empty path segments are not allowed' };
  }
  const path = segments.join('/');
  if (path !== '' && explainUnsafePackagePath(path)) return { ok: false, reason: `not a package path: ${explainUnsafePackagePath(path)}` };
  return { ok: true, path, trailingSlash };
}
