import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideInstall, installPackage, type InstallReport } from '../src/host/install.js';
import { appPackage, registry, signedPackage, tempDir, testKey } from './helpers/host-fixtures.js';
import { rawZip } from './helpers/raw-zip.js';

// decideInstall is the install pipeline without its writes: a registry vets uploads with it, so it must
// refuse exactly what installPackage refuses, at the same step with the same code, and write nothing.

const HOST = '3.4.0';
const tree = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : []);
const shape = (r: InstallReport) => ({ ok: r.ok, code: r.code, steps: r.steps.filter((s) => !['extract', 'activate'].includes(s.step)).map((s) => `${s.step}:${s.status}:${s.code ?? ''}`) });

async function both(bytes: Buffer, opts: { trustStore?: ReturnType<typeof registry>; hostVersion?: string; allowUnsigned?: boolean } = {}) {
  const options = { source: 'upload', bytes, hostVersion: HOST, trustStore: registry(), ...opts };
  const cwd = tempDir();
  const decided = await decideInstall({ ...options, cwd });
  expect(tree(cwd)).toEqual([]);
  const installed = await installPackage({ ...options, appsDir: join(tempDir(), 'apps') });
  return { decided, installed };
}

/** Unsigned (the signer refuses to sign these), decided in work-in-progress mode: the strict reader must still refuse them. */
const hostile = (extra: Parameters<typeof rawZip>[0]) =>
  rawZip([
    { name: 'manifest.json', data: JSON.stringify({ id: 'com.partner.loans', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }) },
    { name: 'index.html', data: '<p>x</p>' },
    ...extra,
  ]);
const wip = { allowUnsigned: true };

describe('decideInstall (the install decision, nothing written)', () => {
  it('passes a signed package by an authorised key with every check run and extract/activate skipped', async () => {
    const { decided, installed } = await both(signedPackage());
    expect(decided).toMatchObject({ ok: true, id: 'com.partner.loans', version: '2.3.1', partner: 'partner0', signed: true });
    expect(decided.steps.map((s) => `${s.step}:${s.status}`)).toEqual([
      'fetch:skipped',
      'signature:passed',
      'structure:passed',
      'key-authorised:passed',
      'host-version:passed',
      'permissions:passed',
      'downgrade:passed',
      'extract:skipped',
      'activate:skipped',
    ]);
    expect(decided.dir).toBeUndefined();
    expect(decided.state).toBeUndefined();
    expect(shape(decided)).toEqual(shape(installed));
  });

  it.each([
    [
      'a tampered byte',
      () => {
        const b = signedPackage();
        b[40] ^= 1;
        return b;
      },
      {},
      'SIGNATURE_INVALID',
    ],
    ['a key not in the registry', () => signedPackage({}, {}, testKey(1)), {}, 'SIGNATURE_UNKNOWN_KEY'],
    ['a key that may sign other ids only', () => signedPackage(), { trustStore: registry([{ appIds: ['com.other.*'] }]) }, 'KEY_NOT_AUTHORISED'],
    ['a permission the partner may not use', () => signedPackage({ permissions: ['payment', 'camera'] }), {}, 'PERMISSION_NOT_ALLOWED'],
    ['an unsigned package', () => appPackage(), {}, 'PACKAGE_UNSIGNED'],
    ['a host too old', () => signedPackage({ minHostVersion: '3.4.0' }), { hostVersion: '3.3.9' }, 'HOST_UPDATE_REQUIRED'],
    ['a CRC that does not match, deep in the archive', () => hostile([{ name: 'deep/bad.js', data: 'payload'.repeat(1000), method: 8, crc: 1234 }]), wip, 'PACKAGE_CRC_MISMATCH'],
    ['a path escaping the package', () => hostile([{ name: '../evil.js', data: 'x' }]), wip, 'PACKAGE_UNSAFE_NAME'],
    ['an invalid manifest', () => appPackage({ entryPoint: 'missing.html' }), wip, 'PACKAGE_MANIFEST_INVALID'],
  ] as const)('refuses %s exactly as installPackage does', async (_name, make, opts, code) => {
    const { decided, installed } = await both(make(), opts as object);
    expect(decided).toMatchObject({ ok: false, code });
    expect(shape(decided)).toEqual(shape(installed));
  });

  it('refuses a version older than the installed one (DOWNGRADE) and accepts the same or a newer one', async () => {
    const bytes = signedPackage({ version: '2.3.1' });
    const base = { source: 'upload', bytes, hostVersion: HOST, trustStore: registry() };
    const older = await decideInstall({ ...base, installed: '2.4.0' });
    expect(older).toMatchObject({ ok: false, code: 'DOWNGRADE' });
    expect(older.steps.at(-1)).toMatchObject({ step: 'downgrade', status: 'failed', code: 'DOWNGRADE' });
    expect(await decideInstall({ ...base, installed: '2.3.1' })).toMatchObject({ ok: true });
    expect(await decideInstall({ ...base, installed: '2.3.0' })).toMatchObject({ ok: true });
  });
});
