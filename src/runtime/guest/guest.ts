import { resolveObjectURL } from 'node:buffer';
import { existsSync } from 'node:fs';
import { inspect } from 'node:util';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { toolchainPath } from '../../core/toolchain.js';
import type { ConsoleLevel, GuestEnd, HostMessage, MessageOf, WireError } from '../channel.js';
import { toJsonParams } from '../json-value.js';
import { BOOTSTRAP_SOURCE } from './bootstrap.js';
import { watchRejections } from './rejections.js';

let provided: typeof import('happy-dom') | undefined;

/**
 * A bundle that already contains happy-dom (the sandbox's dist/sandbox/guest.js) hands it over here, so
 * the guest does not load and compile a second copy (~2.3 MB of code, ~50 ms of a sandbox's boot).
 */
export function provideHappyDom(module: typeof import('happy-dom')): void {
  provided = module;
}

/** The happy-dom a bundle provided; else the bundled copy made by scripts/build.mjs when present (it loads ~3x faster), else the package. */
async function loadHappyDom(): Promise<typeof import('happy-dom')> {
  if (provided) return provided;
  // Found through the toolchain root: this module also runs from src/ (tests) and inside the CLI bundle.
  const bundled = toolchainPath('dist', 'runtime', 'guest', 'vendor', 'happy-dom.js');
  if (existsSync(bundled)) return (await import(pathToFileURL(bundled).href)) as typeof import('happy-dom');
  return import('happy-dom');
}

/** Everything the guest needs to start, as plain data (so it can be posted to a worker unchanged). */
export interface GuestInit {
  /** The page origin, e.g. "https://com.partner.loans.miniapp.localhost". */
  origin: string;
  /** Entry HTML path inside the package. */
  entryPoint: string;
  /** The package's files (path → bytes): the guest serves its own files, read-only. */
  files: Record<string, Uint8Array>;
  hostVersion: string;
  /** Methods this host version has: canIUse answers from this list, synchronously. */
  methods: string[];
}

/** The in-process view of a running guest (a worker-based guest exposes only the channel). */
export interface GuestHandle {
  readonly window: Window & typeof globalThis;
  readonly document: Document;
  close(): Promise<void>;
}

interface Bootstrap {
  deliver(json: string): void;
  pendingCalls(): number;
}

const BLOCKED_HEADER = 'x-miniapp-blocked';

function formatArgs(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 3, breakLength: Infinity, maxStringLength: 2000 })))
    .join(' ')
    .slice(0, 10_000);
}

const describe = (reason: unknown): { message: string; stack?: string } => {
  try {
    if (reason && typeof reason === 'object' && 'message' in reason) {
      const r = reason as { message: unknown; stack?: unknown; name?: unknown };
      return { message: `${typeof r.name === 'string' ? `${r.name}: ` : ''}${String(r.message)}`, stack: typeof r.stack === 'string' ? r.stack : undefined };
    }
    return { message: formatArgs([reason]) };
  } catch {
    return { message: 'an unprintable value' };
  }
};

/**
 * Starts the guest side: a happy-dom page for the entry HTML, with MiniAppBridge installed (in the
 * page's realm) before any script runs. All contact with the host goes through `channel`.
 */
export async function startGuest(channel: GuestEnd, init: GuestInit, hooks: { onClosed?: () => void } = {}): Promise<GuestHandle> {
  const { Browser } = await loadHappyDom();
  const started = performance.now();
  let bootstrap: Bootstrap | undefined;
  let nextNetworkId = 1;
  const networkWaiters = new Map<number, (m: MessageOf<HostMessage, 'network-result'>) => void>();
  let stopRejections: (() => void) | undefined;
  let closing: Promise<void> | undefined;
  // Set while the page's synchronous XMLHttpRequest.send runs (see wrapFetch): a synchronous load is
  // otherwise taken for a classic script.
  let inSyncXhr = false;

  const send = (m: Parameters<GuestEnd['send']>[0]) => {
    if (!channel.closed) channel.send(m);
  };
  const consoleTo =
    (level: ConsoleLevel) =>
    (...args: unknown[]) =>
      send({ type: 'console', level, text: formatArgs(args) });
  const guestConsole = {
    log: consoleTo('log'),
    info: consoleTo('info'),
    warn: consoleTo('warn'),
    error: consoleTo('error'),
    debug: consoleTo('debug'),
    trace: consoleTo('debug'),
    dir: consoleTo('log'),
    table: consoleTo('log'),
    group: consoleTo('log'),
    groupCollapsed: consoleTo('log'),
    groupEnd: () => undefined,
    time: () => undefined,
    timeEnd: () => undefined,
    timeLog: () => undefined,
    count: () => undefined,
    countReset: () => undefined,
    assert: (ok: unknown, ...args: unknown[]) => (ok ? undefined : consoleTo('error')('Assertion failed:', ...args)),
    clear: () => undefined,
  };

  // The app's origin serves its entry point at the root, as a host does (see launchUrl).
  const ownPath = (url: URL) => (url.pathname === '/' ? init.entryPoint : decodeURIComponent(url.pathname).replace(/^\/+/, ''));
  const ownFile = (url: URL): Uint8Array | undefined => {
    if (url.origin !== init.origin) return undefined;
    const path = ownPath(url);
    return Object.prototype.hasOwnProperty.call(init.files, path) ? init.files[path] : undefined;
  };
  const contentType = (path: string) =>
    /\.m?js$/.test(path) ? 'text/javascript' : path.endsWith('.html') ? 'text/html' : path.endsWith('.css') ? 'text/css' : path.endsWith('.json') ? 'application/json' : 'application/octet-stream';

  const askHost = (request: { url: string; method: string; headers: Record<string, string>; body?: string }) =>
    new Promise<MessageOf<HostMessage, 'network-result'>>((resolve) => {
      const id = nextNetworkId++;
      networkWaiters.set(id, resolve);
      send({ type: 'network', id, api: 'fetch', request });
    });

  const browser = new Browser({
    console: guestConsole as unknown as Console,
    settings: {
      enableJavaScriptEvaluation: true,
      suppressInsecureJavaScriptEnvironmentWarning: true,
      disableCSSFileLoading: false,
      // Images load through the page's fetch, hence through the host's policy, as a WebView loads them.
      enableImageFileLoading: true,
      debug: { traceWaitUntilComplete: Number(process.env.MINIAPP_TRACE_IDLE ?? 0) },
      fetch: {
        // The host's allowlist is the policy; a WebView host does not apply CORS to allowlisted APIs.
        disableSameOriginPolicy: true,
        interceptor: {
          async beforeAsyncRequest({ request, window }) {
            const url = new URL(request.url);
            // data: and blob: URLs never reach a network, in a WebView as here: no allowlist applies.
            // happy-dom decodes data: URLs itself; blob: URLs are this page's own blobs.
            if (url.protocol === 'data:') return undefined;
            if (url.protocol === 'blob:') {
              const blob = await readBlobUrl(url.href);
              if (blob) return new window.Response(blob.body, { status: 200, headers: { 'content-type': blob.type } });
              return new window.Response('', { status: 404, headers: { [BLOCKED_HEADER]: `NETWORK_ERROR: ${url.href.slice(0, 200)} is not a blob of this page (revoked, or never made)` } });
            }
            if (url.origin === init.origin) {
              const bytes = ownFile(url);
              if (!bytes) {
                send({ type: 'guest-error', kind: 'resource', message: `${decodeURIComponent(url.pathname).replace(/^\/+/, '')} is referenced but not in the package` });
                return new window.Response('', { status: 404, statusText: 'Not Found' });
              }
              return new window.Response(Buffer.from(bytes), { status: 200, headers: { 'content-type': contentType(ownPath(url)) } });
            }
            const headers: Record<string, string> = {};
            request.headers.forEach((v: string, k: string) => (headers[k] = v));
            const body = request.body ? await request.text() : undefined;
            const answer = await askHost({ url: request.url, method: request.method, headers, body });
            if (!answer.ok) {
              return new window.Response('', { status: 403, headers: { [BLOCKED_HEADER]: `${answer.error.code}: ${answer.error.message}`.slice(0, 500) } });
            }
            const r = answer.response;
            const nullBody = r.status === 204 || r.status === 304;
            return new window.Response(nullBody ? null : r.body, { status: r.status, statusText: r.statusText, headers: r.headers });
          },
          beforeSyncRequest({ request, window }) {
            const url = new URL(request.url);
            if (url.protocol === 'data:') return undefined;
            const bytes = ownFile(url);
            // Synchronous loads (classic <script src>, synchronous XHR) are served from the package only:
            // there is no synchronous channel to the host, so anything else is refused here and handed
            // to the host to record (a violation when outside allowedDomains).
            if (!bytes) {
              if (url.origin === init.origin) send({ type: 'guest-error', kind: 'resource', message: `${decodeURIComponent(url.pathname).replace(/^\/+/, '')} is referenced but not in the package` });
              else if (url.protocol !== 'blob:') send({ type: 'network-refused', api: inSyncXhr ? 'xhr' : 'script', url: url.href, method: request.method });
            }
            return {
              status: bytes ? 200 : 403,
              statusText: bytes ? 'OK' : 'Forbidden',
              ok: !!bytes,
              url: request.url,
              redirected: false,
              headers: new window.Headers(bytes ? { 'content-type': contentType(ownPath(url)) } : { [BLOCKED_HEADER]: 'SYNC_REQUEST_REFUSED' }),
              body: bytes ? Buffer.from(bytes) : Buffer.from(''),
            };
          },
        },
      },
      navigation: {
        beforeContentCallback: (window) => {
          // happy-dom puts Node's Buffer on the window: a host-realm function no WebView has.
          for (const name of ['Buffer', 'global', 'GLOBAL']) delete (window as unknown as Record<string, unknown>)[name];
          const factory = vm.runInContext(BOOTSTRAP_SOURCE, window as unknown as vm.Context) as (port: unknown, init: string) => Bootstrap;
          const port = {
            call(id: number, method: string | null, params: unknown): string | undefined {
              // One contract under every isolation: params are JSON (src/runtime/json-value.ts), checked
              // here before they leave the page and again by the host.
              const plain = toJsonParams(params === undefined ? {} : params);
              if (!plain.ok) return JSON.stringify({ code: 'INVALID_PARAMS', message: plain.message, path: plain.path } satisfies WireError);
              try {
                send({ type: 'call', id, method: method as string, params: plain.value });
                return undefined;
              } catch (err) {
                return JSON.stringify({ code: 'INVALID_PARAMS', message: `params cannot be copied to the host: ${(err as Error).message}`, path: '' } satisfies WireError);
              }
            },
            network(id: number, url: string) {
              const netId = nextNetworkId++;
              networkWaiters.set(netId, (m) => {
                const error: WireError = m.ok ? { code: 'NETWORK_ERROR', message: 'closed' } : m.error;
                bootstrap?.deliver(JSON.stringify({ type: 'socket', id, error }));
              });
              send({ type: 'network', id: netId, api: 'websocket', request: { url, method: 'GET', headers: {} } });
            },
          };
          bootstrap = factory(port, JSON.stringify({ methods: init.methods, hostVersion: init.hostVersion }));
          wrapFetch(
            window as unknown as vm.Context,
            (url, api) => send({ type: 'network', id: nextNetworkId++, api, request: { url, method: 'GET', headers: {} } }),
            (running) => (inSyncXhr = running === true),
          );
          window.addEventListener('error', (event: unknown) => {
            const e = event as ErrorEvent;
            const d = e.error !== undefined ? describe(e.error) : { message: String(e.message) };
            send({ type: 'guest-error', kind: 'error', ...d });
          });
          stopRejections = watchRejections((window as unknown as { Promise: unknown }).Promise, (reason) => send({ type: 'guest-error', kind: 'unhandledrejection', ...describe(reason) }));
        },
      },
    },
  });

  const page = browser.newPage();

  channel.onMessage((m) => {
    switch (m.type) {
      case 'result':
        bootstrap?.deliver(JSON.stringify(m));
        break;
      case 'network-result': {
        const waiter = networkWaiters.get(m.id);
        networkWaiters.delete(m.id);
        waiter?.(m);
        break;
      }
      case 'lifecycle':
        bootstrap?.deliver(JSON.stringify(m));
        break;
      case 'wait-idle':
        page.waitUntilComplete().then(
          () => send({ type: 'idle', id: m.id, idle: (bootstrap?.pendingCalls() ?? 0) === 0 }),
          (err: Error) => {
            if (process.env.MINIAPP_TRACE_IDLE) send({ type: 'console', level: 'debug', text: err.message });
            send({ type: 'idle', id: m.id, idle: false });
          },
        );
        break;
      case 'dom':
        send(domOperation(page.mainFrame.document as unknown as Document, m));
        break;
      case 'close':
        void handle.close();
        break;
    }
  });

  const handle: GuestHandle = {
    get window() {
      return page.mainFrame.window as unknown as Window & typeof globalThis;
    },
    get document() {
      return page.mainFrame.document as unknown as Document;
    },
    close() {
      closing ??= (async () => {
        stopRejections?.();
        for (const waiter of networkWaiters.values()) waiter({ type: 'network-result', id: 0, ok: false, error: { code: 'NETWORK_ERROR', message: 'the app was closed' } });
        networkWaiters.clear();
        await browser.close().catch(() => undefined);
        send({ type: 'closed' });
        hooks.onClosed?.();
      })();
      return closing;
    },
  };

  send({ type: 'ready', url: launchUrl(init.origin) });
  await page.goto(launchUrl(init.origin));
  send({ type: 'loaded', durationMs: performance.now() - started });
  return handle;
}

/**
 * The one URL an app is launched at, under every isolation and in the dev server: the root of its
 * origin, which serves the manifest's entryPoint (as a host does). A path-routed app (React Router's
 * BrowserRouter, history.pushState) sees location.pathname "/" at start.
 */
export const launchUrl = (origin: string) => `${origin}/`;

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
function wrapFetch(context: vm.Context, refuse: (url: string, api: 'fetch' | 'xhr') => void, syncXhr: (running: boolean) => void): void {
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
function domOperation(document: Document, m: MessageOf<HostMessage, 'dom'>): Parameters<GuestEnd['send']>[0] {
  try {
    const el = document.querySelector(m.selector) as HTMLElement | null;
    if (m.op === 'query') return { type: 'dom-result', id: m.id, ok: true, value: el ? { exists: true, text: el.textContent ?? '', html: el.outerHTML.slice(0, 10_000) } : { exists: false } };
    if (!el) return { type: 'dom-result', id: m.id, ok: false, error: { code: 'ELEMENT_NOT_FOUND', message: `no element matches ${JSON.stringify(m.selector)}` } };
    if (m.op === 'click') el.click();
    if (m.op === 'input') {
      (el as HTMLInputElement).value = m.value ?? '';
      el.dispatchEvent(new (document.defaultView as unknown as typeof globalThis).Event('input', { bubbles: true }));
      el.dispatchEvent(new (document.defaultView as unknown as typeof globalThis).Event('change', { bubbles: true }));
    }
    return { type: 'dom-result', id: m.id, ok: true, value: el.textContent ?? '' };
  } catch (err) {
    return { type: 'dom-result', id: m.id, ok: false, error: { code: 'INVALID_SELECTOR', message: (err as Error).message } };
  }
}
