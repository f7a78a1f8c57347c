import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createBuildContext } from '../src/build/index.js';
import { createDevServer, type DevServer } from '../src/server/index.js';
import { launch, type TestApp } from '../src/testing/index.js';
import { readZip } from './helpers/zip.js';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { makeStackApp, PAGE, SVELTE_APP, VUE_APP } from './helpers/stack-app.js';

// Vue, Svelte and PostCSS (Tailwind) on the default build path: built by `miniapp build`, run headless
// against the mock host, and served to real Chromium by the dev server, from apps a partner would write.

const apps: { cleanup(): void }[] = [];
let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
  for (const a of apps.splice(0)) a.cleanup();
});
const stack = (...args: Parameters<typeof makeStackApp>) => {
  const a = makeStackApp(...args);
  apps.push(a);
  return a;
};
const packageText = (dir: string, zip: string, re: RegExp) => {
  const entries = readZip(readFileSync(join(dir, zip)));
  return entries
    .filter((e) => re.test(e.name))
    .map((e) => e.data.toString('utf8'))
    .join('\n');
};

describe.each([
  ['Vue', VUE_APP, /\[data-v-[0-9a-f]{8}\]\{color:#639\}/],
  ['Svelte', SVELTE_APP, /h1\.svelte-[a-z0-9]+\{color:tomato\}/],
])('a %s app on the default path', (_name, files, scopedCss) => {
  it('builds into a package with its scoped CSS, and runs headless: bridge calls, clicks', async () => {
    const { dir } = stack(files);
    const built = await runCli(['build', '--json'], { cwd: dir, timeoutMs: 60_000 });
    const out = parseJsonOutput(built.stdout);
    expect(out.errors).toEqual([]);
    expect(built.code).toBe(0);
    expect(packageText(dir, out.result.zipPath, /\.css$/)).toMatch(scopedCss);
    app = await launch(dir);
    expect(app.text('#title')).toMatch(/^Hello (Vue|Svelte)$/);
    expect(app.text('#visits')).toBe('1');
    await app.click('#inc');
    expect(app.text('#inc')).toBe('count 3');
    expect(app.errors).toEqual([]);
  }, 90_000);

  it('reports a compile error at its file and line, with a code frame', async () => {
    const broken = { ...files };
    const file = Object.keys(files).find((f) => /\.(vue|svelte)$/.test(f) && /App/.test(f))!;
    broken[file] = `${files[file]!.replace('</main>', '<p>{{ unclosed </p></main>').replace('{title}</h1>', '{title</h1>')}`;
    const { dir } = stack(broken);
    const ctx = createBuildContext({ projectDir: dir });
    const r = await ctx.rebuild();
    await ctx.dispose();
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ code: 'BUILD_PLUGIN_FAILED', file });
    expect(r.errors[0]!.line).toBeGreaterThan(1);
    expect(r.watchFiles).toContain(join(dir, file));
  });

  it("says which compiler is missing when the project has not installed it (the project's own copy is used)", async () => {
    const { dir } = stack(files, { withModules: false });
    const built = await runCli(['build', '--json'], { cwd: dir, timeoutMs: 30_000 });
    const out = parseJsonOutput(built.stdout);
    expect(built.code).toBe(1);
    const missing = out.errors.find((e: { code: string }) => e.code === 'BUILD_COMPILER_MISSING');
    expect(missing.message).toMatch(/"src\/App\.(vue|svelte)" needs (vue|svelte)\/compiler/);
    expect(missing.hint).toMatch(/npm install (vue|svelte)/);
  });

  it('says the same when the project neither lists nor has the framework (no plugin is registered then)', async () => {
    const { dir } = stack({ ...files, 'package.json': JSON.stringify({ name: 'plain', private: true, type: 'module' }) }, { withModules: false });
    const ctx = createBuildContext({ projectDir: dir });
    const r = await ctx.rebuild();
    await ctx.dispose();
    expect(r.ok).toBe(false);
    const missing = r.errors.find((e) => e.code === 'BUILD_COMPILER_MISSING');
    expect(missing?.message).toMatch(/"src\/App\.(vue|svelte)" needs (vue|svelte)\/compiler/);
    expect(missing?.hint).toMatch(/npm install (vue|svelte)/);
    expect(missing?.file).toBe('src/main.ts');
  });
});

describe('CSS through PostCSS when the project has a PostCSS config', () => {
  it('runs Tailwind: utilities the markup uses, @apply, nothing it does not', async () => {
    const { dir } = stack({
      'package.json': JSON.stringify({ name: 'tw', private: true, devDependencies: { tailwindcss: '^3.4.0', postcss: '^8.4.0' } }),
      'index.html': PAGE('./src/main.ts', '<link rel="stylesheet" href="./src/style.css">').replace('<div id="app"></div>', '<div id="app" class="p-4 text-red-500"></div>'),
      'src/main.ts': "document.getElementById('app')!.classList.add('underline');\n(window as any).MiniAppBridge.call('storage.get', { key: 'k' });\n",
      'src/style.css': '@tailwind base;\n@tailwind components;\n@tailwind utilities;\n.btn { @apply font-bold; }\n',
      'postcss.config.cjs': 'module.exports = { plugins: { tailwindcss: {} } };\n',
      'tailwind.config.cjs': "module.exports = { content: ['./index.html', './src/**/*.ts'], theme: {}, plugins: [] };\n",
    });
    const built = await runCli(['build', '--json'], { cwd: dir, timeoutMs: 60_000 });
    const out = parseJsonOutput(built.stdout);
    expect(out.errors).toEqual([]);
    const css = packageText(dir, out.result.zipPath, /\.css$/);
    expect(css).toContain('.p-4{padding:1rem}');
    expect(css).toContain('.underline{');
    expect(css).toContain('.btn{font-weight:700}');
    expect(css).not.toContain('.p-8{');
    expect(css).not.toContain('@tailwind');
  }, 90_000);
});

// Real Chromium against the dev server, as in test/e2e: skipped (with a message) without a browser, except in CI.
const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
describe.runIf(haveBrowser || process.env.CI)('served to Chromium with live reload', () => {
  let browser: Browser;
  let server: DevServer | undefined;
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    ['Vue', VUE_APP, 'src/App.vue', '{{ props.title }}', '{{ props.title }}!'],
    ['Svelte', SVELTE_APP, 'src/App.svelte', '{title}</h1>', '{title}!</h1>'],
  ])(
    '%s: the app renders in the simulator page, and a save reloads it',
    async (_name, files, file, from, to) => {
      const project = stack(files);
      server = await createDevServer({ projectDir: project.dir, port: 0, ackTimeoutMs: 5000 });
      const page = await browser.newPage();
      await page.goto(server.url);
      await expect.poll(() => page.textContent('#visits'), { timeout: 10_000 }).toBe('1');
      expect(await page.textContent('#title')).toMatch(/^Hello /);
      await page.waitForFunction(() => (window as unknown as { __miniappDevClient?: unknown }).__miniappDevClient);
      project.write(file, files[file]!.replace(from, to));
      await expect.poll(() => page.textContent('#title'), { timeout: 15_000 }).toMatch(/^Hello \w+!$/);
      await page.close();
    },
    60_000,
  );
});
