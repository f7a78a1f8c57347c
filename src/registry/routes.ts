import type { IncomingMessage, ServerResponse } from 'node:http';
import { MiniappError } from '../core/errors/index.js';
import { parseRange, readJson, receiveUpload, sendJson } from './http-util.js';
import type { Registry } from './registry.js';
import { parseSubject } from './review.js';
import type { Actor, VersionStatus } from './types.js';

export interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  parts: string[];
  actor?: Actor;
}

export type Handler = (r: Request) => Promise<void>;
export type Route = [string, RegExp, Handler];

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Every endpoint: method, path pattern (its groups become r.parts) and handler. docs/registry.md lists them. */
export function registryRoutes(registry: Registry, limits: { closing(): boolean; maxUploadBytes: number; uploadTimeoutMs: number }): Route[] {
  const auth = async (r: Request) => {
    const header = r.req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    r.actor = await registry.authenticate(token);
    return r.actor;
  };
  const ok = (r: Request, result: unknown, status = 200) => sendJson(r.res, status, { ok: true, result });

  return [
    ['GET', /^\/healthz$/, async (r) => sendJson(r.res, 200, { ok: true, status: limits.closing() ? 'shutting-down' : 'alive' })],
    [
      'GET',
      /^\/readyz$/,
      async (r) => {
        if (limits.closing()) throw new MiniappError('REGISTRY_SHUTTING_DOWN');
        await registry.store.ping();
        sendJson(r.res, 200, { ok: true, status: 'ready', store: registry.store.kind });
      },
    ],
    ['GET', /^(?:\/feed\/([^/]+)(?:\/([^/]+))?)?\/mini-programs\/([^/]+)\/version$/, (r) => feedHandler(registry, r)],
    ['GET', /^\/packages\/([0-9a-f]{64})\.zip$/, (r) => downloadHandler(registry, r)],
    [
      'POST',
      /^\/api\/publish$/,
      async (r) => {
        if (limits.closing()) throw new MiniappError('REGISTRY_SHUTTING_DOWN');
        const actor = await auth(r);
        const upload = await receiveUpload(r.req, registry.blobs.tempPath(), { maxBytes: limits.maxUploadBytes, timeoutMs: limits.uploadTimeoutMs });
        const result = await registry.publish(actor, upload);
        ok(r, result, result.duplicate ? 200 : 201);
      },
    ],
    [
      'GET',
      /^\/api\/submissions$/,
      async (r) =>
        ok(
          r,
          await registry.listSubmissions(await auth(r), { status: (r.url.searchParams.get('status') ?? undefined) as VersionStatus | undefined, appId: r.url.searchParams.get('app') ?? undefined }),
        ),
    ],
    [
      'GET',
      /^\/api\/submissions\/([^/]+)$/,
      async (r) => {
        const s = parseSubject(r.parts[0]!);
        ok(r, await registry.showSubmission(await auth(r), s.appId, s.version));
      },
    ],
    [
      'POST',
      /^\/api\/submissions\/([^/]+)\/(approve|reject)$/,
      async (r) => {
        const actor = await auth(r);
        const s = parseSubject(r.parts[0]!);
        const body = await readJson(r.req);
        ok(r, r.parts[1] === 'approve' ? await registry.approve(actor, s.appId, s.version) : await registry.reject(actor, s.appId, s.version, body.reason));
      },
    ],
    [
      'POST',
      /^\/api\/submissions\/([^/]+)\/conformance$/,
      async (r) => {
        const actor = await auth(r);
        const s = parseSubject(r.parts[0]!);
        ok(r, await registry.rerunConformance(actor, s), 202);
      },
    ],
    ['POST', /^\/api\/conformance\/pending$/, async (r) => ok(r, await registry.rerunConformance(await auth(r)), 202)],
    [
      'GET',
      /^\/api\/apps\/([^/]+)\/releases$/,
      async (r) => {
        await auth(r);
        ok(r, await registry.releases(r.parts[0]!));
      },
    ],
    [
      'POST',
      /^\/api\/apps\/([^/]+)\/releases$/,
      async (r) => {
        const actor = await auth(r);
        const body = await readJson(r.req);
        ok(r, await registry.release(actor, r.parts[0]!, String(body.version ?? ''), body), 201);
      },
    ],
    [
      'POST',
      /^\/api\/apps\/([^/]+)\/channels\/([^/]+)\/(rollout|pause|resume|rollback)$/,
      async (r) => {
        const actor = await auth(r);
        const body = await readJson(r.req);
        const [id, channel, action] = r.parts as [string, string, string];
        const input = { ...body, channel };
        const result =
          action === 'rollout'
            ? await registry.setRollout(actor, id, input)
            : action === 'pause'
              ? await registry.pause(actor, id, input)
              : action === 'resume'
                ? await registry.resume(actor, id, input)
                : await registry.rollback(actor, id, input);
        ok(r, result);
      },
    ],
    [
      'POST',
      /^\/api\/apps\/([^/]+)\/versions\/([^/]+)\/yank$/,
      async (r) => {
        const actor = await auth(r);
        ok(r, await registry.yank(actor, r.parts[0]!, r.parts[1]!, (await readJson(r.req)).reason));
      },
    ],
    ['GET', /^\/api\/trust-store$/, async (r) => ok(r, await registry.exportTrustStore(await auth(r)))],
    [
      'GET',
      /^\/api\/audit$/,
      async (r) =>
        ok(r, await registry.auditLog(await auth(r), { after: Number(r.url.searchParams.get('after') ?? 0) || 0, limit: Math.min(Number(r.url.searchParams.get('limit') ?? 1000) || 1000, 10_000) })),
    ],
    ['POST', /^\/api\/partners$/, async (r) => ok(r, await registry.addPartner(await auth(r), await readJson(r.req)), 201)],
    ['POST', /^\/api\/partners\/([^/]+)\/keys$/, async (r) => ok(r, await registry.addKey(await auth(r), r.parts[0]!, await readJson(r.req)), 201)],
    ['POST', /^\/api\/keys\/([^/]+)\/revoke$/, async (r) => ok(r, await registry.revokeKey(await auth(r), r.parts[0]!))],
    ['POST', /^\/api\/keys\/([^/]+)\/rotate$/, async (r) => ok(r, await registry.rotateKey(await auth(r), r.parts[0]!, await readJson(r.req)), 201)],
    ['POST', /^\/api\/tokens$/, async (r) => ok(r, await registry.createToken(await auth(r), await readJson(r.req)), 201)],
    [
      'POST',
      /^\/api\/tokens\/([^/]+)\/revoke$/,
      async (r) => {
        await registry.revokeToken(await auth(r), r.parts[0]!);
        ok(r, { revoked: r.parts[0] });
      },
    ],
  ];
}

async function feedHandler(registry: Registry, r: Request): Promise<void> {
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

async function downloadHandler(registry: Registry, r: Request): Promise<void> {
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
    stream.on('error', () => {
      r.res.destroy();
      done();
    });
    r.res.on('close', () => {
      stream.destroy();
      done();
    });
    stream.pipe(r.res);
  });
}
