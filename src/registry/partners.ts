import { createHash, randomBytes } from 'node:crypto';
import { MiniappError } from '../core/errors/index.js';
import { parseTrustStore, type TrustStore } from '../host/index.js';
import { keyIdOf, loadPublicKey } from '../signing/keys.js';
import { requireRole, type RegistryContext } from './context.js';
import { UniqueViolation } from './sql.js';
import { ROLES, type Actor, type Partner, type Role, type SigningKeyRecord, type TokenRecord } from './types.js';

const PARTNER_ID = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const TOKEN_PREFIX = 'mrt_';

export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** The trust-store file hosts read (`install --trust-store`), from the registry's partners and live keys. */
export async function exportTrustStore(ctx: RegistryContext, extraKey?: SigningKeyRecord): Promise<{ partners: unknown[] }> {
  const [partners, keys] = await Promise.all([ctx.store.partners(), ctx.store.keys()]);
  if (extraKey) keys.push(extraKey);
  return {
    partners: partners.map((p) => ({
      id: p.id,
      ...(p.name ? { name: p.name } : {}),
      permissions: p.permissions,
      keys: keys.filter((k) => k.partnerId === p.id).map((k) => ({ keyId: k.keyId, publicKey: k.publicKey, appIds: k.appIds })),
    })),
  };
}

/** The same, parsed by the hosts' own trust-store reader: what the publish decision checks against. */
export async function trustStoreOf(ctx: RegistryContext): Promise<TrustStore> {
  return parseTrustStore(JSON.stringify(await exportTrustStore(ctx)), 'registry');
}

function stringArray(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v)) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `${field} must be an array of non-empty strings` });
  return [...new Set(value as string[])];
}

export async function addPartner(ctx: RegistryContext, actor: Actor, input: { id?: unknown; name?: unknown; permissions?: unknown }): Promise<Partner> {
  requireRole(actor, [], 'register partners');
  if (typeof input.id !== 'string' || !PARTNER_ID.test(input.id))
    throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `partner id ${JSON.stringify(input.id)} must be 1-63 lower-case letters, digits, ".", "_" or "-"` });
  if (input.name !== undefined && typeof input.name !== 'string') throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'name must be a string' });
  const partner: Partner = { id: input.id, name: input.name as string | undefined, permissions: stringArray(input.permissions ?? [], 'permissions'), createdAt: ctx.now() };
  try {
    await ctx.change(
      () => ({ actor: actor.name, action: 'partner.added', subject: `partner:${partner.id}`, detail: { name: partner.name, permissions: partner.permissions } }),
      (tx) => tx.insertPartner(partner),
    );
  } catch (err) {
    if (err instanceof UniqueViolation) throw new MiniappError('REGISTRY_EXISTS', { what: 'partner', name: partner.id });
    throw err;
  }
  return partner;
}

export async function setPartnerPermissions(ctx: RegistryContext, actor: Actor, id: string, permissions: unknown): Promise<Partner> {
  requireRole(actor, [], 'change partner permissions');
  const before = await ctx.store.partner(id);
  if (!before) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'partner', name: id });
  const list = stringArray(permissions, 'permissions');
  await ctx.change(
    () => ({ actor: actor.name, action: 'partner.permissions', subject: `partner:${id}`, detail: { from: before.permissions, to: list } }),
    (tx) => tx.updatePartner(id, { permissions: list }),
  );
  return { ...before, permissions: list };
}

/** A key record checked the way hosts will read it: the trust-store parser with this key added. */
async function checkedKey(ctx: RegistryContext, partnerId: string, publicKey: unknown, appIds: unknown): Promise<SigningKeyRecord> {
  if (!(await ctx.store.partner(partnerId))) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'partner', name: partnerId });
  if (typeof publicKey !== 'string') throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'publicKey must be a PEM string' });
  const key = loadPublicKey(publicKey, 'the public key');
  const record: SigningKeyRecord = { keyId: keyIdOf(key), partnerId, publicKey: key.export({ type: 'spki', format: 'pem' }).toString(), appIds: stringArray(appIds, 'appIds'), createdAt: ctx.now() };
  const existing = await ctx.store.key(record.keyId);
  if (existing)
    throw new MiniappError('REGISTRY_EXISTS', {
      what: 'key',
      name: record.keyId,
      why: existing.revokedAt ? 'A revoked key is never reinstated: make a new key pair.' : `It belongs to partner ${JSON.stringify(existing.partnerId)}.`,
    });
  parseTrustStore(JSON.stringify(await exportTrustStore(ctx, record)), 'registry'); // TRUST_STORE_INVALID names the fault
  return record;
}

export async function addKey(ctx: RegistryContext, actor: Actor, partnerId: string, input: { publicKey?: unknown; appIds?: unknown }): Promise<SigningKeyRecord> {
  requireRole(actor, [], 'register keys');
  const record = await checkedKey(ctx, partnerId, input.publicKey, input.appIds);
  await insertKeys(ctx, actor, record);
  return record;
}

/** A new key in, the old one out, in one transaction: there is no moment with neither or both. */
export async function rotateKey(ctx: RegistryContext, actor: Actor, oldKeyId: string, input: { publicKey?: unknown; appIds?: unknown }): Promise<SigningKeyRecord> {
  requireRole(actor, [], 'rotate keys');
  const old = await ctx.store.key(oldKeyId);
  if (!old || old.revokedAt) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'live key', name: oldKeyId });
  const record = await checkedKey(ctx, old.partnerId, input.publicKey, input.appIds ?? old.appIds);
  await insertKeys(ctx, actor, record, old.keyId);
  return record;
}

async function insertKeys(ctx: RegistryContext, actor: Actor, record: SigningKeyRecord, replaces?: string): Promise<void> {
  const entries = [{ actor: actor.name, action: 'key.added', subject: `key:${record.keyId}`, detail: { partner: record.partnerId, appIds: record.appIds, replaces } }];
  if (replaces) entries.push({ actor: actor.name, action: 'key.revoked', subject: `key:${replaces}`, detail: { partner: record.partnerId, appIds: [], replaces: undefined } });
  try {
    await ctx.change(
      () => entries,
      async (tx) => {
        await tx.insertKey(record);
        if (replaces) await tx.revokeKey(replaces, record.createdAt);
      },
    );
  } catch (err) {
    if (err instanceof UniqueViolation) throw new MiniappError('REGISTRY_EXISTS', { what: 'key', name: record.keyId });
    throw err;
  }
}

export async function revokeKey(ctx: RegistryContext, actor: Actor, keyId: string): Promise<SigningKeyRecord> {
  requireRole(actor, [], 'revoke keys');
  const key = await ctx.store.key(keyId);
  if (!key) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'key', name: keyId });
  if (key.revokedAt) return key;
  const at = ctx.now();
  await ctx.change(
    () => ({ actor: actor.name, action: 'key.revoked', subject: `key:${keyId}`, detail: { partner: key.partnerId } }),
    (tx) => tx.revokeKey(keyId, at),
  );
  return { ...key, revokedAt: at };
}

/** A new API token: returned once, stored only as its SHA-256. */
export async function createToken(ctx: RegistryContext, actor: Actor, input: { role?: unknown; partnerId?: unknown; label?: unknown }): Promise<{ token: string; record: Omit<TokenRecord, 'hash'> }> {
  requireRole(actor, [], 'create tokens');
  const role = input.role as Role;
  if (!ROLES.includes(role)) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `role must be one of ${ROLES.join(', ')}` });
  const partnerId = input.partnerId === undefined || input.partnerId === null ? undefined : String(input.partnerId);
  if (role === 'partner' && !partnerId) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'a partner token needs the partner it acts for' });
  if (partnerId && !(await ctx.store.partner(partnerId))) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'partner', name: partnerId });
  const id = randomBytes(6).toString('hex');
  const token = `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
  const record: TokenRecord = { id, hash: hashToken(token), role, partnerId, label: typeof input.label === 'string' ? input.label : undefined, createdAt: ctx.now() };
  await ctx.change(
    () => ({ actor: actor.name, action: 'token.created', subject: `token:${id}`, detail: { role, partner: partnerId, label: record.label } }),
    (tx) => tx.insertToken(record),
  );
  const { hash: _hash, ...shown } = record;
  return { token, record: shown };
}

export async function revokeToken(ctx: RegistryContext, actor: Actor, id: string): Promise<void> {
  requireRole(actor, [], 'revoke tokens');
  const found = (await ctx.store.tokens()).find((t) => t.id === id);
  if (!found) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'token', name: id });
  if (found.revokedAt) return;
  await ctx.change(
    () => ({ actor: actor.name, action: 'token.revoked', subject: `token:${id}` }),
    (tx) => tx.revokeToken(id, ctx.now()),
  );
}

/** The actor a presented token stands for; any problem is the same refusal (no oracle for which tokens exist). */
export async function authenticate(ctx: RegistryContext, token: string | undefined): Promise<Actor> {
  if (!token || !token.startsWith(TOKEN_PREFIX) || token.length > 200) throw new MiniappError('REGISTRY_UNAUTHORIZED');
  const record = await ctx.store.tokenByHash(hashToken(token));
  if (!record || record.revokedAt) throw new MiniappError('REGISTRY_UNAUTHORIZED');
  return { name: `token:${record.id}`, role: record.role, partnerId: record.partnerId };
}
