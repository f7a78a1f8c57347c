import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readAppState } from '../src/host/app-store.js';
import { installPackage } from '../src/host/install.js';
import { createHostManager } from '../src/host/manager.js';
import { parseTrustStore } from '../src/host/trust-store.js';
import { signPackage } from '../src/signing/sign.js';
import { appPackage, tempDir, testKey } from './helpers/host-fixtures.js';
import { api, startTestRegistry, type StoreKind, type TestRegistry } from './helpers/registry.js';

const ID = 'com.partner.shop';
const HOST = '3.4.0';

/** A signed package of the shop app (2048-bit test keys: index 0 is acme's, 1 is beta's, 2 nobody's). */
export const shop = (manifest: Record<string, unknown> = {}, script = 'console.log("shop")', key = 0) =>
  Buffer.from(
    signPackage(appPackage({ id: ID, name: 'Shop', permissions: ['storage'], allowedDomains: [], ...manifest }, { 'app.js': script }), testKey(key).privateKey, { newestHostVersion: '99.0.0' }).bytes,
  );

export interface Tokens {
  acme: string;
  beta: string;
  reviewer: string;
  acmeReviewer: string;
}

/** acme (shop apps, storage and payment) and beta (its own apps), their keys, and tokens for each role. */
export async function seed(t: TestRegistry): Promise<Tokens> {
  const r = t.registry;
  await r.addPartner(t.admin, { id: 'acme', name: 'Acme', permissions: ['storage', 'payment'] });
  await r.addPartner(t.admin, { id: 'beta', permissions: ['storage'] });
  await r.addKey(t.admin, 'acme', { publicKey: testKey(0).publicPem, appIds: ['com.partner.*'] });
  await r.addKey(t.admin, 'beta', { publicKey: testKey(1).publicPem, appIds: ['com.beta.*'] });
  const token = async (role: string, partnerId?: string) => (await r.createToken(t.admin, { role, partnerId })).token;
  return { acme: await token('partner', 'acme'), beta: await token('partner', 'beta'), reviewer: await token('reviewer'), acmeReviewer: await token('reviewer', 'acme') };
}

export const publishBytes = (t: TestRegistry, token: string | undefined, bytes: Uint8Array) => api(t.url, '/api/publish', token, bytes);

/** publish → approve → release, over HTTP, as partner CI and a reviewer would. */
export async function shipVersion(t: TestRegistry, tokens: Tokens, bytes: Buffer, percent = 100, channel = 'stable') {
  const p = await publishBytes(t, tokens.acme, bytes);
  expect(p.status, JSON.stringify(p.json)).toBe(201);
  const subject = `${p.json.result.id}@${p.json.result.version}`;
  expect((await api(t.url, `/api/submissions/${subject}/approve`, tokens.reviewer, {})).status).toBe(200);
  const rel = await api(t.url, `/api/apps/${ID}/releases`, tokens.acme, { version: p.json.result.version, channel, percent });
  expect(rel.status, JSON.stringify(rel.json)).toBe(201);
  return p.json.result;
}

const countVersions = async (t: TestRegistry) => (await t.registry.store.versions()).length;
const blobFiles = (t: TestRegistry) => readdirSync(join(t.dir, 'blobs'), { recursive: true }).filter((f) => String(f).endsWith('.zip')).length;

/** The registry's behaviour, the same on each store. */
export function registrySuite(kind: StoreKind, pgUrl: () => string | undefined) {
  let t: TestRegistry;
  let tokens: Tokens;
  beforeAll(async () => {
    t = await startTestRegistry(kind, { pgUrl: pgUrl() });
    tokens = await seed(t);
  });
  afterAll(async () => t?.close());

  it('publish → review → staged release → the feed → a host manager updates, rolls back a crashing release, and sees update-required', async () => {
    const v1 = await shipVersion(t, tokens, shop({ version: '1.0.0' }));
    // miniapp install <url> as a host, against the trust store the registry exports.
    const trustStore = parseTrustStore(JSON.stringify((await api(t.url, '/api/trust-store', tokens.reviewer)).json.result), 'registry');
    const appsDir = join(tempDir(), 'apps');
    const installed = await installPackage({ source: `${t.url}/packages/${v1.sha256}.zip`, appsDir, hostVersion: HOST, trustStore });
    expect(installed).toMatchObject({ ok: true, id: ID, version: '1.0.0', partner: 'acme' });

    // A staged release to 25% reaches 25% ± 2% of 10,000 simulated devices, and a device's answer never flips.
    await shipVersion(t, tokens, shop({ version: '1.1.0' }), 25);
    const share = async () => {
      const got = new Map<string, string>();
      for (let i = 0; i < 10_000; i += 50) {
        const batch = Array.from({ length: 50 }, (_, k) => `device-${i + k}`);
        const answers = await Promise.all(batch.map((device) => t.registry.feed({ id: ID, device })));
        batch.forEach((device, k) => got.set(device, (answers[k] as { version: string }).version));
      }
      return got;
    };
    const at25 = await share();
    const newer = [...at25.values()].filter((v) => v === '1.1.0').length;
    expect(newer).toBeGreaterThanOrEqual(2300);
    expect(newer).toBeLessThanOrEqual(2700);
    expect((await api(t.url, `/api/apps/${ID}/channels/stable/rollout`, tokens.acme, { percent: 60 })).status).toBe(200);
    const at60 = await share();
    for (const [device, v] of at25) if (v === '1.1.0') expect(at60.get(device)).toBe('1.1.0');
    expect([...at60.values()].filter((v) => v === '1.1.0').length / 10_000).toBeCloseTo(0.6, 1);
    expect((await api(t.url, `/api/apps/${ID}/channels/stable/rollout`, tokens.acme, { percent: 30 })).json.errors[0].code).toBe('REGISTRY_ROLLOUT_INVALID');

    // The host manager, unchanged, polls the feed with a device inside the rollout (the feed URL carries channel and device).
    const device = [...at60].find(([, v]) => v === '1.1.0')![0];
    const feedUrl = `${t.url}/feed/stable/${device}`;
    const manager = createHostManager({
      appsDir,
      hostVersion: HOST,
      idleSuspendMs: 0,
      probationMs: 200,
      limits: { busyMs: 300 },
      checkIntervalMs: 50,
      updates: { feedUrl, trustStore, checkOnLaunch: false },
    });
    try {
      expect(await manager.checkUpdate(ID)).toMatchObject({ status: 'staged', available: '1.1.0' });
      expect((await manager.launch(ID)).manifest.version).toBe('1.1.0');
      await manager.stop(ID);
      await new Promise((r) => setTimeout(r, 300));

      // A release that hangs on its first launch on this host: staged, launched, rolled back to 1.1.0.
      await shipVersion(t, tokens, shop({ version: '1.2.0' }, 'const t0 = Date.now(); while (Date.now() - t0 < 2000) {}'));
      expect(await manager.checkUpdate(ID)).toMatchObject({ status: 'staged', available: '1.2.0' });
      expect((await manager.launch(ID)).manifest.version).toBe('1.1.0');
      expect(await readAppState(appsDir, ID)).toMatchObject({ active: '1.1.0', failed: '1.2.0' });
      await manager.stop(ID);

      // A version that needs a newer host: the feed says update-required; the host manager shows it without downloading.
      await shipVersion(t, tokens, shop({ version: '2.0.0', minHostVersion: '9.0.0' }));
      expect((await api(t.url, `/mini-programs/${ID}/version?hostVersion=${HOST}&device=${device}`, undefined)).json).toMatchObject({
        status: 'update-required',
        version: '2.0.0',
        minHostVersion: '9.0.0',
      });
      expect(await manager.checkUpdate(ID)).toMatchObject({ status: 'update-required', code: 'HOST_UPDATE_REQUIRED', available: '2.0.0' });
    } finally {
      await manager.close();
    }
  }, 90_000);

  it('refuses bad uploads with coded errors, stores nothing of them, and keeps serving', async () => {
    const before = { versions: await countVersions(t), blobs: blobFiles(t) };
    const tampered = shop({ version: '5.0.0' });
    tampered[60] ^= 1;
    const cases: Array<[string, string | undefined, Uint8Array, string, number]> = [
      ['unsigned', tokens.acme, appPackage({ id: ID, version: '5.0.0', permissions: ['storage'] }), 'PACKAGE_UNSIGNED', 422],
      ['tampered', tokens.acme, tampered, 'SIGNATURE_INVALID', 422],
      ['not a zip at all', tokens.acme, Buffer.from('<html>hostile</html>'.repeat(200)), 'PACKAGE_NOT_ZIP', 422],
      ['signed by a key nobody registered', tokens.acme, shop({ version: '5.0.0' }, undefined, 2), 'SIGNATURE_UNKNOWN_KEY', 422],
      ["a key not authorised for the app id (beta's key, beta's token)", tokens.beta, shop({ version: '5.0.0' }, undefined, 1), 'KEY_NOT_AUTHORISED', 422],
      ['a permission the partner may not use', tokens.acme, shop({ version: '5.0.0', permissions: ['storage', 'auth'] }), 'PERMISSION_NOT_ALLOWED', 422],
      ['a downgrade', tokens.acme, shop({ version: '0.9.0' }), 'DOWNGRADE', 422],
      ["another partner's token", tokens.beta, shop({ version: '5.0.0' }), 'REGISTRY_FOREIGN_SIGNER', 403],
      ['a wrong token', 'mrt_000000000000_nope', shop({ version: '5.0.0' }), 'REGISTRY_UNAUTHORIZED', 401],
      ['no token', undefined, shop({ version: '5.0.0' }), 'REGISTRY_UNAUTHORIZED', 401],
      ["a reviewer's token", tokens.reviewer, shop({ version: '5.0.0' }), 'REGISTRY_FORBIDDEN', 403],
    ];
    for (const [name, token, bytes, code, status] of cases) {
      const r = await publishBytes(t, token, bytes);
      expect({ name, status: r.status, code: r.json.errors?.[0]?.code }).toEqual({ name, status, code });
    }
    expect(await countVersions(t)).toBe(before.versions);
    expect(blobFiles(t)).toBe(before.blobs);
    expect(readdirSync(join(t.dir, 'tmp'))).toEqual([]);
    expect((await api(t.url, '/healthz', undefined)).status).toBe(200);
    expect((await api(t.url, '/readyz', undefined)).status).toBe(200);
  });

  it('the same bytes twice are one version, a replay is not a new version, concurrent publishes store one', async () => {
    const bytes = shop({ version: '3.0.0' });
    const results = await Promise.all([1, 2, 3, 4].map(() => publishBytes(t, tokens.acme, bytes)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(results.every((r) => r.json.result.sha256 === results[0]!.json.result.sha256)).toBe(true);
    const other = await Promise.all([shop({ version: '3.0.1' }), shop({ version: '3.0.1' }, 'console.log("other bytes")')].map((b) => publishBytes(t, tokens.acme, b)));
    expect(other.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(other.find((r) => r.status === 409)!.json.errors[0].code).toBe('REGISTRY_VERSION_EXISTS');
    expect((await t.registry.store.versions({ appId: ID })).filter((v) => v.version.startsWith('3.0.')).length).toBe(2);
  });

  it('review: a reviewer of the same partner may not approve, a rejection needs a reason, a rejected version is never released', async () => {
    const p = await publishBytes(t, tokens.acme, shop({ version: '4.0.0', permissions: ['storage', 'payment'] }));
    const subject = `${ID}@4.0.0`;
    expect((await api(t.url, `/api/submissions/${subject}/approve`, tokens.acmeReviewer, {})).json.errors[0].code).toBe('REGISTRY_SELF_REVIEW');
    expect((await api(t.url, `/api/submissions/${subject}/approve`, tokens.acme, {})).json.errors[0].code).toBe('REGISTRY_FORBIDDEN');
    expect((await api(t.url, `/api/submissions/${subject}/reject`, tokens.reviewer, {})).json.errors[0].code).toBe('REGISTRY_BAD_REQUEST');
    const shown = (await api(t.url, `/api/submissions/${subject}`, tokens.reviewer)).json.result;
    expect(shown).toMatchObject({ status: 'submitted', partner: 'acme', signer: { partner: 'acme', keyId: p.json.result.keyId }, permissionChanges: { added: ['payment'], removed: [] } });
    expect((await api(t.url, `/api/submissions/${subject}/reject`, tokens.reviewer, { reason: 'payment is not explained' })).json.result).toMatchObject({
      status: 'rejected',
      reason: 'payment is not explained',
    });
    expect((await api(t.url, `/api/submissions/${subject}/approve`, tokens.reviewer, {})).json.errors[0].code).toBe('REGISTRY_INVALID_STATE');
    expect((await api(t.url, `/api/apps/${ID}/releases`, tokens.acme, { version: '4.0.0' })).json.errors[0].code).toBe('REGISTRY_INVALID_STATE');
    // beta sees none of acme's submissions.
    expect((await api(t.url, `/api/submissions/${subject}`, tokens.beta)).status).toBe(404);
  });

  it('downloads are immutable with a strong ETag, 304 and Range', async () => {
    const v = (await t.registry.store.versions({ appId: ID }))[0]!;
    const url = `${t.url}/packages/${v.sha256}.zip`;
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('etag')).toBe(`"${v.sha256}"`);
    expect(full.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await full.arrayBuffer()).length).toBe(v.size);
    expect((await fetch(url, { headers: { 'if-none-match': `"${v.sha256}"` } })).status).toBe(304);
    const part = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${v.size}`);
    expect((await part.arrayBuffer()).byteLength).toBe(10);
    expect((await fetch(url, { headers: { range: `bytes=${v.size + 5}-` } })).status).toBe(416);
    expect((await fetch(`${t.url}/packages/${'0'.repeat(64)}.zip`)).status).toBe(404);
  });

  it('pause, rollback and yank change what the feed answers; revoked tokens and keys stop working; everything is audited', async () => {
    const feed = async () => (await api(t.url, `/mini-programs/${ID}/version?channel=beta&device=d1`, undefined)).json;
    expect((await feed()).errors[0].code).toBe('REGISTRY_NO_RELEASE');
    await api(t.url, `/api/submissions/${ID}@3.0.0/approve`, tokens.reviewer, {});
    await api(t.url, `/api/submissions/${ID}@3.0.1/approve`, tokens.reviewer, {});
    await api(t.url, `/api/apps/${ID}/releases`, tokens.acme, { version: '3.0.0', channel: 'beta' });
    await api(t.url, `/api/apps/${ID}/releases`, tokens.acme, { version: '3.0.1', channel: 'beta' });
    expect((await feed()).version).toBe('3.0.1');
    await api(t.url, `/api/apps/${ID}/channels/beta/pause`, tokens.acme, {});
    expect((await feed()).version).toBe('3.0.0');
    await api(t.url, `/api/apps/${ID}/channels/beta/resume`, tokens.acme, {});
    expect((await feed()).version).toBe('3.0.1');
    await api(t.url, `/api/apps/${ID}/channels/beta/rollback`, tokens.acme, {});
    expect((await feed()).version).toBe('3.0.0');
    expect((await api(t.url, `/api/apps/${ID}/versions/3.0.0/yank`, tokens.acme, { reason: 'bad build' })).status).toBe(200);
    expect((await feed()).errors[0].code).toBe('REGISTRY_NO_RELEASE');
    expect((await api(t.url, `/api/apps/${ID}/channels/beta/pause`, tokens.beta, {})).status).toBe(404);

    const temp = await t.registry.createToken(t.admin, { role: 'partner', partnerId: 'acme' });
    expect((await api(t.url, '/api/submissions', temp.token)).status).toBe(200);
    await t.registry.revokeToken(t.admin, temp.record.id);
    expect((await api(t.url, '/api/submissions', temp.token)).json.errors[0].code).toBe('REGISTRY_UNAUTHORIZED');
    expect(JSON.stringify(await t.registry.store.tokens())).not.toContain(temp.token);

    const key = (await t.registry.listKeys(t.admin, 'beta'))[0]!;
    await t.registry.revokeKey(t.admin, key.keyId);
    const exported = await t.registry.exportTrustStore(t.admin);
    expect(JSON.stringify(exported)).not.toContain(key.keyId);
    expect((await publishBytes(t, tokens.beta, signPackage(appPackage({ id: 'com.beta.app', version: '1.0.0', permissions: [] }), testKey(1).privateKey).bytes)).json.errors[0].code).toBe(
      'SIGNATURE_UNKNOWN_KEY',
    );

    const actions = (await t.registry.auditLog(t.admin)).map((e) => e.action);
    for (const a of [
      'partner.added',
      'key.added',
      'token.created',
      'version.published',
      'version.approved',
      'version.rejected',
      'release.created',
      'release.rollout',
      'release.pause',
      'release.rollback',
      'version.yanked',
      'token.revoked',
      'key.revoked',
    ])
      expect(actions).toContain(a);
    const first = (await t.registry.auditLog(t.admin))[0]!;
    await expect(
      t.registry.store.change(async () => {
        throw new Error('nothing');
      }),
    ).rejects.toThrow();
    expect((await t.registry.auditLog(t.admin))[0]).toEqual(first);
  });
}
