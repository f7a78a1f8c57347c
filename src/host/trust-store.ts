import type { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { keyIdOf, loadPublicKey } from '../signing/keys.js';

/**
 * The host's trust store: a partner registry. Each partner has public keys, the app ids each key may
 * sign (exact ids or `com.partner.*` patterns) and the bridge permissions the partner may use. File form:
 *
 *   { "partners": [ { "id": "acme", "name": "Acme", "permissions": ["storage", "payment"],
 *       "keys": [ { "publicKey": "-----BEGIN PUBLIC KEY-----...", "appIds": ["com.acme.*"] } ] } ] }
 *
 * A key's id is computed from its SPKI (never taken from the file), so a registry cannot mislabel a key.
 */
export interface TrustedKey {
  keyId: string;
  key: KeyObject;
  appIds: readonly string[];
  partner: TrustedPartner;
}

export interface TrustedPartner {
  id: string;
  name?: string;
  permissions: ReadonlySet<string>;
}

export interface TrustStore {
  readonly keys: ReadonlyMap<string, TrustedKey>;
  readonly partners: readonly TrustedPartner[];
  source: string;
}

/** Reverse-DNS labels as in the manifest's id, optionally ending in `.*` (a bare `*` is refused: no key signs everything). */
const APP_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?:\.\*)?$/;

/** Whether an app-id pattern admits an id: exact, or `prefix.*` for ids strictly below the prefix. */
export function appIdMatches(pattern: string, id: string): boolean {
  if (pattern.endsWith('.*')) return id.startsWith(pattern.slice(0, -1)) && id.length > pattern.length - 1;
  return pattern === id;
}

export function keyMaySign(key: TrustedKey, id: string): boolean {
  return key.appIds.some((p) => appIdMatches(p, id));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(value: unknown, where: string, source: string, check?: (s: string) => boolean): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || (check && !check(v)))) {
    throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `${where} must be an array of ${check ? 'valid ' : ''}strings` });
  }
  return value as string[];
}

/** Parses and checks a partner registry; every key is loaded with the signing key policy. */
export function parseTrustStore(text: string, source: string): TrustStore {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `it is not JSON (${(err as Error).message})` }, { cause: err });
  }
  if (!isObject(value) || !Array.isArray(value.partners)) throw new MiniappError('TRUST_STORE_INVALID', { source, reason: 'it has no "partners" array' });
  const keys = new Map<string, TrustedKey>();
  const partners: TrustedPartner[] = [];
  const seen = new Set<string>();
  value.partners.forEach((p, i) => {
    const at = `partners[${i}]`;
    if (!isObject(p) || typeof p.id !== 'string' || !p.id) throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `${at} needs a string "id"` });
    if (seen.has(p.id)) throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `partner ${JSON.stringify(p.id)} is listed twice` });
    seen.add(p.id);
    const partner: TrustedPartner = {
      id: p.id,
      name: typeof p.name === 'string' ? p.name : undefined,
      permissions: new Set(stringList(p.permissions ?? [], `${at}.permissions`, source)),
    };
    partners.push(partner);
    if (!Array.isArray(p.keys)) throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `${at}.keys must be an array` });
    p.keys.forEach((k, j) => {
      const kat = `${at}.keys[${j}]`;
      if (!isObject(k) || typeof k.publicKey !== 'string') throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `${kat} needs a "publicKey" PEM string` });
      const appIds = stringList(k.appIds, `${kat}.appIds`, source, (s) => APP_ID_PATTERN.test(s));
      let key: KeyObject;
      try {
        key = loadPublicKey(k.publicKey, `${source} ${kat}`);
      } catch (err) {
        throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `${kat}: ${(err as Error).message}` }, { cause: err });
      }
      const keyId = keyIdOf(key);
      if (k.keyId !== undefined && k.keyId !== keyId) {
        throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `${kat}.keyId says ${String(k.keyId)} but the key's id is ${keyId}` });
      }
      if (keys.has(keyId)) throw new MiniappError('TRUST_STORE_INVALID', { source, reason: `key ${keyId} is listed twice` });
      keys.set(keyId, { keyId, key, appIds, partner });
    });
  });
  return { keys, partners, source };
}

export async function loadTrustStore(path: string, cwd = process.cwd()): Promise<TrustStore> {
  let text: string;
  try {
    text = await fs.readFile(resolve(cwd, path), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MiniappError('PATH_NOT_FOUND', { path }, { cause: err });
    throw new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
  }
  return parseTrustStore(text, path);
}
