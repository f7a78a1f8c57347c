import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { makeProject } from './helpers/project.js';
import { readZip } from './helpers/zip.js';

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const zipOf = (dir: string) => join(dir, 'dist', 'com.example.shop-1.2.3.zip');

describe('miniapp build (CLI)', () => {
  it('writes dist/<id>-<version>.zip with manifest.json at the root and maps beside it, and prints a summary', async () => {
    const dir = makeProject();
    const r = await runCli(['build'], { cwd: dir });
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ built com.example.shop@1.2.3 (production) → dist/com.example.shop-1.2.3.zip');
    expect(r.stdout).toMatch(/total: 4 files/);
    expect(r.stdout).toMatch(/of the 2\.00 MB budget/);
    expect(r.stdout).toContain('src/greet.ts');
    const entries = readZip(readFileSync(zipOf(dir)));
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['manifest.json', 'index.html']));
    expect(entries.some((e) => e.name.endsWith('.map'))).toBe(false);
    expect(readdirSync(join(dir, 'dist'))).toEqual(['com.example.shop-1.2.3.sourcemaps', 'com.example.shop-1.2.3.zip']);
    expect(readdirSync(join(dir, 'dist', 'com.example.shop-1.2.3.sourcemaps', 'assets')).some((n) => n.endsWith('.js.map'))).toBe(true);
  });

  it('--json gives the same data: files with raw and compressed sizes, largest modules, budget', async () => {
    const dir = makeProject();
    const r = await runCli(['build', dir, '--json']);
    expect(r.code).toBe(0);
    const out = parseJsonOutput(r.stdout);
    expect(out).toMatchObject({ ok: true, command: 'build', errors: [], warnings: [] });
    expect(out.result.id).toBe('com.example.shop');
    expect(out.result.fileCount).toBe(4);
    expect(out.result.files.find((f: any) => f.name === 'manifest.json')).toMatchObject({ size: expect.any(Number), compressedSize: expect.any(Number) });
    expect(out.result.compressedBytes).toBe(readFileSync(zipOf(dir)).length);
    expect(out.result.budget).toMatchObject({ limit: 2 * 1024 * 1024, used: out.result.compressedBytes });
    expect(out.result.largestModules[0]).toMatchObject({ path: expect.stringMatching(/^src\//), bytes: expect.any(Number) });
    expect(out.result.sha256).toBe(sha(zipOf(dir)));
  });

  it('is reproducible: two builds give byte-identical zips; SOURCE_DATE_EPOCH changes only the timestamps', async () => {
    const dir = makeProject();
    expect((await runCli(['build'], { cwd: dir })).code).toBe(0);
    const first = sha(zipOf(dir));
    expect((await runCli(['build'], { cwd: dir })).code).toBe(0);
    expect(sha(zipOf(dir))).toBe(first);
    const r = await runCli(['build', '--check-reproducible', '--json'], { cwd: dir });
    expect(parseJsonOutput(r.stdout).result.reproducible).toBe(true);
    expect(sha(zipOf(dir))).toBe(first);
    expect((await runCli(['build'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1700000000' } })).code).toBe(0);
    expect(sha(zipOf(dir))).not.toBe(first);
    expect(readZip(readFileSync(zipOf(dir)))[0]!.dosDate).toBe(((2023 - 1980) << 9) | (11 << 5) | 14);
  });

  it('fails with PACKAGE_TOO_LARGE naming the biggest contributors, and writes no zip', async () => {
    const noise = randomBytes(6000);
    const dir = makeProject({ 'public/big.bin': noise });
    const r = await runCli(['build', '--budget', '4KB'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error PACKAGE_TOO_LARGE .*over its 4\.0 KB budget.*big\.bin/);
    expect(existsSync(zipOf(dir))).toBe(false);
  });

  it('warns over 80% of the budget', async () => {
    const dir = makeProject();
    const size = parseJsonOutput((await runCli(['build', '--json'], { cwd: dir })).stdout).result.compressedBytes as number;
    const r = await runCli(['build', '--budget', String(Math.ceil(size / 0.9)), '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r.stdout).warnings.map((w: any) => w.code)).toEqual(['PACKAGE_NEAR_BUDGET']);
  });

  it('reports a missing project directory without a stack trace', async () => {
    const r = await runCli(['build', 'no-such-dir'], { cwd: makeProject() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('PATH_NOT_FOUND');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown --target as a usage error', async () => {
    const r = await runCli(['build', '--target', 'netscape4'], { cwd: makeProject() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/BUILD_INVALID_OPTION .*netscape4/);
  });

  it('rejects a SOURCE_DATE_EPOCH that is not a number of seconds', async () => {
    const r = await runCli(['build'], { cwd: makeProject(), env: { SOURCE_DATE_EPOCH: 'yesterday' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SOURCE_DATE_EPOCH_INVALID');
  });

  it('rejects a malformed budget as a usage error', async () => {
    const r = await runCli(['build', '--budget', 'lots'], { cwd: makeProject() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('BUDGET_INVALID');
  });

  it('prints build errors as file:line:column with the code frame and exits 1', async () => {
    const dir = makeProject({ 'src/greet.ts': 'export function greet(name: string) {\n  return name +;\n}\n' });
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('src/greet.ts:2:16 error BUILD_ERROR');
    expect(r.stdout).toContain('  2 |   return name +;\n    |                ^');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });

  it('fails when the code calls a bridge method whose permission is undeclared', async () => {
    const dir = makeProject({ 'src/main.ts': "(window as any).MiniAppBridge.call('payment.pay', { amount: 1 });\n" });
    const r = await runCli(['build', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    expect(out.errors).toMatchObject([{ code: 'BRIDGE_PERMISSION_UNDECLARED', file: 'src/main.ts', line: 1 }]);
    expect(out.warnings.map((w: any) => w.code)).toEqual(['PERMISSION_UNUSED']);
  });

  it('refuses a public file with an unsafe name, naming it', async () => {
    const dir = makeProject({ 'public/a\\b.txt': 'x' });
    const r = await runCli(['build'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('public/a\\b.txt error BUILD_UNSAFE_PATH');
  });

  it('--mode development builds readable code with inline maps', async () => {
    const dir = makeProject();
    expect((await runCli(['build', '--mode', 'development'], { cwd: dir })).code).toBe(0);
    const js = readZip(readFileSync(zipOf(dir))).find((e) => e.name.endsWith('.js'))!;
    expect(js.data.toString()).toContain('longDescriptiveName');
    expect(js.data.toString()).toContain('sourceMappingURL=data:');
  });

  it('--target is passed to esbuild', async () => {
    const dir = makeProject({ 'src/main.ts': "const o: any = (window as any).x;\n(window as any).MiniAppBridge.call('storage.get', { key: o?.k ?? 'd' });\n" });
    expect((await runCli(['build', '--target', 'es2022', '--sourcemap', 'none'], { cwd: dir })).code).toBe(0);
    const modern = readZip(readFileSync(zipOf(dir)))
      .find((e) => e.name.endsWith('.js'))!
      .data.toString();
    expect(modern).toContain('?.');
    expect((await runCli(['build'], { cwd: dir })).code).toBe(0);
    const old = readZip(readFileSync(zipOf(dir)))
      .find((e) => e.name.endsWith('.js'))!
      .data.toString();
    expect(old).not.toContain('?.');
  });

  it('validate <dir> runs the manifest-code lint', async () => {
    const dir = makeProject({ 'src/main.ts': "(window as any).MiniAppBridge.call('location.get');\n" });
    writeFileSync(join(dir, 'manifest.json'), readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const r = await runCli(['validate', dir, '--json']);
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    expect(out.errors.map((e: any) => [e.code, e.message])).toEqual([['BRIDGE_PERMISSION_UNDECLARED', expect.stringContaining('"geolocation"')]]);
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});
