import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const seed =
  '{"id":"com.partner.loans","version":"2.3.1","minHostVersion":"3.0.0","entryPoint":"index.html",\n "permissions":["payment","geolocation"],"allowedDomains":["api.partner.com","cdn.partner.com"],\n "signature":"sha256:abc123..."}\n';

describe('miniapp validate (CLI)', () => {
  it('accepts the seed manifest as is', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), seed);
    const r = await runCli(['validate', join(dir, 'manifest.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('com.partner.loans@2.3.1 is valid');
  });

  it('prints file:line:column, code, message and hint for a bad domain', async () => {
    const dir = tempDir();
    const text = seed.replace('"api.partner.com"', '"https://api.x.com"');
    writeFileSync(join(dir, 'manifest.json'), text);
    const r = await runCli(['validate', 'manifest.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('manifest.json:2:60 error MANIFEST_INVALID_DOMAIN "https://api.x.com" is not a host name (hint: drop the scheme: "api.x.com")');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--json prints exactly one document with every problem', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), '{"id":"Bad","version":"1","minHostVersion":"3.0.0","entryPoint":"/abs.html","permissions":["paymnt"],"allowedDomains":["*"],"extra":1}');
    const r = await runCli(['validate', join(dir, 'manifest.json'), '--json']);
    expect(r.code).toBe(1);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.command).toBe('validate');
    const codes = doc.errors.map((e) => e.code).sort();
    expect(codes).toEqual(['MANIFEST_INVALID_DOMAIN', 'MANIFEST_INVALID_ENTRY_POINT', 'MANIFEST_INVALID_ID', 'MANIFEST_INVALID_VERSION', 'MANIFEST_UNKNOWN_FIELD', 'MANIFEST_UNKNOWN_PERMISSION']);
    for (const e of doc.errors) {
      expect(e.line).toBe(1);
      expect(typeof e.column).toBe('number');
      expect(e.hint).toBeTruthy();
      expect(e.pointer).toMatch(/^\//);
    }
  });

  it('checks that the entry point exists when validating a directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), seed);
    let r = await runCli(['validate', dir, '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors.map((e) => e.code)).toEqual(['MANIFEST_ENTRY_POINT_MISSING']);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
    r = await runCli(['validate', dir, '--json']);
    expect(r.code).toBe(0);
  });

  it('fails on warnings only with --strict', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), seed);
    expect((await runCli(['validate', join(dir, 'manifest.json')])).code).toBe(0);
    const r = await runCli(['validate', join(dir, 'manifest.json'), '--strict', '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).warnings[0].code).toBe('MANIFEST_ADVICE');
    const human = await runCli(['validate', join(dir, 'manifest.json'), '--strict']);
    expect(human.code).toBe(1);
    expect(human.stdout).not.toContain('is valid');
    expect(human.stdout).toContain('--strict fails on warnings');
  });

  it('release profile forbids loopback domains that dev allows', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), seed.replace('"cdn.partner.com"', '"localhost","127.0.0.1"'));
    expect((await runCli(['validate', join(dir, 'manifest.json')])).code).toBe(0);
    const r = await runCli(['validate', join(dir, 'manifest.json'), '--profile', 'release', '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors.map((e) => e.code)).toEqual(['MANIFEST_RELEASE_FORBIDDEN', 'MANIFEST_RELEASE_FORBIDDEN']);
  });

  it.each([
    ['empty file', '', 'MANIFEST_EMPTY'],
    ['non-JSON', 'hello', 'MANIFEST_SYNTAX'],
    ['JSON array', '[1,2]', 'MANIFEST_NOT_OBJECT'],
    ['deep nesting', '['.repeat(10_000) + ']'.repeat(10_000), 'MANIFEST_TOO_DEEP'],
    ['10 MB file', ' '.repeat(10 * 1024 * 1024), 'MANIFEST_TOO_LARGE'],
    ['BOM', '\ufeff' + seed, 'MANIFEST_ENCODING'],
    ['number where a string belongs', seed.replace('"2.3.1"', '2.3'), 'MANIFEST_INVALID_TYPE'],
    ['duplicate keys', seed.replace('{"id":"com.partner.loans"', '{"id":"com.partner.loans","id":"com.evil.app"'), 'MANIFEST_DUPLICATE_KEY'],
    ['__proto__ key', seed.replace('{"id"', '{"__proto__":{"admin":true},"id"'), 'MANIFEST_UNKNOWN_FIELD'],
    ['constructor key', seed.replace('{"id"', '{"constructor":"x","id"'), 'MANIFEST_UNKNOWN_FIELD'],
  ])('%s gets a coded error and exit 1', async (_name, content, code) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), content);
    const r = await runCli(['validate', join(dir, 'manifest.json'), '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors.map((e) => e.code)).toContain(code);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('invalid UTF-8 is an encoding error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
    const r = await runCli(['validate', join(dir, 'manifest.json'), '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors[0].code).toBe('MANIFEST_ENCODING');
  });

  it('a directory without a manifest and a missing path are coded errors', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'empty'));
    let r = await runCli(['validate', join(dir, 'empty')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MANIFEST_NOT_FOUND');
    r = await runCli(['validate', join(dir, 'nope'), '--json']);
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors[0].code).toBe('PATH_NOT_FOUND');
  });

  it('a missing path argument is a usage error (exit 2)', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'path'");
    const j = await runCli(['validate', '--json']);
    expect(j.code).toBe(2);
    expect(parseJsonOutput(j.stdout).errors[0].code).toBe('USAGE_ERROR');
  });
});
