import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openAuditLog } from '../src/host/audit.js';
import { installPackage, type InstallReport } from '../src/host/install.js';
import { appIdMatches, parseTrustStore } from '../src/host/trust-store.js';
import { appPackage, registry, registryJson, signedPackage, tempDir, testKey, writeTemp } from './helpers/host-fixtures.js';
import { rawZip } from './helpers/raw-zip.js';
import { signPackage } from '../src/signing/sign.js';

const HOST = '3.4.0';

async function install(bytes: Buffer, opts: Partial<Parameters<typeof installPackage>[0]> = {}) {
  const dir = tempDir();
  const appsDir = opts.appsDir ?? join(dir, 'apps');
  const source = writeTemp(dir, 'app.zip', bytes);
  const report = await installPackage({ source, appsDir, hostVersion: HOST, trustStore: registry(), ...opts });
  return { report, appsDir };
}

const stepOf = (r: InstallReport, name: string) => r.steps.find((s) => s.step === name);
/** Everything under appsDir (an install that fails must leave nothing, not even a temp dir). */
const tree = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);

describe('install pipeline', () => {
  it('installs a signed package by an authorised partner key, private and activated', async () => {
    const { report, appsDir } = await install(signedPackage());
    expect(report.ok).toBe(true);
    expect(report.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'fetch:passed',
      'signature:passed',
      'structure:passed',
      'key-authorised:passed',
      'host-version:passed',
      'permissions:passed',
      'downgrade:passed',
      'extract:passed',
      'activate:passed',
    ]);
    expect(report.partner).toBe('partner0');
    const dir = report.dir!;
    expect(readFileSync(join(dir, 'app.js'), 'utf8')).toContain('started');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'manifest.json')).mode & 0o777).toBe(0o600);
    expect(report.state).toMatchObject({ id: 'com.partner.loans', active: '2.3.1' });
    expect(tree(appsDir).some((p) => p.includes('.extract-'))).toBe(false);
  });

  it.each([
    [
      'tampered byte',
      () => {
        const b = signedPackage();
        b[40] ^= 1;
        return b;
      },
      {},
      'signature',
      'SIGNATURE_INVALID',
    ],
    ['key not in the registry', () => signedPackage({}, {}, testKey(1)), {}, 'signature', 'SIGNATURE_UNKNOWN_KEY'],
    ['key may sign other ids only', () => signedPackage(), { trustStore: registry([{ appIds: ['com.other.*', 'com.partner'] }]) }, 'key-authorised', 'KEY_NOT_AUTHORISED'],
    ['host too old', () => signedPackage({ minHostVersion: '3.4.0' }), { hostVersion: '3.3.9' }, 'host-version', 'HOST_UPDATE_REQUIRED'],
    ['permission the partner may not use', () => signedPackage({ permissions: ['payment', 'camera'] }), {}, 'permissions', 'PERMISSION_NOT_ALLOWED'],
    ['unsigned package on a host', () => appPackage(), {}, 'signature', 'PACKAGE_UNSIGNED'],
    ['signed package without a trust store', () => signedPackage(), { trustStore: undefined }, 'signature', 'TRUST_STORE_MISSING'],
  ] as const)('refuses %s at its step, writing nothing', async (_name, make, opts, step, code) => {
    const { report, appsDir } = await install(make(), opts as object);
    expect(report.ok).toBe(false);
    expect(report.code).toBe(code);
    expect(stepOf(report, step)).toMatchObject({ status: 'failed', code });
    expect(report.steps.at(-1)!.step).toBe(step);
    expect(tree(appsDir)).toEqual([]);
  });

  it('decides a minHostVersion newer than any host this toolchain knows by the host version, as a host must', async () => {
    // Built and signed by a newer toolchain for host 3.5.0; this host (3.4.0) cannot know that version.
    const newer = signPackage(appPackage({ minHostVersion: '3.5.0' }), testKey().privateKey, { newestHostVersion: '3.5.0' }).bytes;
    const { report, appsDir } = await install(newer);
    expect(report).toMatchObject({ ok: false, code: 'HOST_UPDATE_REQUIRED' });
    expect(stepOf(report, 'host-version')).toMatchObject({ status: 'failed', code: 'HOST_UPDATE_REQUIRED' });
    expect(tree(appsDir)).toEqual([]);
    expect((await install(newer, { hostVersion: '3.5.0' })).report).toMatchObject({ ok: true });
    expect((await install(appPackage({ minHostVersion: '3.5.0' }), { allowUnsigned: true, trustStore: undefined })).report).toMatchObject({ ok: false, code: 'HOST_UPDATE_REQUIRED' });
  });

  it('refuses a downgrade and keeps the installed version', async () => {
    const appsDir = join(tempDir(), 'apps');
    expect((await install(signedPackage({ version: '2.0.0' }), { appsDir })).report.ok).toBe(true);
    const { report } = await install(signedPackage({ version: '1.9.9' }), { appsDir });
    expect(report).toMatchObject({ ok: false, code: 'DOWNGRADE' });
    const next = await install(signedPackage({ version: '2.1.0' }), { appsDir });
    expect(next.report.state).toMatchObject({ active: '2.1.0', previous: '2.0.0' });
  });

  it('accepts an unsigned package only in work-in-progress mode, showing the signature steps skipped', async () => {
    const { report } = await install(appPackage(), { allowUnsigned: true, trustStore: undefined });
    expect(report.ok).toBe(true);
    expect(report.steps.filter((s) => s.status === 'skipped').map((s) => s.step)).toEqual(['signature', 'key-authorised', 'permissions']);
  });

  it.each([
    ['a path escaping the package', [{ name: '../evil.js', data: 'x' }], 'PACKAGE_UNSAFE_NAME'],
    ['a symlink entry', [{ name: 'link', data: '/etc/passwd', madeBy: 0x0314, external: (0o120777 << 16) >>> 0 }], 'PACKAGE_NOT_REGULAR_FILE'],
    ['a CRC that does not match', [{ name: 'bad.js', data: 'payload', crc: 1234 }], 'PACKAGE_CRC_MISMATCH'],
    ['names colliding after case folding', [{ name: 'App.js', data: 'x' }], 'PACKAGE_DUPLICATE_NAME'],
  ])('refuses a hostile package with %s before extracting anything', async (_name, extra, code) => {
    const bytes = rawZip([
      { name: 'manifest.json', data: JSON.stringify({ id: 'com.partner.loans', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }) },
      { name: 'index.html', data: '<p>x</p>' },
      { name: 'app.js', data: 'x' },
      ...extra,
    ]);
    const { report, appsDir } = await install(bytes, { allowUnsigned: true });
    expect(report).toMatchObject({ ok: false, code });
    expect(stepOf(report, 'structure')).toMatchObject({ status: 'failed', code });
    expect(tree(appsDir)).toEqual([]);
  });

  it('removes the temporary directory when extraction fails', async () => {
    const appsDir = join(tempDir(), 'apps');
    // A file where the versions directory must go makes extraction fail half-way.
    mkdirSync(join(appsDir, 'com.partner.loans'), { recursive: true });
    writeFileSync(join(appsDir, 'com.partner.loans', 'versions'), 'in the way');
    const { report } = await install(signedPackage(), { appsDir });
    expect(report).toMatchObject({ ok: false, code: 'INSTALL_FAILED' });
    expect(tree(appsDir).sort()).toEqual(['com.partner.loans', 'com.partner.loans/versions']);
  });

  it('records every step and the verdict in the audit log', async () => {
    const dir = tempDir();
    const audit = openAuditLog({ path: join(dir, 'audit.jsonl') });
    await install(signedPackage({ permissions: ['camera'] }), { audit });
    audit.close();
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['host.start', ...Array(6).fill('install.step'), 'install.verdict', 'host.stop']);
    expect(lines.at(-2)).toMatchObject({ verdict: 'refused', code: 'PERMISSION_NOT_ALLOWED', app: 'com.partner.loans', partner: 'partner0' });
    expect(new Set(lines.map((l) => l.run)).size).toBe(1);
    expect(statSync(join(dir, 'audit.jsonl')).mode & 0o777).toBe(0o600);
  });
});

describe('install fetch over http', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('downloads and installs from a URL', async () => {
    const bytes = signedPackage();
    const url = await serve((_req, res) => res.end(bytes));
    const report = await installPackage({ source: `${url}/app.zip`, appsDir: join(tempDir(), 'apps'), hostVersion: HOST, trustStore: registry() });
    expect(report.ok).toBe(true);
  });

  it('stops a download over the size cap and one past its deadline', async () => {
    const endless = await serve((_req, res) => {
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    const big = await installPackage({ source: endless, appsDir: join(tempDir(), 'apps'), hostVersion: HOST, trustStore: registry(), fetch: { maxBytes: 1_000_000 } });
    expect(big).toMatchObject({ ok: false, code: 'FETCH_TOO_LARGE' });
    const hanging = await serve(() => undefined);
    const slow = await installPackage({ source: hanging, appsDir: join(tempDir(), 'apps'), hostVersion: HOST, trustStore: registry(), fetch: { timeoutMs: 200 } });
    expect(slow).toMatchObject({ ok: false, code: 'FETCH_TIMEOUT' });
    const missing = await installPackage({ source: `${hanging.replace(/:\d+$/, ':1')}/x.zip`, appsDir: join(tempDir(), 'apps'), hostVersion: HOST, trustStore: registry() });
    expect(missing).toMatchObject({ ok: false, code: 'FETCH_FAILED' });
  });
});

describe('trust store', () => {
  it('matches exact ids and patterns on a label boundary', () => {
    expect(appIdMatches('com.partner.*', 'com.partner.loans')).toBe(true);
    expect(appIdMatches('com.partner.*', 'com.partner')).toBe(false);
    expect(appIdMatches('com.partner.*', 'com.partnerevil.loans')).toBe(false);
    expect(appIdMatches('com.partner.loans', 'com.partner.loans2')).toBe(false);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['no partners', '{}', /"partners"/],
    ['a wildcard for everything', registryJson().replace('com.partner.*', '*'), /appIds/],
    ['a mislabelled key id', JSON.stringify({ partners: [{ id: 'p', keys: [{ publicKey: testKey().publicPem, keyId: 'sha256:' + '0'.repeat(64), appIds: ['a.b'] }] }] }), /keyId says/],
    ['a private key', JSON.stringify({ partners: [{ id: 'p', keys: [{ publicKey: testKey().privateKey.export({ type: 'pkcs8', format: 'pem' }), appIds: ['a.b'] }] }] }), /KEY|private/i],
  ])('refuses a registry with %s', (_name, text, reason) => {
    expect(() => parseTrustStore(text, 'r.json')).toThrow(expect.objectContaining({ code: 'TRUST_STORE_INVALID', message: expect.stringMatching(reason) }));
  });
});
