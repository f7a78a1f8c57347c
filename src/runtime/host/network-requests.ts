import type { NetworkApi, NetworkRequest, NetworkResponse, WireError } from '../channel.js';
import type { NetworkFixture, NetworkOptions } from './network-types.js';
import { redact, routeHop } from './network-policy.js';

export const MAX_REDIRECTS = 10;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** One answer, before its redirect (if it is one) is followed. */
export type Hop = { status: number; statusText: string; headers: Record<string, string>; body: string };

/** A request the runtime refused, at the hop where it was decided; a violation is one the policy refused. */
export interface Refusal {
  code: string;
  url: string;
  reason: string;
  hop: number;
  message: string;
  violation: boolean;
}

/**
 * What became of a request: refused by the runtime, or let through by the policy (`allowed` is the
 * first hop's URL) and then answered, or failed (no fixture, a connection error, a WebSocket).
 */
export type HopsOutcome = { ok: true; response: NetworkResponse; allowed: string } | { ok: false; error: WireError; allowed: string } | { ok: false; refused: Refusal };

/** The policy's refusal of `url` (a password in it is not repeated). */
export function domainRefusal(url: string, reason: string, hop: number): Refusal {
  const shown = redact(url);
  return { code: 'DOMAIN_NOT_ALLOWED', url: shown, reason, hop, message: `${shown} ${reason}`, violation: true };
}

const refused = (code: string, url: string, reason: string, hop: number, message: string): HopsOutcome => ({ ok: false, refused: { code, url, reason, hop, message, violation: false } });

/**
 * Carries one request: each hop is routed by the policy (again at every redirect, at most
 * MAX_REDIRECTS) and answered from the package, fixtures or the real network.
 */
export async function followHops(api: NetworkApi, request: NetworkRequest, base: string, options: NetworkOptions): Promise<HopsOutcome> {
  let current = request.url;
  let method = request.method.toUpperCase();
  let body = request.body;
  let allowed: string | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let url: URL;
    try {
      url = new URL(current, base);
    } catch {
      return refused('NETWORK_ERROR', current, 'is not a valid URL', hop, `${current} is not a valid URL`);
    }
    const route = routeHop(url, api, options);
    if (route.to === 'refused') return { ok: false, refused: domainRefusal(url.href, route.reason, hop) };
    allowed ??= url.href;
    if (route.to === 'unsupported') {
      return { ok: false, error: { code: 'NETWORK_ERROR', message: 'WebSocket connections are allowed by policy but not simulated by the headless runtime' }, allowed };
    }
    if (route.to === 'off') return refused('NETWORK_OFF', url.href, 'the network is off (--network off)', hop, `${url.href}: the network is off (--network off)`);
    const answer = await answerHop(route.to, url, { ...request, url: url.href, method, body }, options);
    if ('code' in answer) return { ok: false, error: answer, allowed };
    const next = redirectOf(answer, url, method);
    if (next) {
      current = next.url;
      method = next.method;
      if (!next.keepBody) body = undefined;
      base = url.href;
      continue;
    }
    return { ok: true, response: { url: url.href, status: answer.status, statusText: answer.statusText, headers: answer.headers, body: answer.body, redirected: hop > 0 }, allowed };
  }
  return refused('NETWORK_ERROR', current, `more than ${MAX_REDIRECTS} redirects`, MAX_REDIRECTS + 1, `more than ${MAX_REDIRECTS} redirects from ${request.url}`);
}

/**
 * Where a redirect leads, as fetch follows it: 303, and 301/302 after a POST, go on as GET without the
 * body; the others keep the method and body. Undefined when the answer is not a redirect.
 * Resolved against `url`, as the next hop is (its base is `url`).
 */
export function redirectOf(answer: Hop, url: URL, method: string): { url: string; method: string; keepBody: boolean } | undefined {
  const location = answer.headers.location;
  if (!REDIRECT.has(answer.status) || !location) return undefined;
  const asGet = answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST');
  // A location that is no URL goes on as it is: the next hop refuses it as one (a network error for the
  // guest), where throwing here would leave the guest's request unanswered.
  const target = URL.canParse(location, url) ? new URL(location, url).href : location;
  return { url: target, method: asGet ? 'GET' : method, keepBody: !asGet };
}

/** One hop's answer from where the route says; what goes wrong there is the error the guest sees. */
async function answerHop(to: 'package' | 'fixtures' | 'live', url: URL, request: NetworkRequest, options: NetworkOptions): Promise<Hop | WireError> {
  if (to === 'package') return appFile(url, options.readAppFile);
  if (to === 'fixtures') {
    return (
      fromFixtures(options.fixtures ?? [], url, request.method) ?? { code: 'NO_FIXTURE', message: `no fixture for ${request.method} ${url.href} (add one with --fixtures, or run with --network live)` }
    );
  }
  try {
    return await liveRequest(url, request, options);
  } catch (err) {
    return { code: 'NETWORK_ERROR', message: `${request.method} ${url.href} failed: ${(err as Error).message}` };
  }
}

/** The first fixture for this method and URL (exact, or a prefix ending in "*"), as an answer. */
export function fromFixtures(fixtures: readonly NetworkFixture[], url: URL, method: string): Hop | undefined {
  const fixture = fixtures.find((f) => {
    if ((f.method ?? 'GET').toUpperCase() !== method) return false;
    return f.url.endsWith('*') ? url.href.startsWith(f.url.slice(0, -1)) : safeHref(f.url) === url.href;
  });
  if (!fixture) return undefined;
  const headers: Record<string, string> = { ...(fixture.json !== undefined ? { 'content-type': 'application/json' } : {}), ...lower(fixture.headers ?? {}) };
  return { status: fixture.status ?? 200, statusText: '', headers, body: fixture.json !== undefined ? JSON.stringify(fixture.json) : (fixture.body ?? '') };
}

/** The request over HTTPS (to `connect`'s address when given), its body cut off at MAX_BODY_BYTES. */
async function liveRequest(url: URL, request: NetworkRequest, options: Pick<NetworkOptions, 'connect' | 'ca' | 'timeoutMs'>): Promise<Hop> {
  const https = await import('node:https');
  const target = options.connect?.(url.hostname);
  return new Promise<Hop>((resolve, reject) => {
    const req = https.request(
      {
        host: target?.host ?? url.hostname,
        port: target?.port ?? 443,
        servername: url.hostname,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: { ...request.headers, host: url.host },
        ca: options.ca,
        timeout: options.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error(`response larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(c);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** A file of the app's own package (read-only), for a same-origin request. */
async function appFile(url: URL, readAppFile: NetworkOptions['readAppFile']): Promise<Hop> {
  const bytes = await readAppFile?.(decodeURIComponent(url.pathname.replace(/^\//, '')));
  if (!bytes) return { status: 404, statusText: 'Not Found', headers: {}, body: '' };
  return { status: 200, statusText: 'OK', headers: { 'content-type': contentType(url.pathname) }, body: Buffer.from(bytes).toString('utf8') };
}

function safeHref(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

const TYPES: Record<string, string> = { '.json': 'application/json', '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.txt': 'text/plain', '.svg': 'image/svg+xml' };
function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.')).toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}
