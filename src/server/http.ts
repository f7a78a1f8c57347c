import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentType, isHtml, readClientAsset, CLIENT_ASSETS } from './assets.js';
import { describeDevPackage, type DevPackage } from './descriptor.js';
import { buildFailedPage, injectClient } from './inject.js';
import { DEV_PREFIX, LAUNCH_PATH, PROTOCOL_VERSION, WS_PATH, type ErrorPayload, type SimulatorConfig } from './protocol.js';
import { isAllowedHost, isAllowedOrigin, parseRequestPath } from './security.js';
import type { ServedBuild, ServedBuilds } from './served-builds.js';

export type { ServedBuild };

export { LAUNCH_PATH };

export interface RequestHandlerOptions {
  token: string;
  builds: ServedBuilds;
  /** Host names allowed besides localhost and IP addresses (--allowed-hosts). */
  allowedHosts?: readonly string[];
  /** The problems of the last build when it failed (shown while no good build exists). */
  problem(): ErrorPayload[];
  reload(): void;
  /** `kind` groups refusals for the log (one line per kind). */
  onRefused(status: number, reason: string, kind: string, req: IncomingMessage): void;
}

const COMMON_HEADERS = {
  // A dev build changes on every save: never cache, never guess types.
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

function send(res: ServerResponse, status: number, body: string | Uint8Array, type: string, head = false, extra: Record<string, string> = {}): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': type, 'Content-Length': String(data.length), ...extra });
  res.end(head ? undefined : data);
}

/**
 * One `bytes=` range of a body of `size` bytes (RFC 9110): a range, "unsatisfiable", or undefined when the
 * header is absent, malformed or asks for several ranges (then the whole body is sent, as the RFC allows).
 */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  return start >= size ? 'unsatisfiable' : { start, end };
}

/** A file's bytes, honouring a Range request (the package download resumes; media seek). */
function sendFile(req: IncomingMessage, res: ServerResponse, data: Uint8Array, type: string, head: boolean, extra: Record<string, string> = {}): void {
  const range = req.method === 'GET' || head ? byteRange(req.headers.range, data.length) : undefined;
  const headers = { 'Accept-Ranges': 'bytes', ...extra };
  if (range === 'unsatisfiable') return send(res, 416, '', type, head, { ...headers, 'Content-Range': `bytes */${data.length}` });
  if (!range) return send(res, 200, data, type, head, headers);
  send(res, 206, data.subarray(range.start, range.end + 1), type, head, { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${data.length}` });
}

const text = (res: ServerResponse, status: number, message: string, head = false) => send(res, status, `${message}\n`, 'text/plain; charset=utf-8', head);
const json = (res: ServerResponse, status: number, value: unknown, head = false) => send(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json; charset=utf-8', head);

/** JSON inside a <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** A browser navigating to an app route (not a file): GET, HTML accepted, no extension in the last segment. */
const isRouteNavigation = (req: IncomingMessage, path: string) =>
  path !== '' && !/\.[^/]*$/.test(path) && (req.headers['sec-fetch-dest'] === 'document' || /\btext\/html\b/.test(req.headers.accept ?? ''));

/** What every route shares: the options, the dev package of the build being served, the refusal. */
interface Routes {
  readonly options: RequestHandlerOptions;
  /** The release descriptor and zip of a build, made once per build. */
  packageFor(build: ServedBuild): Promise<DevPackage>;
  refuse(req: IncomingMessage, res: ServerResponse, status: number, reason: string, kind: string): void;
}

function createRoutes(options: RequestHandlerOptions): Routes {
  let devPackage: { hash: string; value: Promise<DevPackage> } | undefined;
  return {
    options,
    packageFor(build) {
      if (devPackage?.hash !== build.hash) devPackage = { hash: build.hash, value: describeDevPackage(build.manifest, build.files, build.hash) };
      return devPackage.value;
    },
    refuse(req, res, status, reason, kind) {
      options.onRefused(status, reason, kind, req);
      text(res, status, status === 403 ? `Forbidden: ${reason}` : `Bad request: ${reason}`);
    },
  };
}

/** POST /__miniapp/reload: rebuild now and tell the pages to reload. */
function reloadEndpoint(routes: Routes, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST') return send(res, 405, 'Use POST\n', 'text/plain; charset=utf-8', false, { Allow: 'POST' });
  // A cross-site form or fetch carries its Origin: only this server's pages (or no browser at all) may reload.
  if (!isAllowedOrigin(req.headers.origin, req.headers.host)) return routes.refuse(req, res, 403, `Origin ${JSON.stringify(req.headers.origin)} is not allowed`, 'origin');
  routes.options.reload();
  json(res, 202, { reloading: true });
}

/** The simulator page, with its configuration (the token, the app being served) in a script tag. */
function simulatorPage(routes: Routes, res: ServerResponse, page: Buffer, head: boolean): void {
  const build = routes.options.builds.current();
  const config: SimulatorConfig = {
    token: routes.options.token,
    protocol: PROTOCOL_VERSION,
    wsPath: WS_PATH,
    launchPath: LAUNCH_PATH,
    app: build ? { id: build.manifest.id, version: build.manifest.version, name: build.manifest.name, entryPoint: build.manifest.entryPoint, permissions: build.manifest.permissions } : undefined,
  };
  const html = page.toString('utf8').replace('<!--MINIAPP_CONFIG-->', `<script>window.__MINIAPP_SIMULATOR__ = ${scriptJson(config)};</script>`);
  send(res, 200, html, CLIENT_ASSETS['simulator.html']!, head);
}

/** The server's own endpoints under /__miniapp/: the simulator, the client, the mock bridge, reload. */
async function devEndpoint(routes: Routes, req: IncomingMessage, res: ServerResponse, path: string, head: boolean): Promise<void> {
  const method = req.method ?? 'GET';
  const name = path === '__miniapp' ? 'simulator.html' : path.slice('__miniapp/'.length);
  if (name === 'reload') return reloadEndpoint(routes, req, res);
  if (`/${path}` === WS_PATH) return text(res, 426, 'This is the WebSocket endpoint: connect with a WebSocket client and the token.');
  if (method !== 'GET' && !head) return send(res, 405, 'Method not allowed\n', 'text/plain; charset=utf-8', false, { Allow: 'GET, HEAD' });
  if (name === 'simulator.html' && path !== '__miniapp') return text(res, 404, 'Not found', head);
  const data = await readClientAsset(name);
  if (!data) return text(res, 404, 'Not found', head);
  if (name === 'simulator.html') return simulatorPage(routes, res, data, head);
  send(res, 200, data, CLIENT_ASSETS[name]!, head);
}

/** The update feed: the release descriptor of the build being served, and its package. True when it answered. */
async function feed(routes: Routes, req: IncomingMessage, res: ServerResponse, path: string, build: ServedBuild | undefined, head: boolean): Promise<boolean> {
  const m = /^mini-programs\/([^/]+)\/(version|package\.zip)$/.exec(path);
  if (!m || !build || build.files.has(path)) return false;
  if (m[1] !== build.manifest.id) {
    json(res, 404, { error: 'APP_NOT_FOUND', message: `this dev server serves ${build.manifest.id}, not ${m[1]}` }, head);
    return true;
  }
  const pkg = await routes.packageFor(build);
  if (m[2] === 'version') json(res, 200, pkg.descriptor, head);
  else
    sendFile(req, res, pkg.zip, 'application/zip', head, {
      ETag: `"${pkg.descriptor.package.sha256}"`,
      'Content-Disposition': `attachment; filename="${build.manifest.id}-${build.manifest.version}.zip"`,
    });
  return true;
}

/** A package file of the build being served (an earlier build's hashed asset, the app for a route). */
function packageFile(routes: Routes, req: IncomingMessage, res: ServerResponse, path: string, trailingSlash: boolean, build: ServedBuild, head: boolean): void {
  const { builds, token } = routes.options;
  let name = path === '' ? build.manifest.entryPoint : trailingSlash ? `${path}/index.html` : path;
  let data = builds.file(name);
  // A path-routed app (history.pushState('/todos/active')) reloaded at a route: the document it asks for
  // is the app, as it was at the launch path. Only for page navigations to a path with no file extension.
  let route = false;
  if (!data && isRouteNavigation(req, path)) [data, name, route] = [builds.file(build.manifest.entryPoint), build.manifest.entryPoint, true];
  // No directory listing, ever: a folder is served only through its index.html.
  if (!data) return text(res, 404, 'Not found', head);
  if (!isHtml(name)) return sendFile(req, res, data, contentType(name), head);
  let html = injectClient(Buffer.from(data).toString('utf8'), token, build.hash);
  // At a nested route the entry's relative URLs (assets/main-….js) must still resolve from the launch path.
  if (route && !/<base\s/i.test(html)) html = html.replace('</script>', `</script><base href="${LAUNCH_PATH}">`);
  send(res, 200, html, contentType(name), head);
}

/** One request: the Host and path checks, then the dev endpoints, the feed, the package's files. */
async function handle(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options } = routes;
  if (!isAllowedHost(req.headers.host, options.allowedHosts))
    return routes.refuse(req, res, 403, `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed (use localhost or an IP address, or allow the name with --allowed-hosts)`, 'host');
  const parsed = parseRequestPath(req.url ?? '/');
  if (!parsed.ok) return routes.refuse(req, res, 400, parsed.reason, 'path');
  const method = req.method ?? 'GET';
  const head = method === 'HEAD';
  const path = parsed.path;
  if (path === '__miniapp' && !parsed.trailingSlash) {
    res.writeHead(302, { ...COMMON_HEADERS, Location: DEV_PREFIX, 'Content-Length': '0' });
    return void res.end();
  }
  if (path === '__miniapp' || path.startsWith('__miniapp/')) return devEndpoint(routes, req, res, path, head);
  if (method !== 'GET' && !head) return send(res, 405, 'Method not allowed\n', 'text/plain; charset=utf-8', false, { Allow: 'GET, HEAD' });
  const build = options.builds.current();
  if (await feed(routes, req, res, path, build, head)) return;
  if (build) return packageFile(routes, req, res, path, parsed.trailingSlash, build, head);
  // Nothing good to serve yet: HTML requests get the errors and reload themselves when fixed.
  if (path === '' || isHtml(path) || parsed.trailingSlash) return send(res, 503, buildFailedPage(options.problem(), options.token), 'text/html; charset=utf-8', head);
  return text(res, 503, 'The app does not build yet: see the terminal', head);
}

/**
 * Answers HTTP requests: the package's files at /, the release descriptor and the dev package under
 * /mini-programs/{id}/, and the server's own pages under /__miniapp/. Never lists a folder, never reads
 * the disk for a package path (files come from the build in memory).
 */
export function createRequestHandler(options: RequestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = createRoutes(options);
  return (req, res) => {
    handle(routes, req, res).catch((err: Error) => {
      if (!res.headersSent) text(res, 500, `Internal error: ${err.message}`);
      else res.destroy();
    });
  };
}
