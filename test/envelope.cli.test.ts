import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envelopeProblems } from './helpers/envelope.js';
import { repoRoot, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

/**
 * The --json contract: exactly one document `{ok, command, result, errors, warnings}` on stdout for
 * every exit of every command (results, refusals, thrown errors, usage errors, --help, --version),
 * valid against schema/cli-envelope.schema.json, with the exit status agreeing with `ok`.
 */
const work = tempDir('envelope');
const vectors = join(repoRoot, 'test-vectors');
const v = (p: string) => join(vectors, p);
const unsignedCopy = join(work, 'app.zip');
copyFileSync(v('packages/unsigned.zip'), unsignedCopy);
writeFileSync(join(work, 'exists.key.pem'), 'x');

type Row = [label: string, args: string[], exit: number, code?: string];
const rows: Row[] = [
  ['top-level help', ['--help'], 0],
  ['version', ['--version'], 0],
  ["a command's help", ['verify', '--help'], 0],
  ['an unknown command', ['frobnicate'], 2, 'USAGE_ERROR'],
  ['a missing argument', ['verify'], 2, 'USAGE_ERROR'],
  ['an unknown flag', ['inspect', v('packages/good.zip'), '--frobnicate'], 2, 'USAGE_ERROR'],
  ['validate: a package', ['validate', v('packages/good.zip')], 0],
  ['validate: a missing path', ['validate', join(work, 'nope')], 1, 'PATH_NOT_FOUND'],
  ['keygen: no --out', ['keygen'], 2, 'USAGE_ERROR'],
  ['keygen: an existing key', ['keygen', '--out', join(work, 'exists'), '--bits', '2048'], 1, 'KEY_EXISTS'],
  ['keygen', ['keygen', '--out', join(work, 'fresh'), '--bits', '2048'], 0],
  ['sign', ['sign', unsignedCopy, '--key', v('keys/test-only.key.pem'), '--out', join(work, 'signed.zip')], 0],
  ['sign: a missing key file', ['sign', unsignedCopy, '--key', join(work, 'nope.pem')], 1, 'KEY_UNREADABLE'],
  ['verify: a refusal', ['verify', v('packages/tampered-entry.zip'), '--pubkey', v('keys/test-only.pub.pem')], 1, 'SIGNATURE_INVALID'],
  ['verify: a missing key file', ['verify', v('packages/good.zip'), '--pubkey', join(work, 'nope.pem')], 1, 'KEY_UNREADABLE'],
  ['inspect', ['inspect', v('packages/good.zip')], 0],
  ['inspect: a missing package', ['inspect', join(work, 'nope.zip')], 1, 'PATH_NOT_FOUND'],
  ['inspect: a package the reader refuses', ['inspect', v('packages/trailing-byte.zip')], 1, 'PACKAGE_TRAILING_BYTES'],
  ['inspect --pubkey: a bad signature', ['inspect', v('packages/tampered-header.zip'), '--pubkey', v('keys/test-only.pub.pem')], 1, 'SIGNATURE_INVALID'],
  ['run --pubkey: a refusal', ['run', v('packages/tampered-entry.zip'), '--pubkey', v('keys/test-only.pub.pem')], 1, 'SIGNATURE_INVALID'],
  ['run: a missing path', ['run', join(work, 'nope')], 1, 'PATH_NOT_FOUND'],
  ['install: unsigned without --allow-unsigned', ['install', v('packages/unsigned.zip'), '--apps-dir', join(work, 'apps')], 1, 'PACKAGE_UNSIGNED'],
  ['install: a missing trust store', ['install', v('packages/good.zip'), '--trust-store', join(work, 'nope.json')], 1, 'PATH_NOT_FOUND'],
  ['conformance: a missing path', ['conformance', join(work, 'nope')], 1, 'PATH_NOT_FOUND'],
  ['build: a missing project', ['build', join(work, 'nope')], 1],
  ['serve: a missing project', ['serve', join(work, 'nope'), '--port', '0'], 1],
  ['init', ['init', join(work, 'new-app'), '--yes', '--toolchain', 'file:/nonexistent'], 0],
];

describe('every exit prints one envelope valid against schema/cli-envelope.schema.json', () => {
  it.each(rows)(
    '%s',
    async (_label, args, exit, code) => {
      const r = await runCli([...args, '--json'], { cwd: work, timeoutMs: 60_000 });
      expect(envelopeProblems(r.stdout)).toEqual([]);
      const doc = JSON.parse(r.stdout);
      expect(r.code).toBe(exit);
      expect(doc.ok).toBe(exit === 0);
      if (code) expect(doc.errors[0].code).toBe(code);
      if (!doc.ok) expect(doc.errors.length).toBeGreaterThan(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    },
    90_000,
  );

  it('--help --json and --version --json carry the text a user would read', async () => {
    const help = JSON.parse((await runCli(['--help', '--json'])).stdout);
    expect(help).toMatchObject({ ok: true, command: 'miniapp', result: { help: expect.stringContaining('Usage: miniapp <command>') } });
    const version = JSON.parse((await runCli(['--version', '--json'])).stdout);
    expect(version.result.version).toBe((await runCli(['--version'])).stdout.trim());
    const verifyHelp = JSON.parse((await runCli(['verify', '--help', '--json'])).stdout);
    expect(verifyHelp).toMatchObject({ command: 'verify', result: { help: expect.stringContaining('--host-version') } });
  });
});

describe('one host-version grammar', () => {
  const pkg = v('packages/good.zip');
  const key = v('keys/test-only.pub.pem');
  it.each([
    ['verify', [pkg, '--pubkey', key]],
    ['inspect', [pkg]],
    ['install', [pkg, '--apps-dir', join(work, 'apps')]],
    ['conformance', [pkg]],
    ['run', [pkg]],
  ])('%s refuses --host-version 3.1.0-beta as a usage error (a host version is MAJOR.MINOR.PATCH)', async (command, args) => {
    const r = await runCli([command, ...args, '--host-version', '3.1.0-beta', '--json'], { cwd: work });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({ code: 'USAGE_ERROR', message: expect.stringContaining('3.1.0-beta') });
  });
});
