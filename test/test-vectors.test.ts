import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSignedHeader, keyIdOf, loadPublicKey, locateSignature, signedData, trustPublicKey, verifyPackage } from '../src/index.js';
import { parseJsonOutput, repoRoot, runCli } from './helpers/cli.js';

const dir = join(repoRoot, 'test-vectors');
const vectors = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as {
  keyId: string;
  signedData: string;
  signature: string;
  cases: Array<{ package: string; pubkey: string; hostVersion?: string; expected: string; description: string }>;
};

describe('test-vectors/ still verify as documented', () => {
  it('the test-only key id is the SHA-256 of its SPKI DER', () => {
    const pub = loadPublicKey(readFileSync(join(dir, 'keys/test-only.pub.pem')), 'test-only.pub.pem');
    expect(keyIdOf(pub)).toBe(vectors.keyId);
  });

  for (const c of vectors.cases) {
    it(`${c.package}${c.hostVersion ? ` on host ${c.hostVersion}` : ''} → ${c.expected} (${c.description})`, async () => {
      const trust = await trustPublicKey(c.pubkey, dir);
      const outcome = await verifyPackage(readFileSync(join(dir, c.package)), { trust, hostVersion: c.hostVersion });
      expect(outcome.code).toBe(c.expected);
    });
  }

  it('one `miniapp verify` call gives every test-key case its documented code', async () => {
    const plain = vectors.cases.filter((c) => c.pubkey === 'keys/test-only.pub.pem' && !c.hostVersion);
    const r = await runCli(['verify', ...plain.map((c) => c.package), '--pubkey', 'keys/test-only.pub.pem', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.result.packages.map((p: { path: string; code: string }) => [p.path, p.code])).toEqual(plain.map((c) => [c.package, c.expected]));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('good.signed-data.bin and good.signature.bin are what good.zip carries, and openssl verifies them', () => {
    const good = readFileSync(join(dir, 'packages/good.zip'));
    const located = locateSignature(good)!;
    expect(signedData(located.block.header, located.archive).equals(readFileSync(join(dir, vectors.signedData)))).toBe(true);
    expect(Buffer.from(located.block.signature).equals(readFileSync(join(dir, vectors.signature)))).toBe(true);
    expect(decodeSignedHeader(located.block.header)).toEqual({ format: 1, keyId: vectors.keyId, id: 'com.example.vectors', version: '1.2.0', minHostVersion: '3.1.0' });
    const out = execFileSync(
      'openssl',
      ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-verify', 'keys/test-only.pub.pem', '-signature', vectors.signature, vectors.signedData],
      { cwd: dir },
    ).toString();
    expect(out.trim()).toBe('Verified OK');
  });
});

describe('verify --json lists each refused package in errors', () => {
  it('one entry per refused package, with its code and file; none for a good one', async () => {
    const { runCli, parseJsonOutput } = await import('./helpers/cli.js');
    const r = await runCli(['verify', 'test-vectors/packages/good.zip', 'test-vectors/packages/tampered-entry.zip', '--pubkey', 'test-vectors/keys/test-only.pub.pem', '--json']);
    expect(r.code).toBe(1);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.result.passed).toBe(1);
    expect(doc.errors).toEqual([expect.objectContaining({ code: 'SIGNATURE_INVALID', file: 'test-vectors/packages/tampered-entry.zip' })]);
  });
});
