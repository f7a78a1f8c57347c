import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { registryOptions } from './options.js';
import { callRegistry, readToken, registryBase } from '../registry/client.js';
import type { Registry } from '../registry/registry.js';
import { parseSubject } from '../registry/review.js';
import type { Actor } from '../registry/types.js';

type Options = OptionsOf<typeof registryOptions>;
type Local = (r: Registry, me: Actor, rest: string[], o: Options, ctx: CommandContext) => Promise<unknown>;
type Remote = (rest: string[], o: Options) => { path: string; body?: unknown };

const need = (rest: string[], i: number, what: string, action: string): string => {
  const v = rest[i];
  if (!v) throw new MiniappError('USAGE_ERROR', { reason: `registry ${action} needs ${what}`, command: 'registry' });
  return v;
};
const subject = (rest: string[], action: string) => parseSubject(need(rest, 0, '<app id>@<version>', action));

async function publicKey(o: Options, ctx: CommandContext): Promise<string> {
  if (typeof o.publicKey !== 'string') throw new MiniappError('USAGE_ERROR', { reason: 'give the key with --public-key <pub.pem>', command: 'registry' });
  try {
    return await readFile(resolve(ctx.cwd, o.publicKey), 'utf8');
  } catch (err) {
    throw new MiniappError('FILE_UNREADABLE', { path: o.publicKey, reason: (err as Error).message }, { cause: err });
  }
}

/** Actions on the store itself, as the operator (also what `--registry URL` does over HTTP, for those with a route). */
const LOCAL: Record<string, Local> = {
  'partner add': (r, me, rest, o) => r.addPartner(me, { id: need(rest, 0, 'the partner id', 'partner add'), name: o.name, permissions: o.permissions ?? [] }),
  'partner list': (r, me) => r.listPartners(me),
  'partner permissions': (r, me, rest, o) => r.setPartnerPermissions(me, need(rest, 0, 'the partner id', 'partner permissions'), o.permissions ?? []),
  'key add': async (r, me, rest, o, ctx) => r.addKey(me, need(rest, 0, 'the partner id', 'key add'), { publicKey: await publicKey(o, ctx), appIds: o.appIds }),
  'key rotate': async (r, me, rest, o, ctx) => r.rotateKey(me, need(rest, 0, 'the key id to replace', 'key rotate'), { publicKey: await publicKey(o, ctx), appIds: o.appIds }),
  'key revoke': (r, me, rest) => r.revokeKey(me, need(rest, 0, 'the key id', 'key revoke')),
  'key list': (r, me, rest) => r.listKeys(me, rest[0]),
  'token create': (r, me, _rest, o) => r.createToken(me, { role: o.role ?? 'partner', partnerId: o.partner, label: o.label }),
  'token revoke': async (r, me, rest) => {
    await r.revokeToken(me, need(rest, 0, 'the token id', 'token revoke'));
    return { revoked: rest[0] };
  },
  'token list': (r, me) => r.listTokens(me),
  'trust-store': async (r, me, _rest, o, ctx) => {
    const doc = await r.exportTrustStore(me);
    if (typeof o.out === 'string') await writeFileAtomic(resolve(ctx.cwd, o.out), `${JSON.stringify(doc, null, 2)}\n`);
    return doc;
  },
  release: (r, me, rest, o) => (({ appId, version }) => r.release(me, appId, version, { channel: o.channel, percent: o.percent }))(subject(rest, 'release')),
  rollout: (r, me, rest, o) => r.setRollout(me, need(rest, 0, 'the app id', 'rollout'), { channel: o.channel, percent: o.percent }),
  pause: (r, me, rest, o) => r.pause(me, need(rest, 0, 'the app id', 'pause'), { channel: o.channel }),
  resume: (r, me, rest, o) => r.resume(me, need(rest, 0, 'the app id', 'resume'), { channel: o.channel }),
  rollback: (r, me, rest, o) => r.rollback(me, need(rest, 0, 'the app id', 'rollback'), { channel: o.channel }),
  yank: (r, me, rest, o) => (({ appId, version }) => r.yank(me, appId, version, o.reason))(subject(rest, 'yank')),
  status: (r, _me, rest) => r.releases(need(rest, 0, 'the app id', 'status')),
  audit: (r, me, _rest, o) => r.auditLog(me, { after: o.after ?? 0 }),
};

const ch = (o: Options) => encodeURIComponent(o.channel ?? 'stable');
/** The same actions over HTTP with a token (partners' CI releases their own apps this way). */
const REMOTE: Record<string, Remote> = {
  release: (rest, o) => (({ appId, version }) => ({ path: `/api/apps/${encodeURIComponent(appId)}/releases`, body: { version, channel: o.channel, percent: o.percent } }))(subject(rest, 'release')),
  rollout: (rest, o) => ({ path: `/api/apps/${encodeURIComponent(need(rest, 0, 'the app id', 'rollout'))}/channels/${ch(o)}/rollout`, body: { percent: o.percent } }),
  pause: (rest, o) => ({ path: `/api/apps/${encodeURIComponent(need(rest, 0, 'the app id', 'pause'))}/channels/${ch(o)}/pause`, body: {} }),
  resume: (rest, o) => ({ path: `/api/apps/${encodeURIComponent(need(rest, 0, 'the app id', 'resume'))}/channels/${ch(o)}/resume`, body: {} }),
  rollback: (rest, o) => ({ path: `/api/apps/${encodeURIComponent(need(rest, 0, 'the app id', 'rollback'))}/channels/${ch(o)}/rollback`, body: {} }),
  yank: (rest, o) => (({ appId, version }) => ({ path: `/api/apps/${encodeURIComponent(appId)}/versions/${encodeURIComponent(version)}/yank`, body: { reason: o.reason } }))(subject(rest, 'yank')),
  status: (rest) => ({ path: `/api/apps/${encodeURIComponent(need(rest, 0, 'the app id', 'status'))}/releases` }),
  'trust-store': () => ({ path: '/api/trust-store' }),
  audit: (_rest, o) => ({ path: `/api/audit?after=${o.after ?? 0}` }),
};

const TWO_WORD = new Set(['partner', 'key', 'token']);

async function openLocal(o: Options, ctx: CommandContext, serving: boolean) {
  const { openRegistryStore } = await import('../registry/open.js');
  const { createRegistry } = await import('../registry/registry.js');
  const opened = await openRegistryStore({ data: o.data, database: o.database, schema: o.schema, cwd: ctx.cwd });
  return createRegistry({
    ...opened,
    conformance: serving ? o.conformance !== false : false,
    forbidSelfReview: o.allowSelfReview !== true,
    conformanceStartupBudgetMs: o.startupBudget,
    onError: (err) => ctx.logger.warn(`conformance: ${(err as Error).message}`),
  });
}

/** `miniapp registry <action>`: run the marketplace (serve) and administer it, on its store or over HTTP. */
export async function run(args: string[], options: Options, ctx: CommandContext): Promise<CommandResult> {
  const [first, ...tail] = args as [string, ...string[]];
  const action = TWO_WORD.has(first) && tail[0] ? `${first} ${tail[0]}` : first;
  const rest = TWO_WORD.has(first) ? tail.slice(1) : tail;
  if (action === 'serve') return serve(options, ctx);
  if (options.registry !== undefined) {
    const remote = REMOTE[action];
    if (!remote) throw new MiniappError('USAGE_ERROR', { reason: `registry ${action} works on the store only (--data/--database), not over --registry`, command: 'registry' });
    const { path, body } = remote(rest, options);
    const answer = await callRegistry(registryBase(options.registry), path, { token: await readToken(ctx.env, options.tokenFile, ctx.cwd), body, signal: ctx.signal });
    return answer.ok ? { ok: true, result: answer.result } : { ok: false, errors: answer.errors };
  }
  const local = LOCAL[action];
  if (!local) throw new MiniappError('USAGE_ERROR', { reason: `unknown registry action ${JSON.stringify(action)}: ${['serve', ...Object.keys(LOCAL)].join(', ')}`, command: 'registry' });
  const { operator } = await import('../registry/registry.js');
  const registry = await openLocal(options, ctx, false);
  try {
    return { ok: true, result: await local(registry, operator(), rest, options, ctx) };
  } finally {
    await registry.close();
  }
}

async function serve(options: Options, ctx: CommandContext): Promise<CommandResult> {
  const port = options.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MiniappError('SERVER_INVALID_PORT', { port });
  const registry = await openLocal(options, ctx, true);
  const { startRegistryServer } = await import('../registry/server.js');
  let server;
  try {
    server = await startRegistryServer({
      registry,
      host: options.host,
      port,
      maxUploadBytes: Math.round(options.maxUploadMb * 1024 * 1024),
      uploadTimeoutMs: options.uploadTimeoutMs,
      log: (line) => ctx.logger.info(line),
      onError: (err) => ctx.logger.warn(`internal error: ${(err as Error).stack ?? String(err)}`),
    });
  } catch (err) {
    await registry.close();
    throw err;
  }
  ctx.logger.progress(`registry listening on ${server.url} (${registry.store.kind} store: ${registry.store.where}); Ctrl-C stops it after the requests in flight`);
  await new Promise<void>((done) => {
    if (ctx.signal.aborted) return done();
    ctx.signal.addEventListener('abort', () => done(), { once: true });
  });
  await server.close();
  return { ok: true, result: { url: server.url, store: registry.store.kind, stopped: true } };
}

export function render(outcome: CommandResult): string {
  const r = outcome.result as Record<string, unknown> | unknown[] | undefined;
  if (r === undefined) return '';
  if (r && !Array.isArray(r) && typeof r.token === 'string') {
    // Shown exactly once: the registry keeps only its hash.
    return `token ${String((r.record as { id: string }).id)} created; it is shown only now, store it as a secret:\n${r.token}`;
  }
  return JSON.stringify(r, null, 2);
}
