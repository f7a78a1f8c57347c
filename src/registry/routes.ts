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

/** What the routes need from the server: whether it is shutting down, and the upload limits. */
export interface RouteLimits {
  closing(): boolean;
  maxUploadBytes: number;
  uploadTimeoutMs: number;
}

/**
 * Every endpoint: method, path pattern (its groups become r.parts) and handler, in the order they are
 * matched. docs/registry.md lists them. The anonymous ones (health, the feed, downloads) come first;
 * the JSON API's take a bearer token.
 */
export function registryRoutes(registry: Registry, limits: RouteLimits): Route[] {
  return [
    ...healthRoutes(registry, limits),
    ...feedRoutes(registry),
    ...publishRoutes(registry, limits),
    ...reviewRoutes(registry),
    ...releaseRoutes(registry),
    ...operationRoutes(registry),
    ...partnerRoutes(registry),
  ];
}

/** The bearer token's actor (REGISTRY_UNAUTHORIZED without a valid one), kept on the request for the log. */
async function auth(registry: Registry, r: Request): Promise<Actor> {
  const header = r.req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  r.actor = await registry.authenticate(token);
  return r.actor;
}

const ok = (r: Request, result: unknown, status = 200) => sendJson(r.res, status, { ok: true, result });

function healthRoutes(registry: Registry, limits: RouteLimits): Route[] {
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
  ];
}

/** What hosts fetch, anonymous and cacheable: the update feed and the packages' bytes. */
function feedRoutes(registry: Registry): Route[] {
  return [
    ['GET', /^(?:\/feed\/([^/]+)(?:\/([^/]+))?)?\/mini-programs\/([^/]+)\/version$/, (r) => feedHandler(registry, r)],
    ['GET', /^\/packages\/([0-9a-f]{64})\.zip$/, (r) => downloadHandler(registry, r)],
  ];
}

function publishRoutes(registry: Registry, limits: RouteLimits): Route[] {
  return [
    [
      'POST',
      /^\/api\/publish$/,
      async (r) => {
        if (limits.closing()) throw new MiniappError('REGISTRY_SHUTTING_DOWN');
        const actor = await auth(registry, r);
        const upload = await receiveUpload(r.req, registry.blobs.tempPath(), { maxBytes: limits.maxUploadBytes, timeoutMs: limits.uploadTimeoutMs });
        const result = await registry.publish(actor, upload);
        ok(r, result, result.duplicate ? 200 : 201);
      },
    ],
  ];
}

/** Submissions: the reviewers' queue, decisions and conformance re-runs. */
function reviewRoutes(registry: Registry): Route[] {
  return [
    [
      'GET',
      /^\/api\/submissions$/,
      async (r) => {
        const q = r.url.searchParams;
        ok(r, await registry.listSubmissions(await auth(registry, r), { status: (q.get('status') ?? undefined) as VersionStatus | undefined, appId: q.get('app') ?? undefined }));
      },
    ],
    [
      'GET',
      /^\/api\/submissions\/([^/]+)$/,
      async (r) => {
        const s = parseSubject(r.parts[0]!);
        ok(r, await registry.showSubmission(await auth(registry, r), s.appId, s.version));
      },
    ],
    [
      'POST',
      /^\/api\/submissions\/([^/]+)\/(approve|reject)$/,
      async (r) => {
        const actor = await auth(registry, r);
        const s = parseSubject(r.parts[0]!);
        const body = await readJson(r.req);
        ok(r, r.parts[1] === 'approve' ? await registry.approve(actor, s.appId, s.version) : await registry.reject(actor, s.appId, s.version, body.reason));
      },
    ],
    [
      'POST',
      /^\/api\/submissions\/([^/]+)\/conformance$/,
      async (r) => {
        const actor = await auth(registry, r);
        const s = parseSubject(r.parts[0]!);
        ok(r, await registry.rerunConformance(actor, s), 202);
      },
    ],
    ['POST', /^\/api\/conformance\/pending$/, async (r) => ok(r, await registry.rerunConformance(await auth(registry, r)), 202)],
  ];
}

/** Releases: listing, releasing a version to a channel, its rollout (pause, resume, roll back) and yanking. */
function releaseRoutes(registry: Registry): Route[] {
  return [
    [
      'GET',
      /^\/api\/apps\/([^/]+)\/releases$/,
      async (r) => {
        await auth(registry, r);
        ok(r, await registry.releases(r.parts[0]!));
      },
    ],
    [
      'POST',
      /^\/api\/apps\/([^/]+)\/releases$/,
      async (r) => {
        const actor = await auth(registry, r);
        const body = await readJson(r.req);
        ok(r, await registry.release(actor, r.parts[0]!, String(body.version ?? ''), body), 201);
      },
    ],
    [
      'POST',
      /^\/api\/apps\/([^/]+)\/channels\/([^/]+)\/(rollout|pause|resume|rollback)$/,
      async (r) => {
        const actor = await auth(registry, r);
        const body = await readJson(r.req);
        const [id, channel, action] = r.parts as [string, string, ChannelAction];
        ok(r, await channelAction(registry, action)(actor, id, { ...body, channel }));
      },
    ],
    [
      'POST',
      /^\/api\/apps\/([^/]+)\/versions\/([^/]+)\/yank$/,
      async (r) => {
        const actor = await auth(registry, r);
        ok(r, await registry.yank(actor, r.parts[0]!, r.parts[1]!, (await readJson(r.req)).reason));
      },
    ],
  ];
}

type ChannelAction = 'rollout' | 'pause' | 'resume' | 'rollback';

function channelAction(registry: Registry, action: ChannelAction): (actor: Actor, id: string, input: Record<string, unknown>) => Promise<unknown> {
  if (action === 'rollout') return registry.setRollout;
  return registry[action];
}

/** What operators read: the trust store hosts import, and the audit log. */
function operationRoutes(registry: Registry): Route[] {
  return [
    ['GET', /^\/api\/trust-store$/, async (r) => ok(r, await registry.exportTrustStore(await auth(registry, r)))],
    [
      'GET',
      /^\/api\/audit$/,
      async (r) => {
        const q = r.url.searchParams;
        const page = { after: Number(q.get('after') ?? 0) || 0, limit: Math.min(Number(q.get('limit') ?? 1000) || 1000, 10_000) };
        ok(r, await registry.auditLog(await auth(registry, r), page));
      },
    ],
  ];
}

/** Partners, their signing keys, and API tokens. */
function partnerRoutes(registry: Registry): Route[] {
  return [
    ['POST', /^\/api\/partners$/, async (r) => ok(r, await registry.addPartner(await auth(registry, r), await readJson(r.req)), 201)],
    ['POST', /^\/api\/partners\/([^/]+)\/keys$/, async (r) => ok(r, await registry.addKey(await auth(registry, r), r.parts[0]!, await readJson(r.req)), 201)],
    ['POST', /^\/api\/keys\/([^/]+)\/revoke$/, async (r) => ok(r, await registry.revokeKey(await auth(registry, r), r.parts[0]!))],
    ['POST', /^\/api\/keys\/([^/]+)\/rotate$/, async (r) => ok(r, await registry.rotateKey(await auth(registry, r), r.parts[0]!, await readJson(r.req)), 201)],
    ['POST', /^\/api\/tokens$/, async (r) => ok(r, await registry.createToken(await auth(registry, r), await readJson(r.req)), 201)],
    [
      'POST',
      /^\/api\/tokens\/([^/]+)\/revoke$/,
      async (r) => {
        await registry.revokeToken(await auth(registry, r), r.parts[0]!);
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
