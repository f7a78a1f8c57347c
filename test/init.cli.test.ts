import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAppId } from '../src/manifest/check.js';
import { parseJsonOutput, repoRoot, runCli } from './helpers/cli.js';
import { readZip } from './helpers/zip.js';
import { tempDir } from './helpers/temp.js';

const workspace = () => tempDir('init');
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('miniapp init (CLI)', () => {
  it('scaffolds the vanilla template, which then validates and builds cleanly', async () => {
    const ws = workspace();
    const r = await runCli(['init', 'my-shop', '--yes'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('created com.example.my-shop (vanilla)');
    expect(r.stdout).toMatch(/Next:\n\s+cd my-shop\n\s+npm install\n\s+npm run build/);
    const app = join(ws, 'my-shop');
    for (const f of ['manifest.json', 'index.html', 'src/main.ts', 'src/bridge.ts', 'package.json', 'README.md', '.gitignore', '.github/workflows/ci.yml'])
      expect(existsSync(join(app, f)), f).toBe(true);
    expect(existsSync(join(app, '_gitignore'))).toBe(false);
    const gitignore = readFileSync(join(app, '.gitignore'), 'utf8');
    expect(gitignore).toMatch(/^dist\/?$/m);
    expect(gitignore).toMatch(/^\*\.key\.pem$/m);
    expect(gitignore).toMatch(/^\.miniapp\/$/m);
    const ci = readFileSync(join(app, '.github/workflows/ci.yml'), 'utf8');
    for (const step of ['npm run miniapp -- validate', 'npm run miniapp -- build', 'npm run miniapp -- verify']) expect(ci).toContain(step);
    const manifest = json(join(app, 'manifest.json'));
    expect(manifest).toMatchObject({ $schema: './node_modules/miniapp/schema/manifest.schema.json', id: 'com.example.my-shop', name: 'my-shop' });
    expect(manifest.permissions.sort()).toEqual(['payment', 'storage']);
    const pkg = json(join(app, 'package.json'));
    expect(pkg.name).toBe('my-shop');
    expect(resolve(pkg.devDependencies.miniapp.replace(/^file:/, ''))).toBe(resolve(repoRoot));
    for (const script of ['build', 'validate', 'test']) expect(pkg.scripts[script]).toMatch(/^miniapp /);
    const main = readFileSync(join(app, 'src/main.ts'), 'utf8');
    for (const method of ['storage.get', 'storage.set', 'payment.pay']) expect(main).toContain(`'${method}'`);

    const v = await runCli(['validate', '.', '--json'], { cwd: app });
    expect(parseJsonOutput(v.stdout)).toMatchObject({ ok: true, errors: [], warnings: [] });
    const b = await runCli(['build', '--check-reproducible', '--json'], { cwd: app });
    expect(parseJsonOutput(b.stdout)).toMatchObject({ ok: true, errors: [], warnings: [], result: { reproducible: true } });
    expect(readZip(readFileSync(join(app, 'dist/com.example.my-shop-1.0.0.zip'))).map((e) => e.name)).toContain('manifest.json');
  });

  it('scaffolds the react template with --template/--id/--name, which validates and builds cleanly', async () => {
    const ws = workspace();
    const r = await runCli(['init', 'shop', '--template', 'react', '--id', 'com.partner.shop', '--name', 'Partner Shop', '--json'], { cwd: ws });
    expect(r.code).toBe(0);
    const out = parseJsonOutput(r.stdout).result;
    expect(out).toMatchObject({ template: 'react', id: 'com.partner.shop', name: 'Partner Shop', overwritten: [], next: ['cd shop', 'npm install', 'npm run build'] });
    const app = join(ws, 'shop');
    expect(json(join(app, 'manifest.json'))).toMatchObject({ id: 'com.partner.shop', name: 'Partner Shop' });
    expect(json(join(app, 'package.json')).dependencies).toHaveProperty('react');
    expect(readFileSync(join(app, 'index.html'), 'utf8')).toContain('<title>Partner Shop</title>');
    // React comes from the toolchain's own install (a devDependency), so the suite needs no network.
    symlinkSync(join(repoRoot, 'node_modules'), join(app, 'node_modules'), 'dir');
    const v = await runCli(['validate', '.', '--json'], { cwd: app });
    expect(parseJsonOutput(v.stdout)).toMatchObject({ ok: true, errors: [], warnings: [] });
    const b = await runCli(['build', '--json'], { cwd: app });
    const built = parseJsonOutput(b.stdout);
    expect(built).toMatchObject({ ok: true, errors: [], warnings: [] });
    expect(built.result.largestModules.some((m: any) => m.path.includes('react-dom'))).toBe(true);
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('prompts on a terminal for what is missing, re-asking after an invalid id', () => {
    const ws = workspace();
    // `script` gives the CLI a pseudo-terminal; the answers are typed ahead.
    const out = execFileSync('script', ['-qc', `${JSON.stringify(process.execPath)} ${JSON.stringify(join(repoRoot, 'bin/miniapp.js'))} init tty-app --no-color`, '/dev/null'], {
      cwd: ws,
      input: 'react\nBad Id\ncom.acme.shop\nAcme Shop\n',
      env: { ...process.env, CI: '', NO_COLOR: '1' },
      timeout: 20_000,
    }).toString();
    expect(out).toContain('is not a valid app id');
    expect(json(join(ws, 'tty-app', 'manifest.json'))).toMatchObject({ id: 'com.acme.shop', name: 'Acme Shop' });
    expect(existsSync(join(ws, 'tty-app', 'src', 'App.tsx'))).toBe(true);
  });

  it('never prompts without a terminal: a missing value takes its default', async () => {
    const ws = workspace();
    const r = await runCli(['init', 'quiet-app'], { cwd: ws, input: '' });
    expect(r.code).toBe(0);
    expect(json(join(ws, 'quiet-app', 'manifest.json')).id).toBe('com.example.quiet-app');
  });

  it('refuses a non-empty directory without --force and writes nothing', async () => {
    const ws = workspace();
    mkdirSync(join(ws, 'app'));
    writeFileSync(join(ws, 'app', 'README.md'), 'mine');
    const r = await runCli(['init', 'app', '--yes', '--json'], { cwd: ws });
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors[0]).toMatchObject({ code: 'INIT_DIR_NOT_EMPTY', hint: expect.stringContaining('--force') });
    expect(readFileSync(join(ws, 'app', 'README.md'), 'utf8')).toBe('mine');
    expect(existsSync(join(ws, 'app', 'manifest.json'))).toBe(false);
  });

  it('refuses a target that is, or lies under, a file with a coded error (no stack trace)', async () => {
    const ws = workspace();
    writeFileSync(join(ws, 'afile'), 'x');
    for (const target of ['afile', 'afile/sub']) {
      const r = await runCli(['init', target, '--yes', '--json'], { cwd: ws });
      expect(r.code).toBe(1);
      expect(parseJsonOutput(r.stdout).errors[0]).toMatchObject({ code: 'INIT_TARGET_NOT_DIRECTORY', message: expect.stringContaining('afile') });
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('with --force writes into a non-empty directory and lists every file it replaced', async () => {
    const ws = workspace();
    mkdirSync(join(ws, 'app'));
    writeFileSync(join(ws, 'app', 'README.md'), 'mine');
    writeFileSync(join(ws, 'app', 'notes.txt'), 'keep me');
    const r = await runCli(['init', 'app', '--yes', '--force'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('replaced (--force): README.md');
    expect(readFileSync(join(ws, 'app', 'notes.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(ws, 'app', 'README.md'), 'utf8')).not.toBe('mine');
  });

  it("with --force never replaces an existing app's sources, and writes nothing then", async () => {
    const ws = workspace();
    const app = join(ws, 'app');
    mkdirSync(join(app, 'src'), { recursive: true });
    const mine = { 'package.json': '{"name":"existing","dependencies":{"react":"^18"}}', 'index.html': '<div id="root"></div>', 'src/main.tsx': 'render(<App />)', 'tsconfig.json': '{}' };
    for (const [f, t] of Object.entries(mine)) writeFileSync(join(app, f), t);
    const r = await runCli(['init', 'app', '--yes', '--force', '--template', 'react', '--json'], { cwd: ws });
    expect(r.code).toBe(1);
    const err = parseJsonOutput(r.stdout).errors[0];
    expect(err.code).toBe('INIT_WOULD_OVERWRITE');
    for (const f of Object.keys(mine)) expect(err.message).toContain(f);
    for (const [f, t] of Object.entries(mine)) expect(readFileSync(join(app, f), 'utf8')).toBe(t);
    expect(existsSync(join(app, 'manifest.json'))).toBe(false);
    expect(existsSync(join(app, 'README.md'))).toBe(false);
  });

  it("with --force replaces sources that are still the template's own (re-scaffolding)", async () => {
    const ws = workspace();
    expect((await runCli(['init', 'app', '--yes', '--template', 'vue', '--id', 'com.partner.vue'], { cwd: ws })).code).toBe(0);
    writeFileSync(join(ws, 'app', 'README.md'), 'my notes');
    const r = await runCli(['init', 'app', '--yes', '--force', '--template', 'vue', '--id', 'com.partner.vue'], { cwd: ws });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/replaced \(--force\): .*src\/App\.vue/);
  });

  it('gives every template a dev script (the dev server) and no npx of an unpublished name', async () => {
    for (const template of ['vanilla', 'react', 'vue', 'svelte']) {
      const ws = workspace();
      expect((await runCli(['init', 'app', '--yes', '--template', template], { cwd: ws })).code).toBe(0);
      expect(json(join(ws, 'app', 'package.json')).scripts.dev).toBe('miniapp serve');
      expect(readFileSync(join(ws, 'app', '.github/workflows/ci.yml'), 'utf8')).not.toMatch(/npx miniapp/);
      expect(readFileSync(join(ws, 'app', 'README.md'), 'utf8')).toMatch(/npm run dev.*simulator/);
    }
  });

  it('refuses an invalid id with the manifest rule and its hint', async () => {
    const ws = workspace();
    const r = await runCli(['init', 'app', '--id', 'MyApp', '--yes', '--json'], { cwd: ws });
    expect(r.code).toBe(2);
    const err = parseJsonOutput(r.stdout).errors[0];
    expect(err.code).toBe('INIT_INVALID_ID');
    expect(err.hint).toBe(checkAppId('MyApp')!.hint);
    expect(existsSync(join(ws, 'app'))).toBe(false);
  });

  it('refuses an unknown template as a usage error', async () => {
    const r = await runCli(['init', 'app', '--template', 'angular', '--yes'], { cwd: workspace() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/vanilla, react, vue, svelte/);
  });

  it('--toolchain overrides the miniapp dependency', async () => {
    const ws = workspace();
    expect((await runCli(['init', 'app', '--yes', '--toolchain', 'https://example.com/miniapp-0.1.0.tgz'], { cwd: ws })).code).toBe(0);
    expect(json(join(ws, 'app', 'package.json')).devDependencies.miniapp).toBe('https://example.com/miniapp-0.1.0.tgz');
  });
});
