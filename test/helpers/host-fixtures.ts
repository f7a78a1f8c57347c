import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustStore, type TrustStore } from '../../src/host/trust-store.js';
import { signPackage } from '../../src/signing/sign.js';
import { MANIFEST, rawZip, type RawEntry } from './raw-zip.js';
import { tempDir as makeTempDir } from './temp.js';

/** Test keys are generated per run (2048 bits: the fastest size the key policy accepts). */
export interface TestKey {
  privateKey: KeyObject;
  publicPem: string;
}

const cache: TestKey[] = [];
export function testKey(index = 0): TestKey {
  while (cache.length <= index) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    cache.push({ privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  }
  return cache[index]!;
}

export const tempDir = (name = 'host') => makeTempDir(name);

export function appPackage(manifest: Record<string, unknown> = {}, files: Record<string, string> = {}, extra: RawEntry[] = []): Buffer {
  const m = { ...MANIFEST, ...manifest };
  const entries: Record<string, string> = {
    'index.html': '<!doctype html><title>App</title><script src="app.js"></script>',
    'app.js': 'window.started = true;\n',
    ...files,
  };
  return rawZip([{ name: 'manifest.json', data: JSON.stringify(m, null, 2) }, ...Object.entries(entries).map(([name, data]) => ({ name, data })), ...extra]);
}

export function signedPackage(manifest: Record<string, unknown> = {}, files: Record<string, string> = {}, key = testKey()): Buffer {
  return signPackage(appPackage(manifest, files), key.privateKey).bytes;
}

export interface PartnerSpec {
  id?: string;
  key?: TestKey;
  appIds?: string[];
  permissions?: string[];
}

export function registryJson(partners: PartnerSpec[] = [{}]): string {
  return JSON.stringify({
    partners: partners.map((p, i) => ({
      id: p.id ?? `partner${i}`,
      permissions: p.permissions ?? ['payment', 'storage', 'auth', 'network'],
      keys: [{ publicKey: (p.key ?? testKey()).publicPem, appIds: p.appIds ?? ['com.partner.*'] }],
    })),
  });
}

export const registry = (partners?: PartnerSpec[]): TrustStore => parseTrustStore(registryJson(partners), 'registry.json');

export function writeTemp(dir: string, name: string, data: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, data);
  return path;
}
