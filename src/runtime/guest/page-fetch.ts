import { resolveObjectURL } from 'node:buffer';
import vm from 'node:vm';
import type { BrowserWindow, IFetchInterceptor, ISyncResponse, Request as PageRequest, Response as PageResponse } from 'happy-dom';
import type { GuestInit, GuestState } from './state.js';

/**
 * Where the page's requests go: its own files from the package, data: and blob: URLs as a WebView
 * serves them, and everything else to the host's network policy (asynchronous requests), or refused
 * (synchronous ones, which have no way to the host).
 */

const BLOCKED_HEADER = 'x-miniapp-blocked';

/** The package's files at the app's origin, which serves its entry point at the root, as a host does (see launchUrl). */
interface OwnFiles {
  path(url: URL): string;
  file(url: URL): Uint8Array | undefined;
}

function ownFiles(init: GuestInit): OwnFiles {
  const path = (url: URL) => (url.pathname === '/' ? init.entryPoint : decodeURIComponent(url.pathname).replace(/^\/+/, ''));
  return {
    path,
    file(url) {
      if (url.origin !== init.origin) return undefined;
      const p = path(url);
      return Object.prototype.hasOwnProperty.call(init.files, p) ? init.files[p] : undefined;
    },
  };
}

const contentType = (path: string) =>
  /\.m?js$/.test(path) ? 'text/javascript' : path.endsWith('.html') ? 'text/html' : path.endsWith('.css') ? 'text/css' : path.endsWith('.json') ? 'application/json' : 'application/octet-stream';

const notInPackage = (url: URL) => `${decodeURIComponent(url.pathname).replace(/^\/+/, '')} is referenced but not in the package`;

/** happy-dom's fetch interceptor for one guest's page. */
export function fetchInterceptor(s: GuestState): IFetchInterceptor {
  const own = ownFiles(s.init);
  return {
    beforeAsyncRequest: ({ request, window }) => answerAsync(s, own, request, window),
    beforeSyncRequest: ({ request, window }) => answerSync(s, own, request, window),
  };
}

async function answerAsync(s: GuestState, own: OwnFiles, request: PageRequest, window: BrowserWindow): Promise<PageResponse | undefined> {
  const url = new URL(request.url);
  // data: and blob: URLs never reach a network, in a WebView as here: no allowlist applies.
  // happy-dom decodes data: URLs itself; blob: URLs are this page's own blobs.
  if (url.protocol === 'data:') return undefined;
  if (url.protocol === 'blob:') {
    const blob = await readBlobUrl(url.href);
    if (blob) return new window.Response(blob.body, { status: 200, headers: { 'content-type': blob.type } });
    return new window.Response('', { status: 404, headers: { [BLOCKED_HEADER]: `NETWORK_ERROR: ${url.href.slice(0, 200)} is not a blob of this page (revoked, or never made)` } });
  }
  if (url.origin === s.init.origin) {
    const bytes = own.file(url);
    if (!bytes) {
      s.send({ type: 'guest-error', kind: 'resource', message: notInPackage(url) });
      return new window.Response('', { status: 404, statusText: 'Not Found' });
    }
    return new window.Response(Buffer.from(bytes), { status: 200, headers: { 'content-type': contentType(own.path(url)) } });
  }
  const headers: Record<string, string> = {};
  request.headers.forEach((v: string, k: string) => (headers[k] = v));
  const body = request.body ? await request.text() : undefined;
  const answer = await s.requests.fetch({ url: request.url, method: request.method, headers, body });
  if (!answer.ok) {
    return new window.Response('', { status: 403, headers: { [BLOCKED_HEADER]: `${answer.error.code}: ${answer.error.message}`.slice(0, 500) } });
  }
  const r = answer.response;
  const nullBody = r.status === 204 || r.status === 304;
  return new window.Response(nullBody ? null : r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
}

function answerSync(s: GuestState, own: OwnFiles, request: PageRequest, window: BrowserWindow): ISyncResponse | undefined {
  const url = new URL(request.url);
  if (url.protocol === 'data:') return undefined;
  const bytes = own.file(url);
  // Synchronous loads (classic <script src>, synchronous XHR) are served from the package only:
  // there is no synchronous channel to the host, so anything else is refused here and handed
  // to the host to record (a violation when outside allowedDomains).
  if (!bytes) {
    if (url.origin === s.init.origin) s.send({ type: 'guest-error', kind: 'resource', message: notInPackage(url) });
    else if (url.protocol !== 'blob:') s.send({ type: 'network-refused', api: s.inSyncXhr ? 'xhr' : 'script', url: url.href, method: request.method });
  }
  return {
    status: bytes ? 200 : 403,
    statusText: bytes ? 'OK' : 'Forbidden',
    ok: !!bytes,
    url: request.url,
    redirected: false,
    headers: new window.Headers(bytes ? { 'content-type': contentType(own.path(url)) } : { [BLOCKED_HEADER]: 'SYNC_REQUEST_REFUSED' }),
    body: bytes ? Buffer.from(bytes) : Buffer.from(''),
  };
}

/** A blob: URL's bytes and type: the page's own blob, or undefined once it was revoked (or never made). */
async function readBlobUrl(href: string): Promise<{ body: Buffer; type: string } | undefined> {
  const blob = resolveObjectURL(href);
  return blob ? { body: Buffer.from(await blob.arrayBuffer()), type: blob.type || 'application/octet-stream' } : undefined;
}

/**
 * fetch that rejects (as a browser's does) when the host refused the request, fetch/XHR that hand
 * URLs with user:password@ to the host to refuse and report (happy-dom would otherwise throw before
 * the request reaches the policy), and an XHR send that says when a synchronous one runs. Created in
 * the page's realm.
 */
export function wrapFetch(context: vm.Context, refuse: (url: string, api: 'fetch' | 'xhr') => void, syncXhr: (running: boolean) => void): void {
  vm.runInContext(
    `(function (nativeFetch, refuse, syncXhr) {
      function withCredentials(input) {
        try {
          var url = new URL(String(input && typeof input === 'object' && 'url' in input ? input.url : input), location.href);
          return url.username !== '' || url.password !== '' ? url.href : null;
        } catch (e) { return null; }
      }
      function refused(url) {
        var error = new TypeError('Failed to fetch: DOMAIN_NOT_ALLOWED: ' + url.replace(/\\/\\/[^@/]*@/, '//***@') + ' carries user information');
        error.code = 'DOMAIN_NOT_ALLOWED';
        return error;
      }
      window.fetch = function fetch(input, init) {
        return new Promise(function (resolve, reject) {
          var credentials = withCredentials(input);
          if (credentials) { refuse(credentials, 'fetch'); return reject(refused(credentials)); }
          nativeFetch.call(window, input, init).then(function (res) {
            var blocked = res.headers.get('${BLOCKED_HEADER}');
            if (blocked === null) return resolve(res);
            var error = new TypeError('Failed to fetch: ' + blocked);
            error.code = blocked.split(':')[0];
            reject(error);
          }, function (e) { reject(new TypeError(String(e && e.message || e))); });
        });
      };
      var nativeOpen = XMLHttpRequest.prototype.open;
      var nativeSend = XMLHttpRequest.prototype.send;
      var synchronous = new WeakSet();
      XMLHttpRequest.prototype.open = function open(method, url, async) {
        var credentials = withCredentials(url);
        if (credentials) { refuse(credentials, 'xhr'); throw refused(credentials); }
        if (arguments.length > 2 && !async) synchronous.add(this); else synchronous.delete(this);
        return nativeOpen.apply(this, arguments);
      };
      XMLHttpRequest.prototype.send = function send(body) {
        if (!synchronous.has(this)) return nativeSend.apply(this, arguments);
        syncXhr(true);
        try { return nativeSend.apply(this, arguments); } finally { syncXhr(false); }
      };
    })`,
    context,
  )((context as unknown as { fetch: unknown }).fetch, refuse, syncXhr);
}
