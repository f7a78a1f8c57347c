import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MiniappError } from '../core/errors/index.js';
import { parseRange, readJson, receiveUpload, sendError, sendJson } from './http-util.js';
import { operator, type Registry } from './registry.js';
import { parseSubject } from './review.js';
import type { Actor, VersionStatus } from './types.js';

export interface RegistryServerOptions {
  registry: Registry;
  host?: string;
  port?: number;
  /** Largest upload (default 32 MB). */
  maxUploadBytes?: number;
  /** Longest an upload may take (default 60 s). */
  uploadTimeoutMs?: number;
  /** Longest close() waits for requests in flight (default 30 s). */
  shutdownTimeoutMs?: number;
  /** One JSON line per request (default: none). */
  log?: (line: string) => void;
  onError?: (err: unknown) => void;
}

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  parts: string[];
  actor?: Actor;
}

type Handler = (r: Request) => Promise<void>;

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The registry over HTTP: the update feed and package downloads (anonymous, cacheable: any CDN can front
 * them), health and readiness, and the JSON API partners' CI and reviewers use with bearer tokens. One JSON
 * log line per request; close() stops taking connections and new uploads, lets requests in flight
 * finish (uploads included), then closes the store.
 */
export async function startRegistryServer(options: RegistryServerOptions) {
  const { registry } = options;
  const maxUpload = options.maxUploadBytes ?? 32 * 1024 * 1024;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 60_000;
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const auth = async (r: Request) => {
    const header = r.req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    r.actor = await registry.authenticate(token);
    return r.actor;
  };
  const ok = (r: Request, result: unknown, status = 200) => sendJson(r.res, status, { ok: true, result });

  const routes: Array<[string, RegExp, Handler]> = [
    ['GET', /^\/healthz$/, async (r) => sendJson(r.res, 200, { ok: true, status: closing ? 'shutting-down' : 'alive' })],
    ['GET', /^\/readyz$/, async (r) => {
      if (closing) throw new MiniappError('REGISTRY_SHUTTING_DOWN');
      await registry.store.ping();
      sendJson(r.res, 200, { ok: true, status: 'ready', store: registry.store.kind });
    }],
    ['GET', /^(?:\/feed\/([^/]+)(?:\/([^/]+))?)?\/mini-programs\/([^/]+)\/version$/, feedHandler],
    ['GET', /^\/packages\/([0-9a-f]{64})\.zip$/, downloadHandler],
    ['POST', /^\/api\/publish$/, async (r) => {
      if (closing) throw new MiniappError('REGISTRY_SHUTTING_DOWN');
      const actor = await auth(r);
      const upload = await receiveUpload(r.req, registry.blobs.tempPath(), { maxBytes: maxUpload, timeoutMs: uploadTimeoutMs });
      const result = await registry.publish(actor, upload);
      ok(r, result, result.duplicate ? 200 : 201);
    }],
    ['GET', /^\/api\/submissions$/, async (r) => ok(r, await registry.listSubmissions(await auth(r), { status: (r.url.searchParams.get('status') ?? undefined) as VersionStatus | undefined, appId: r.url.searchParams.get('app') ?? undefined }))],
    ['GET', /^\/api\/submissions\/([^/]+)$/, async (r) => {
      const s = parseSubject(r.parts[0]!);
      ok(r, await registry.showSubmission(await auth(r), s.appId, s.version));
    }],
    ['POST', /^\/api\/submissions\/([^/]+)\/(approve|reject)$/, async (r) => {
      const actor = await auth(r);
      const s = parseSubject(r.parts[0]!);
      const body = await readJson(r.req);
      ok(r, r.parts[1] === 'approve' ? await registry.approve(actor, s.appId, s.version) : await registry.reject(actor, s.appId, s.version, body.reason));
    }],
    ['GET', /^\/api\/apps\/([^/]+)\/releases$/, async (r) => (await auth(r), ok(r, await registry.releases(r.parts[0]!)))],
    ['POST', /^\/api\/apps\/([^/]+)\/releases$/, async (r) => {
      const actor = await auth(r);
      const body = await readJson(r.req);
      ok(r, await registry.release(actor, r.parts[0]!, String(body.version ?? ''), body), 201);
    }],
    ['POST', /^\/api\/apps\/([^/]+)\/channels\/([^/]+)\/(rollout|pause|resume|rollback)$/, async (r) => {
      const actor = await auth(r);
      const body = await readJson(r.req);
      const [id, channel, action] = r.parts as [string, string, string];
      const input = { ...body, channel };
      const result = action === 'rollout' ? await registry.setRollout(actor, id, input) : action === 'pause' ? await registry.pause(actor, id, input) : action === 'resume' ? await registry.resume(actor, id, input) : await registry.rollback(actor, id, input);
      ok(r, result);
    }],
    ['POST', /^\/api\/apps\/([^/]+)\/versions\/([^/]+)\/yank$/, async (r) => {
      const actor = await auth(r);
      ok(r, await registry.yank(actor, r.parts[0]!, r.parts[1]!, (await readJson(r.req)).reason));
    }],
    ['GET', /^\/api\/trust-store$/, async (r) => ok(r, await registry.exportTrustStore(await auth(r)))],
    ['GET', /^\/api\/audit$/, async (r) => ok(r, await registry.auditLog(await auth(r), { after: Number(r.url.searchParams.get('after') ?? 0) || 0, limit: Math.min(Number(r.url.searchParams.get('limit') ?? 1000) || 1000, 10_000) }))],
    ['POST', /^\/api\/partners$/, async (r) => ok(r, await registry.addPartner(await auth(r), await readJson(r.req)), 201)],
    ['POST', /^\/api\/partners\/([^/]+)\/keys$/, async (r) => ok(r, await registry.addKey(await auth(r), r.parts[0]!, await readJson(r.req)), 201)],
    ['POST', /^\/api\/keys\/([^/]+)\/revoke$/, async (r) => ok(r, await registry.revokeKey(await auth(r), r.parts[0]!))],
    ['POST', /^\/api\/keys\/([^/]+)\/rotate$/, async (r) => ok(r, await registry.rotateKey(await auth(r), r.parts[0]!, await readJson(r.req)), 201)],
    ['POST', /^\/api\/tokens$/, async (r) => ok(r, await registry.createToken(await auth(r), await readJson(r.req)), 201)],
    ['POST', /^\/api\/tokens\/([^/]+)\/revoke$/, async (r) => (await registry.revokeToken(await auth(r), r.parts[0]!), ok(r, { revoked: r.parts[0] }))],
  ];

  async function feedHandler(r: Request): Promise<void> {
    const q = r.url.searchParams;
    const [channelPath, devicePath, id] = r.parts;
    const text = await registry.feed.text({
      id: id!,
      channel: q.get('channel') ?? channelPath ?? undefined,
      device: q.get('device') ?? devicePath ?? undefined,
      hostVersion: q.get('hostVersion') ?? undefined,
      installed: q.get('installed') ?? undefined,
    });
    // Answers differ per device and change with each release: caches may keep them only briefly.
    r.res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'public, max-age=5' });
    r.res.end(r.req.method === 'HEAD' ? undefined : text);
  }

  async function downloadHandler(r: Request): Promise<void> {
    const sha = r.parts[0]!;
    const size = await registry.blobs.size(sha);
    if (size === undefined) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'package', name: `${sha}.zip` });
    const etag = `"${sha}"`;
    const headers = { etag, 'cache-control': IMMUTABLE, 'accept-ranges': 'bytes', 'content-type': 'application/zip' };
    const match = r.req.headers['if-none-match'];
    if (match && match.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
      r.res.writeHead(304, headers).end();
      return;
    }
    const ifRange = r.req.headers['if-range'];
    const range = ifRange && ifRange !== etag ? undefined : parseRange(r.req.headers.range, size);
    if (range === 'invalid') {
      r.res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end();
      return;
    }
    const status = range ? 206 : 200;
    const length = range ? range.end - range.start + 1 : size;
    r.res.writeHead(status, { ...headers, 'content-length': length, ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}) });
    if (r.req.method === 'HEAD') return void r.res.end();
    await new Promise<void>((done) => {
      const stream = registry.blobs.open(sha, range);
      stream.on('error', () => (r.res.destroy(), done()));
      r.res.on('close', () => (stream.destroy(), done()));
      stream.pipe(r.res);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    inFlight++;
    const r: Request = { req, res, url: new URL(req.url ?? '/', 'http://registry.invalid'), parts: [] };
    let code: string | undefined;
    try {
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const route = routes.find(([m, pattern]) => m === method && pattern.test(r.url.pathname));
      if (!route) {
        const matches = routes.filter(([, pattern]) => pattern.test(r.url.pathname));
        res.setHeader('allow', matches.map(([m]) => m).join(', '));
        throw new MiniappError(matches.length ? 'REGISTRY_BAD_REQUEST' : 'REGISTRY_NOT_FOUND', matches.length ? { reason: `${req.method} is not accepted here` } : { what: 'endpoint', name: r.url.pathname });
      }
      r.parts = route[1].exec(r.url.pathname)!.slice(1).map((p) => (p === undefined ? (undefined as unknown as string) : decodeURIComponent(p)));
      await route[2](r);
    } catch (err) {
      code = sendError(res, err);
      if (code === 'INTERNAL_ERROR') options.onError?.(err);
    } finally {
      inFlight--;
      if (closing && inFlight === 0) drained?.();
      options.log?.(JSON.stringify({ ts: new Date().toISOString(), method: req.method, path: r.url.pathname, status: res.statusCode, ms: Math.round((performance.now() - started) * 100) / 100, actor: r.actor?.name, code }));
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  // Longer than clients keep idle connections (undici: 4 s), so a client never reuses one the server is closing.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = uploadTimeoutMs + 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'EADDRINUSE' ? new MiniappError('SERVER_PORT_IN_USE', { host: options.host ?? '127.0.0.1', port: options.port ?? 0 }) : new MiniappError('SERVER_LISTEN_FAILED', { host: options.host, port: options.port, reason: err.message })));
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    registry,
    get inFlight() {
      return inFlight;
    },
    /** Stops taking requests, lets those in flight finish (up to shutdownTimeoutMs), then closes the registry. Safe to call twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await Promise.race([new Promise<void>((done) => (drained = done)), new Promise((done) => setTimeout(done, options.shutdownTimeoutMs ?? 30_000).unref())]);
        }
        server.closeAllConnections();
        await stopped;
        await registry.close();
      })();
      return closed;
    },
  };
}

export type RegistryServer = Awaited<ReturnType<typeof startRegistryServer>>;
export { operator };
