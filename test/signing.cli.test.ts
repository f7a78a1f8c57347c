import { execFileSync } from 'node:child_process';
import { createHash, webcrypto } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput, repoRoot, runCli } from './helpers/cli.js';
import { MANIFEST, validPackage } from './helpers/raw-zip.js';
import { tempDir } from './helpers/temp.js';

const vectors = join(repoRoot, 'test-vectors');
const testKey = join(vectors, 'keys/test-only.key.pem');
const testPub = join(vectors, 'keys/test-only.pub.pem');
const otherPub = join(vectors, 'keys/other-test-only.pub.pem');
const testKeyId = JSON.parse(readFileSync(join(vectors, 'expected.json'), 'utf8')).keyId as string;
const OPENSSL_LINE = ['dgst', '-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'];

function workdir(): string {
  const dir = tempDir('sign');
  writeFileSync(join(dir, 'app.zip'), validPackage());
  return dir;
}
const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
const noStack = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/\n\s+at /);
const codes = (stdout: string) => parseJsonOutput(stdout).errors.map((e: { code: string }) => e.code);

describe('miniapp keygen', () => {
  it('writes a 0600 PKCS#8 key and a public key, prints the key id, refuses to overwrite', async () => {
    const dir = workdir();
    const r = await runCli(['keygen', '--out', 'k', '--bits', '2048', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const result = parseJsonOutput(r.stdout).result;
    expect(result.keyId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(statSync(join(dir, 'k.key.pem')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'k.key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', 'k.pub.pem', '-outform', 'DER'], { cwd: dir });
    expect(`sha256:${createHash('sha256').update(der).digest('hex')}`).toBe(result.keyId);
    const before = readFileSync(join(dir, 'k.key.pem'));
    const again = await runCli(['keygen', '--out', 'k', '--bits', '2048'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('KEY_EXISTS');
    expect(readFileSync(join(dir, 'k.key.pem')).equals(before)).toBe(true);
    noStack(again);
  });

  it('creates the folder of the prefix, as in `keygen --out keys/partner` in a fresh project', async () => {
    const dir = workdir();
    const r = await runCli(['keygen', '--out', 'keys/partner', '--bits', '2048'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(statSync(join(dir, 'keys/partner.key.pem')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'keys/partner.pub.pem'))).toBe(true);
  });

  it('defaults to 3072 bits, encrypts with --passphrase-env, refuses < 2048 bits', async () => {
    const dir = workdir();
    const r = await runCli(['keygen', '--out', 'enc', '--passphrase-env', 'PW', '--json'], { cwd: dir, env: { PW: 'correct horse' } });
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r.stdout).result.bits).toBe(3072);
    expect(readFileSync(join(dir, 'enc.key.pem'), 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(openssl(['pkey', '-in', 'enc.key.pem', '-passin', 'pass:correct horse', '-text_pub', '-noout'], dir)).toMatch(/3072 bit/);
    const weak = await runCli(['keygen', '--out', 'w', '--bits', '1024'], { cwd: dir });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toContain('KEY_BITS_INVALID');
    expect(weak.stderr).not.toContain('generating');
    const noVar = await runCli(['keygen', '--out', 'n', '--passphrase-env', 'UNSET_VAR_X', '--json'], { cwd: dir });
    expect(noVar.code).toBe(2);
    expect(codes(noVar.stdout)).toEqual(['PASSPHRASE_ENV_MISSING']);
    expect(existsSync(join(dir, 'w.key.pem')) || existsSync(join(dir, 'n.key.pem'))).toBe(false);
  });
});

describe('miniapp sign / verify / inspect', () => {
  it('signs in place, writes the release descriptor, and verify reproduces the install decision', async () => {
    const dir = workdir();
    const r = await runCli(['sign', 'app.zip', '--key', testKey, '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const signed = readFileSync(join(dir, 'app.zip'));
    const descriptor = JSON.parse(readFileSync(join(dir, 'app.release.json'), 'utf8'));
    expect(descriptor).toMatchObject({
      id: MANIFEST.id,
      version: MANIFEST.version,
      minHostVersion: MANIFEST.minHostVersion,
      permissions: ['payment'],
      package: { file: 'app.zip', size: signed.length, sha256: createHash('sha256').update(signed).digest('hex') },
      signature: { keyId: testKeyId },
    });
    expect(Buffer.from(descriptor.signature.value, 'base64')).toHaveLength(256);

    let v = await runCli(['verify', 'app.zip', '--pubkey', testPub], { cwd: dir });
    expect(v.code).toBe(0);
    expect(v.stdout).toContain(`app.zip: OK ${MANIFEST.id}@${MANIFEST.version}`);
    v = await runCli(['verify', 'app.zip', '--pubkey', testPub, '--host-version', '2.9.0', '--json'], { cwd: dir });
    expect(v.code).toBe(1);
    expect(parseJsonOutput(v.stdout).result.packages[0]).toMatchObject({ ok: false, code: 'HOST_UPDATE_REQUIRED' });
    v = await runCli(['verify', 'app.zip', '--pubkey', testPub, '--host-version', '3.0.0'], { cwd: dir });
    expect(v.code).toBe(0);
    v = await runCli(['verify', 'app.zip', '--pubkey', otherPub, '--json'], { cwd: dir });
    expect(parseJsonOutput(v.stdout).result.packages[0].code).toBe('SIGNATURE_UNKNOWN_KEY');
  });

  it('refuses already-signed packages unless --resign; --out and MINIAPP_SIGNING_KEY', async () => {
    const dir = workdir();
    const pem = readFileSync(testKey, 'utf8');
    let r = await runCli(['sign', 'app.zip', '--out', 'signed.zip'], { cwd: dir, env: { MINIAPP_SIGNING_KEY: pem } });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'app.zip')).equals(validPackage())).toBe(true);
    expect(existsSync(join(dir, 'signed.release.json'))).toBe(true);
    r = await runCli(['sign', 'signed.zip', '--key', testKey, '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(codes(r.stdout)).toEqual(['PACKAGE_ALREADY_SIGNED']);
    r = await runCli(['sign', 'signed.zip', '--key', testKey, '--resign'], { cwd: dir });
    expect(r.code).toBe(0);
    expect((await runCli(['verify', 'signed.zip', '--pubkey', testPub], { cwd: dir })).code).toBe(0);
    r = await runCli(['sign', 'app.zip', '--json'], { cwd: dir, env: { MINIAPP_SIGNING_KEY: undefined } });
    expect(r.code).toBe(2);
    expect(codes(r.stdout)).toEqual(['KEY_MISSING']);
    r = await runCli(['sign', 'app.zip', '--key', testKey, '--out', 'release/app.zip'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'release/app.release.json'))).toBe(true);
  });

  it('refuses a package failing release validation or the signer pin, leaving the input intact', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'dev.zip'), validPackage({ ...MANIFEST, allowedDomains: ['localhost'] }));
    const before = readFileSync(join(dir, 'dev.zip'));
    let r = await runCli(['sign', 'dev.zip', '--key', testKey, '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(codes(r.stdout)[0]).toBe('SIGN_PACKAGE_INVALID');
    expect(readFileSync(join(dir, 'dev.zip')).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'dev.release.json'))).toBe(false);
    r = await runCli(['sign', 'dev.zip', '--key', testKey, '--profile', 'dev'], { cwd: dir });
    expect(r.code).toBe(0);

    writeFileSync(join(dir, 'pinned.zip'), validPackage({ ...MANIFEST, signature: `sha256:${'0'.repeat(64)}` }));
    r = await runCli(['sign', 'pinned.zip', '--key', testKey, '--json'], { cwd: dir });
    expect(codes(r.stdout)).toEqual(['SIGNER_PIN_MISMATCH']);
    writeFileSync(join(dir, 'pinned.zip'), validPackage({ ...MANIFEST, signature: testKeyId }));
    r = await runCli(['sign', 'pinned.zip', '--key', testKey], { cwd: dir });
    expect(r.code).toBe(0);
  });

  it('refuses bad keys with coded errors, exit 1, no stack trace', async () => {
    const dir = workdir();
    openssl(['genrsa', '-out', 'weak.pem', '1024'], dir);
    openssl(['genrsa', '-3', '-out', 'e3.pem', '2048'], dir);
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ec.pem'], dir);
    openssl(['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'pss.pem'], dir);
    openssl(['pkcs8', '-topk8', '-in', testKey, '-out', 'enc.pem', '-passout', 'pass:sekrit', '-v2', 'aes-256-cbc'], dir);
    writeFileSync(join(dir, 'garbage.pem'), 'this is not a key\n');
    writeFileSync(join(dir, 'broken.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--key', 'weak.pem'], {}, 'KEY_WEAK'],
      [['--key', 'e3.pem'], {}, 'KEY_WEAK'],
      [['--key', 'ec.pem'], {}, 'KEY_UNSUPPORTED'],
      [['--key', 'pss.pem'], {}, 'KEY_UNSUPPORTED'],
      [['--key', testPub], {}, 'KEY_NOT_PRIVATE'],
      [['--key', 'garbage.pem'], {}, 'KEY_NOT_PEM'],
      [['--key', 'broken.pem'], {}, 'KEY_NOT_PEM'],
      [['--key', 'missing.pem'], {}, 'KEY_UNREADABLE'],
      [['--key', dir], {}, 'KEY_UNREADABLE'],
      [['--key', 'enc.pem'], {}, 'KEY_PASSPHRASE_REQUIRED'],
      [['--key', 'enc.pem', '--passphrase-env', 'PW'], { PW: 'wrong' }, 'KEY_PASSPHRASE_WRONG'],
    ];
    for (const [flags, env, code] of cases) {
      const r = await runCli(['sign', 'app.zip', ...flags, '--json'], { cwd: dir, env });
      expect([flags.join(' '), r.code, codes(r.stdout)]).toEqual([flags.join(' '), 1, [code]]);
      noStack(r);
    }
    const r = await runCli(['sign', 'app.zip', '--key', 'enc.pem', '--passphrase-env', 'PW'], { cwd: dir, env: { PW: 'sekrit' } });
    expect(r.code).toBe(0);
    const v = await runCli(['verify', 'app.zip', '--pubkey', testKey, '--json'], { cwd: dir });
    expect([v.code, codes(v.stdout)]).toEqual([1, ['KEY_NOT_PUBLIC']]);
    const none = await runCli(['verify', 'app.zip'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('VERIFY_KEY_MISSING');
  });

  it('verifies many packages in one call, picking keys from a keyring by key id', async () => {
    const dir = workdir();
    const ring = join(dir, 'ring');
    mkdirSync(ring);
    copyFileSync(testPub, join(ring, 'partner.pub.pem'));
    copyFileSync(otherPub, join(ring, 'other.pub.pem'));
    for (let i = 0; i < 6; i++) copyFileSync(join(vectors, 'packages/good.zip'), join(dir, `p${i}.zip`));
    copyFileSync(join(vectors, 'packages/other-key.zip'), join(dir, 'other.zip'));
    copyFileSync(join(vectors, 'packages/tampered-entry.zip'), join(dir, 'bad.zip'));
    const names = ['p0.zip', 'p1.zip', 'p2.zip', 'p3.zip', 'p4.zip', 'p5.zip', 'other.zip'];
    let r = await runCli(['verify', ...names, '--keyring', 'ring', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r.stdout).result).toMatchObject({ passed: 7, failed: 0 });
    r = await runCli(['verify', ...names, 'bad.zip', 'nope.zip', '--keyring', 'ring'], { cwd: dir });
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('✓'))).toHaveLength(7);
    expect(lines.find((l) => l.startsWith('✗ bad.zip'))).toContain('SIGNATURE_INVALID');
    expect(lines.find((l) => l.startsWith('✗ nope.zip'))).toContain('PATH_NOT_FOUND');
  });

  it('the built library verifies many files on every lane (main thread + workers), in order, without a progress callback', async () => {
    const lib = await import('../dist/index.js');
    const trust = await lib.trustPublicKey(testPub, repoRoot);
    const paths = ['good.zip', 'tampered-entry.zip', 'good.zip', 'unsigned.zip', 'good.zip', 'missing.zip', 'good.zip', 'good.zip', 'other-key.zip', 'good.zip'];
    const verdicts = await lib.verifyFiles(paths, { cwd: join(vectors, 'packages'), trust, workers: 2 });
    expect(verdicts.map((v: { path: string; code: string }) => [v.path, v.code])).toEqual(
      paths.map((p) => [p, { 'tampered-entry.zip': 'SIGNATURE_INVALID', 'unsigned.zip': 'PACKAGE_UNSIGNED', 'missing.zip': 'PATH_NOT_FOUND', 'other-key.zip': 'SIGNATURE_UNKNOWN_KEY' }[p] ?? 'OK']),
    );
  });

  it('inspect shows the manifest, files and signer; --extract-signed output verifies with the documented openssl line', async () => {
    const dir = workdir();
    await runCli(['sign', 'app.zip', '--key', testKey], { cwd: dir });
    const r = await runCli(['inspect', 'app.zip', '--extract-signed', 'out', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const result = parseJsonOutput(r.stdout).result;
    expect(result).toMatchObject({
      manifest: { id: MANIFEST.id, version: MANIFEST.version },
      permissions: ['payment'],
      allowedDomains: ['api.partner.com'],
      signature: { status: 'signed', keyId: testKeyId },
    });
    expect(result.files.map((f: { name: string }) => f.name)).toEqual(['manifest.json', 'index.html', 'app.js']);
    copyFileSync(testPub, join(dir, 'pub.pem'));
    expect(result.extracted.opensslCommand).toBe('openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -verify pub.pem -signature out/signature.bin out/signed-data.bin');
    expect(execFileSync('sh', ['-c', result.extracted.opensslCommand], { cwd: dir }).toString().trim()).toBe('Verified OK');
    const human = await runCli(['inspect', 'app.zip', '--pubkey', testPub], { cwd: dir });
    expect(human.stdout).toContain(`signature:    verified, key ${testKeyId}`);
    expect(human.stdout).toMatch(/app\.js/);
    const unsigned = await runCli(['inspect', 'app.zip', '--extract-signed', 'x', '--json'], { cwd: workdir() });
    expect(codes(unsigned.stdout)).toEqual(['PACKAGE_UNSIGNED']);
  });
});

describe('interop with OpenSSL and WebCrypto', () => {
  it('accepts OpenSSL-made PKCS#1, PKCS#8 and encrypted PKCS#8 keys; their signatures verify with openssl', async () => {
    const dir = workdir();
    openssl(['genrsa', '-traditional', '-out', 'pkcs1.pem', '2048'], dir);
    expect(readFileSync(join(dir, 'pkcs1.pem'), 'utf8')).toMatch(/BEGIN RSA PRIVATE KEY/);
    openssl(['pkcs8', '-topk8', '-nocrypt', '-in', 'pkcs1.pem', '-out', 'pkcs8.pem'], dir);
    openssl(['pkcs8', '-topk8', '-in', 'pkcs1.pem', '-out', 'enc.pem', '-passout', 'pass:pw', '-v2', 'aes-256-cbc'], dir);
    openssl(['pkey', '-in', 'pkcs1.pem', '-pubout', '-out', 'pub.pem'], dir);
    for (const [key, env] of [
      ['pkcs1.pem', {}],
      ['pkcs8.pem', {}],
      ['enc.pem', { PW: 'pw' }],
    ] as const) {
      const out = `${key}.zip`;
      const r = await runCli(['sign', 'app.zip', '--key', key, '--out', out, ...('PW' in env ? ['--passphrase-env', 'PW'] : [])], { cwd: dir, env });
      expect(r.code).toBe(0);
      await runCli(['inspect', out, '--extract-signed', `x-${key}`], { cwd: dir });
      expect(openssl([...OPENSSL_LINE, '-verify', 'pub.pem', '-signature', `x-${key}/signature.bin`, `x-${key}/signed-data.bin`], dir).trim()).toBe('Verified OK');
    }
  });

  it('accepts a signature made by openssl over the documented signed data', async () => {
    const dir = workdir();
    await runCli(['sign', 'app.zip', '--key', testKey], { cwd: dir });
    await runCli(['inspect', 'app.zip', '--extract-signed', 'x'], { cwd: dir });
    openssl([...OPENSSL_LINE, '-sign', testKey, '-out', 'openssl.sig', 'x/signed-data.bin'], dir);
    const ours = readFileSync(join(dir, 'x/signature.bin'));
    const theirs = readFileSync(join(dir, 'openssl.sig'));
    expect(theirs.equals(ours)).toBe(false); // PSS is randomised
    const pkg = readFileSync(join(dir, 'app.zip'));
    const at = pkg.indexOf(ours);
    theirs.copy(pkg, at);
    writeFileSync(join(dir, 'app.zip'), pkg);
    const v = await runCli(['verify', 'app.zip', '--pubkey', testPub], { cwd: dir });
    expect(v.code).toBe(0);
  });

  it('WebCrypto RSA-PSS (saltLength 32) verifies our signature and rejects a tampered one', async () => {
    const dir = workdir();
    await runCli(['sign', 'app.zip', '--key', testKey], { cwd: dir });
    await runCli(['inspect', 'app.zip', '--extract-signed', 'x'], { cwd: dir });
    const der = execFileSync('openssl', ['pkey', '-pubin', '-in', testPub, '-outform', 'DER']);
    const key = await webcrypto.subtle.importKey('spki', der, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['verify']);
    const data = readFileSync(join(dir, 'x/signed-data.bin'));
    const sig = readFileSync(join(dir, 'x/signature.bin'));
    expect(await webcrypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, key, sig, data)).toBe(true);
    data[data.length - 30] ^= 1;
    expect(await webcrypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, key, sig, data)).toBe(false);
  });
});
