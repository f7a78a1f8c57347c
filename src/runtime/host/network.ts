import type { NetworkApi, NetworkRequest, NetworkResponse, WireError } from '../channel.js';
import { checkUrl } from './network-policy.js';

export type NetworkMode = 'fixtures' | 'live' | 'off';

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

const MAX_REDIRECTS = 10;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const REDIRECT = new Set([301, 302, 303, 307, 308]);

type Hop = { status: number; statusText: string; headers: Record<string, string>; body: string };

/**
 * The guest's only way out: every fetch, XMLHttpRequest and WebSocket of the mini-program arrives
 * here as a plain request, is checked against allowedDomains (again at every redirect hop) and is
 * answered from fixtures, the real network, or not at all.
 */
export function createNetwork(options: NetworkOptions) {
  const { onDecision } = options;
  /** A refusal by the runtime: the outcome the guest gets, and what the audit log records. */
  const refuse = (api: NetworkApi, method: string, rawUrl: string, code: string, reason: string, hop: number, message: string): NetworkOutcome => {
    onDecision?.({ type: 'network.blocked', api, method, url: redact(rawUrl), code, reason, hop });
    return { ok: false, error: { code, message } };
  };
  const deny = (api: NetworkApi, method: string, rawUrl: string, reason: string, hop: number): NetworkOutcome => {
    const url = redact(rawUrl);
    options.onViolation({ api, url, reason, hop });
    return refuse(api, method, url, 'DOMAIN_NOT_ALLOWED', reason, hop, `${url} ${reason}`);
  };

  function fromFixtures(url: URL, method: string): Hop | undefined {
    const fixture = (options.fixtures ?? []).find((f) => {
      if ((f.method ?? 'GET').toUpperCase() !== method) return false;
      return f.url.endsWith('*') ? url.href.startsWith(f.url.slice(0, -1)) : safeHref(f.url) === url.href;
    });
    if (!fixture) return undefined;
    const headers: Record<string, string> = { ...(fixture.json !== undefined ? { 'content-type': 'application/json' } : {}), ...lower(fixture.headers ?? {}) };
    return { status: fixture.status ?? 200, statusText: '', headers, body: fixture.json !== undefined ? JSON.stringify(fixture.json) : (fixture.body ?? '') };
  }

  async function live(url: URL, request: NetworkRequest): Promise<Hop> {
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

  async function appFile(url: URL): Promise<Hop> {
    const bytes = await options.readAppFile?.(decodeURIComponent(url.pathname.replace(/^\//, '')));
    if (!bytes) return { status: 404, statusText: 'Not Found', headers: {}, body: '' };
    return { status: 200, statusText: 'OK', headers: { 'content-type': contentType(url.pathname) }, body: Buffer.from(bytes).toString('utf8') };
  }

  async function request(api: NetworkApi, request: NetworkRequest, base: string): Promise<NetworkOutcome> {
    if (!onDecision) return attempt(api, request, base);
    const outcome = await attempt(api, request, base);
    // A refusal was recorded where it was decided; what the policy let through is recorded here, once.
    if (outcome.allowed !== undefined) {
      const final = outcome.ok ? outcome.response.url : undefined;
      onDecision({
        type: 'network.allowed',
        api,
        method: request.method.toUpperCase(),
        url: redact(outcome.allowed),
        ...(outcome.ok ? { status: outcome.response.status } : { code: outcome.error.code }),
        ...(final !== undefined && final !== outcome.allowed ? { finalUrl: redact(final) } : {}),
      });
    }
    return outcome;
  }

  /** The request itself. With an audit log, `allowed` is the first hop's URL once the policy let it through. */
  async function attempt(api: NetworkApi, request: NetworkRequest, base: string): Promise<NetworkOutcome & { allowed?: string }> {
    const original = request.method.toUpperCase();
    let current = request.url;
    let method = original;
    let body = request.body;
    let allowed: string | undefined;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      let url: URL;
      try {
        url = new URL(current, base);
      } catch {
        return refuse(api, original, current, 'NETWORK_ERROR', 'is not a valid URL', hop, `${current} is not a valid URL`);
      }
      const sameOrigin = url.origin === options.appOrigin;
      if (!sameOrigin) {
        const verdict = checkUrl(url.href, options.allowedDomains, { secureScheme: api === 'websocket' ? 'wss:' : 'https:' });
        if (!verdict.allowed) return deny(api, original, url.href, verdict.reason, hop);
      }
      if (onDecision) allowed ??= url.href;
      if (api === 'websocket') {
        return { ok: false, error: { code: 'NETWORK_ERROR', message: 'WebSocket connections are allowed by policy but not simulated by the headless runtime' }, allowed };
      }
      let answer: Hop | undefined;
      if (sameOrigin) {
        answer = await appFile(url);
      } else if (options.mode === 'off') {
        return refuse(api, original, url.href, 'NETWORK_OFF', 'the network is off (--network off)', hop, `${url.href}: the network is off (--network off)`);
      } else if (options.mode === 'fixtures') {
        answer = fromFixtures(url, method);
        if (!answer) return { ok: false, error: { code: 'NO_FIXTURE', message: `no fixture for ${method} ${url.href} (add one with --fixtures, or run with --network live)` }, allowed };
      } else {
        try {
          answer = await live(url, { ...request, url: url.href, method, body });
        } catch (err) {
          return { ok: false, error: { code: 'NETWORK_ERROR', message: `${method} ${url.href} failed: ${(err as Error).message}` }, allowed };
        }
      }
      const location = answer.headers.location;
      if (REDIRECT.has(answer.status) && location) {
        current = new URL(location, url).href;
        if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        base = url.href;
        continue;
      }
      return { ok: true, response: { url: url.href, status: answer.status, statusText: answer.statusText, headers: answer.headers, body: answer.body, redirected: hop > 0 }, allowed };
    }
    return refuse(api, original, current, 'NETWORK_ERROR', `more than ${MAX_REDIRECTS} redirects`, MAX_REDIRECTS + 1, `more than ${MAX_REDIRECTS} redirects from ${request.url}`);
  }

  /**
   * A synchronous load the guest refused by itself (a classic <script src>, a synchronous XMLHttpRequest:
   * there is no synchronous way to the host), recorded as the policy sees it: outside allowedDomains it
   * is a violation like any other request; inside, it is refused for being synchronous.
   */
  function refusedSync(api: 'script' | 'xhr', rawUrl: string, method: string, base: string): 'violation' | 'synchronous' {
    const verdict = checkUrl(rawUrl, options.allowedDomains, { base });
    if (!verdict.allowed) {
      deny(api, method, verdict.url?.href ?? rawUrl, verdict.reason, 0);
      return 'violation';
    }
    onDecision?.({ type: 'network.blocked', api, method, url: redact(verdict.url.href), code: 'SYNC_REQUEST_REFUSED', reason: 'synchronous loads are served from the package only', hop: 0 });
    return 'synchronous';
  }

  return { request, refusedSync };
}

/** Reports and audit lines never repeat a password the app put in a URL. */
const redact = (url: string) => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');

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
