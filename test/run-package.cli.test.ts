import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const CLI_APP = new URL('./fixtures/runtime/cli', import.meta.url).pathname;

/** One signed package for the file: built from the runtime fixture app, signed with a key made here. */
let dir: string;
let zip: string;
let flags: string[];
beforeAll(async () => {
  dir = tempDir('run-zip');
  const app = join(dir, 'app');
  cpSync(CLI_APP, app, { recursive: true });
  const build = await runCli(['build', app, '--json']);
  expect(build.code).toBe(0);
  zip = parseJsonOutput(build.stdout).result.zipPath;
  expect((await runCli(['keygen', '--out', join(dir, 'partner'), '--bits', '2048'])).code).toBe(0);
  expect((await runCli(['keygen', '--out', join(dir, 'other'), '--bits', '2048'])).code).toBe(0);
  flags = ['--data-dir', join(dir, 'data'), '--host-key-file', join(dir, 'host.key')];
}, 60_000);

describe('miniapp run <package.zip>', () => {
  it('runs an unsigned package through the strict reader, for local work', async () => {
    const r = await runCli(['run', zip, '--json', ...flags]);
    const out = parseJsonOutput(r.stdout);
    expect(r.code).toBe(0);
    expect(out.result.app.kind).toBe('package');
    expect(out.result.calls.length).toBeGreaterThan(0);
  });

  it('with --pubkey runs only a package signed by that key', async () => {
    const signed = join(dir, 'signed.zip');
    expect((await runCli(['sign', zip, '--key', join(dir, 'partner.key.pem'), '--out', signed])).code).toBe(0);
    const good = await runCli(['run', signed, '--json', '--pubkey', join(dir, 'partner.pub.pem'), ...flags]);
    expect(good.code).toBe(0);
    const wrongKey = await runCli(['run', signed, '--json', '--pubkey', join(dir, 'other.pub.pem'), ...flags]);
    expect(wrongKey.code).toBe(1);
    // The install decision's own code, as verify gives it for the same bytes.
    expect(parseJsonOutput(wrongKey.stdout).errors[0]).toMatchObject({ code: 'SIGNATURE_UNKNOWN_KEY' });
    const unsigned = await runCli(['run', zip, '--json', '--pubkey', join(dir, 'partner.pub.pem'), ...flags]);
    expect(parseJsonOutput(unsigned.stdout).errors[0].code).toBe('PACKAGE_UNSIGNED');
  });

  it('refuses a tampered signed package before running anything', async () => {
    const signed = join(dir, 'tampered.zip');
    expect((await runCli(['sign', zip, '--key', join(dir, 'partner.key.pem'), '--out', signed])).code).toBe(0);
    const bytes = readFileSync(signed);
    bytes[40] ^= 0xff;
    writeFileSync(signed, bytes);
    const r = await runCli(['run', signed, '--json', '--pubkey', join(dir, 'partner.pub.pem'), ...flags]);
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    expect(out.errors[0].code).toBe('SIGNATURE_INVALID');
  });

  it("a file that is not a zip gets the strict reader's code, never a stack trace", async () => {
    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, 'PK not really a zip');
    const r = await runCli(['run', bad, '--json', ...flags]);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors[0].code).toMatch(/^PACKAGE_/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
