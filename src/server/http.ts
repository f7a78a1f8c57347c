import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Manifest } from '../manifest/types.js';
import { contentType, isHtml, readClientAsset, CLIENT_ASSETS } from './assets.js';
import { describeDevPackage, type DevPackage } from './descriptor.js';
import { buildFailedPage, injectClient } from './inject.js';
import { DEV_PREFIX, PROTOCOL_VERSION, WS_PATH, type ErrorPayload } from './protocol.js';
import { isAllowedHost, isAllowedOrigin, parseRequestPath } from './security.js';

/** The good build being served. */
export interface ServedBuild {
  manifest: Manifest;
  files: ReadonlyMap<string, Uint8Array>;
  hash: string;
}

export interface RequestHandlerOptions {
  token: string;
  served(): ServedBuild | undefined;
  /** The problems of the last build when it failed (shown while no good build exists). */
  problem(): ErrorPayload[];
  reload(): void;
  onRefused(status: number, reason: string, req: IncomingMessage): void;
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

const text = (res: ServerResponse, status: number, message: string, head = false) => send(res, status, `${message}\n`, 'text/plain; charset=utf-8', head);
const json = (res: ServerResponse, status: number, value: unknown, head = false) => send(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json; charset=utf-8', head);

/** JSON inside a <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

/**
 * Answers HTTP requests: the package's files at /, the release descriptor and the dev package under
 * /mini-programs/{id}/, and the server's own pages under /__miniapp/. Never lists a folder, never reads
 * the disk for a package path (files come from the build in memory).
 */
export function createRequestHandler(options: RequestHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  let devPackage: { hash: string; value: Promise<DevPackage> } | undefined;
  const packageFor = (build: ServedBuild) => {
    if (devPackage?.hash !== build.hash) devPackage = { hash: build.hash, value: describeDevPackage(build.manifest, build.files, build.hash) };
    return devPackage.value;
  };

  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, reason: string) => {
    options.onRefused(status, reason, req);
    text(res, status, status === 403 ? `Forbidden: ${reason}` : `Bad request: ${reason}`);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!isAllowedHost(req.headers.host)) return refuse(req, res, 403, `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed (use localhost or an IP address)`);
    const parsed = parseRequestPath(req.url ?? '/');
    if (!parsed.ok) return refuse(req, res, 400, parsed.reason);
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const path = parsed.path;

    // The server's own endpoints.
    if (path === '__miniapp' && !parsed.trailingSlash) {
      res.writeHead(302, { ...COMMON_HEADERS, Location: DEV_PREFIX, 'Content-Length': '0' });
      return void res.end();
    }
    if (path === '__miniapp' || path.startsWith('__miniapp/')) {
      const name = path === '__miniapp' ? 'simulator.html' : path.slice('__miniapp/'.length);
      if (name === 'reload') {
        if (method !== 'POST') return send(res, 405, 'Use POST\n', 'text/plain; charset=utf-8', false, { Allow: 'POST' });
        // A cross-site form or fetch carries its Origin: only this server's pages (or no browser at all) may reload.
        if (!isAllowedOrigin(req.headers.origin, req.headers.host)) return refuse(req, res, 403, `Origin ${JSON.stringify(req.headers.origin)} is not allowed`);
        options.reload();
        return json(res, 202, { reloading: true });
      }
      if (`/${path}` === WS_PATH) return text(res, 426, 'This is the WebSocket endpoint: connect with a WebSocket client and the token.');
      if (method !== 'GET' && !head) return send(res, 405, 'Method not allowed\n', 'text/plain; charset=utf-8', false, { Allow: 'GET, HEAD' });
      if (name === 'simulator.html' && path !== '__miniapp') return text(res, 404, 'Not found', head);
      const data = await readClientAsset(name);
      if (!data) return text(res, 404, 'Not found', head);
      if (name === 'simulator.html') {
        const build = options.served();
        const config = {
          token: options.token,
          protocol: PROTOCOL_VERSION,
          app: build ? { id: build.manifest.id, version: build.manifest.version, name: build.manifest.name, entryPoint: build.manifest.entryPoint, permissions: build.manifest.permissions } : undefined,
        };
        const html = data.toString('utf8').replace('<!--MINIAPP_CONFIG-->', `<script>window.__MINIAPP_SIMULATOR__ = ${scriptJson(config)};</script>`);
        return send(res, 200, html, CLIENT_ASSETS[name]!, head);
      }
      return send(res, 200, data, CLIENT_ASSETS[name]!, head);
    }

    if (method !== 'GET' && !head) return send(res, 405, 'Method not allowed\n', 'text/plain; charset=utf-8', false, { Allow: 'GET, HEAD' });
    const build = options.served();

    // The update feed: the release descriptor of the build being served, and its package.
    const feed = /^mini-programs\/([^/]+)\/(version|package\.zip)$/.exec(path);
    if (feed && build && feed[1] === build.manifest.id && !build.files.has(path)) {
      const pkg = await packageFor(build);
      if (feed[2] === 'version') return json(res, 200, pkg.descriptor, head);
      return send(res, 200, pkg.zip, 'application/zip', head, { 'Content-Disposition': `attachment; filename="${build.manifest.id}-${build.manifest.version}.zip"` });
    }
    if (feed && build && feed[1] !== build.manifest.id) return json(res, 404, { error: 'APP_NOT_FOUND', message: `this dev server serves ${build.manifest.id}, not ${feed[1]}` }, head);

    if (!build) {
      // Nothing good to serve yet: HTML requests get the errors and reload themselves when fixed.
      if (path === '' || isHtml(path) || parsed.trailingSlash) return send(res, 503, buildFailedPage(options.problem(), options.token), 'text/html; charset=utf-8', head);
      return text(res, 503, 'The app does not build yet: see the terminal', head);
    }
    const name = path === '' ? build.manifest.entryPoint : parsed.trailingSlash ? `${path}/index.html` : path;
    const data = build.files.get(name);
    // No directory listing, ever: a folder is served only through its index.html.
    if (!data) return text(res, 404, 'Not found', head);
    if (isHtml(name)) return send(res, 200, injectClient(Buffer.from(data).toString('utf8'), options.token), contentType(name), head);
    return send(res, 200, data, contentType(name), head);
  }

  return (req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) text(res, 500, `Internal error: ${err.message}`);
      else res.destroy();
    });
  };
}
