import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBuildContext } from '../src/build/index.js';
import type { BuildOutput } from '../src/build/types.js';
import { createDevServer, type DevServer, type DevServerEvent } from '../src/server/index.js';
import { launch, type TestApp } from '../src/testing/index.js';
import { binPath, parseJsonOutput, repoRoot, runCli, stripAnsi } from './helpers/cli.js';
import { until } from './helpers/serve-fixture.js';
import { makeStackApp, VUE_APP } from './helpers/stack-app.js';
import { readZip } from './helpers/zip.js';

// A project that already builds with Vite keeps its vite.config and plugins: `miniapp build` and `serve`
// drive the project's own Vite; `miniapp pack` packages what `vite build` wrote.

const PWA = JSON.stringify({ name: 'Shop', short_name: 'Shop', start_url: '/', display: 'standalone', icons: [] });
const VITE_APP: Record<string, string> = {
  ...VUE_APP,
  'package.json': JSON.stringify({ name: 'vite-app', private: true, type: 'module', devDependencies: { vite: '^8.0.0', '@vitejs/plugin-vue': '^6.0.0', vue: '^3.5.0' } }),
  // The project's own config: its plugin, an alias and a define the code relies on, and source maps.
  'vite.config.ts':
    "import { defineConfig } from 'vite';\nimport vue from '@vitejs/plugin-vue';\nimport { fileURLToPath } from 'node:url';\nexport default defineConfig({ plugins: [vue()], resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } }, define: { __GREETING__: JSON.stringify('Hello Vite') }, build: { sourcemap: true } });\n",
  'index.html':
    '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="/favicon.svg"><link rel="manifest" href="/manifest.json"></head><body><div id="app"></div><script type="module" src="/src/main.ts"></script></body></html>\n',
  'src/main.ts': "import { createApp } from 'vue';\nimport App from '@/App.vue';\ndeclare const __GREETING__: string;\ncreateApp(App, { title: __GREETING__ }).mount('#app');\n",
  'public/favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'public/manifest.json': PWA,
};

const apps: { cleanup(): void }[] = [];
let app: TestApp | undefined;
let server: DevServer | undefined;
afterEach(async () => {
  await app?.close();
  await server?.close();
  app = undefined;
  server = undefined;
  for (const a of apps.splice(0)) a.cleanup();
});
const stack = (files: Record<string, string>) => {
  const a = makeStackApp(files);
  apps.push(a);
  return a;
};
const names = (zip: string) =>
  readZip(readFileSync(zip))
    .map((e) => e.name)
    .sort();

describe('a project with its own vite.config', () => {
  it('builds with its config and plugins into the same checked package; the PWA manifest is explained, then moved aside', async () => {
    const { dir } = stack(VITE_APP);
    const first = parseJsonOutput((await runCli(['build', '--json'], { cwd: dir, timeoutMs: 60_000 })).stdout);
    expect(first.ok).toBe(false);
    expect(first.errors).toMatchObject([{ code: 'BUILD_WEB_MANIFEST_COLLISION', file: 'public/manifest.json' }]);

    const built = await runCli(['build', '--json', '--rename-web-manifest', '--check-reproducible'], { cwd: dir, timeoutMs: 90_000 });
    const out = parseJsonOutput(built.stdout);
    expect(out.errors).toEqual([]);
    expect(built.code).toBe(0);
    expect(out.result.reproducible).toBe(true);
    const zip = join(dir, out.result.zipPath);
    const files = names(zip);
    expect(files).toEqual(expect.arrayContaining(['manifest.json', 'index.html', 'favicon.svg', 'site.webmanifest']));
    expect(files.some((f) => /^assets\/index-[\w-]+\.js$/.test(f))).toBe(true);
    // The project asks for source maps: beside the package, not in it, and the code does not link them.
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
    expect(out.result.sourcemapDir).toBeTruthy();
    expect(readdirSync(join(dir, out.result.sourcemapDir, 'assets')).some((f) => /^index-[\w-]+\.js\.map$/.test(f))).toBe(true);
    const js = readZip(readFileSync(zip))
      .find((e) => /^assets\/index-[\w-]+\.js$/.test(e.name))!
      .data.toString();
    expect(js).not.toContain('sourceMappingURL');
    const html = readZip(readFileSync(zip))
      .find((e) => e.name === 'index.html')!
      .data.toString();
    expect(html).toContain('href="./site.webmanifest"');
    expect(html).toMatch(/src="\.\/assets\/index-/);

    // The package runs headless: the define, the alias and the SFC plugin all took part.
    app = await launch(zip);
    expect(app.text('#title')).toBe('Hello Vite');
    expect(app.text('#visits')).toBe('1');
  }, 180_000);

  it("source maps follow the project's build.sourcemap (Vite's default: none) unless --sourcemap is given", async () => {
    const plain = "import { defineConfig } from 'vite';\nimport vue from '@vitejs/plugin-vue';\nexport default defineConfig({ plugins: [vue()] });\n";
    const { 'public/manifest.json': _pwa, ...files } = VITE_APP;
    const { dir } = stack({ ...files, 'vite.config.ts': plain, 'src/main.ts': "import { createApp } from 'vue';\nimport App from './App.vue';\ncreateApp(App, { title: 'x' }).mount('#app');\n" });
    const none = parseJsonOutput((await runCli(['build', '--json'], { cwd: dir, timeoutMs: 60_000 })).stdout);
    expect(none.errors).toEqual([]);
    expect(none.result.sourcemapDir).toBeUndefined();
    expect(existsSync(join(dir, 'dist', 'com.example.stack-1.0.0.sourcemaps'))).toBe(false);
    const asked = parseJsonOutput((await runCli(['build', '--json', '--sourcemap', 'external'], { cwd: dir, timeoutMs: 60_000 })).stdout);
    expect(asked.errors).toEqual([]);
    expect(readdirSync(join(dir, asked.result.sourcemapDir, 'assets')).some((f) => f.endsWith('.js.map'))).toBe(true);
  }, 120_000);

  it('a Vite error comes back as a diagnostic at its file, not a stack trace', async () => {
    const { dir } = stack({ ...VITE_APP, 'public/manifest.json': '{}', 'src/main.ts': "import { missing } from './nowhere';\nconsole.log(missing);\n" });
    const r = await runCli(['build', '--json'], { cwd: dir, timeoutMs: 60_000 });
    const out = parseJsonOutput(r.stdout);
    expect(r.code).toBe(1);
    expect(out.errors[0]).toMatchObject({ code: 'BUILD_VITE_FAILED' });
    expect(out.errors[0].message).toMatch(/nowhere/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('serves through the dev server: the app, then a rebuild after a save, with the new content', async () => {
    const { 'public/manifest.json': _pwa, ...files } = VITE_APP;
    const project = stack({ ...files, 'public/site.webmanifest': PWA });
    const events: DevServerEvent[] = [];
    server = await createDevServer({ projectDir: project.dir, port: 0, onEvent: (e) => events.push(e), ackTimeoutMs: 500 });
    const state = server.state();
    expect(state.served?.manifest.id).toBe('com.example.stack');
    const served = [...state.served!.files.keys()];
    expect(served).toContain('favicon.svg');
    const html = await (await fetch(server.url)).text();
    const script = /src="\.?\/?(assets\/index-[^"]+\.js)"/.exec(html)![1]!;
    expect(await (await fetch(server.url + script)).text()).toContain('Hello Vite');
    const builds = events.filter((e) => e.type === 'build').length;
    project.write('vite.config.ts', VITE_APP['vite.config.ts']!.replace("'Hello Vite'", "'Hello again'"));
    await until(() => events.filter((e) => e.type === 'build' && e.ok).length > builds, 30_000, 'a rebuild after the save');
    const html2 = await (await fetch(server.url)).text();
    const script2 = /src="\.?\/?(assets\/index-[^"]+\.js)"/.exec(html2)![1]!;
    expect(await (await fetch(server.url + script2)).text()).toContain('Hello again');
    // A source save goes through the same (restarted) Vite watcher.
    const before = events.filter((e) => e.type === 'build' && e.ok).length;
    project.write('src/Counter.vue', VITE_APP['src/Counter.vue']!.replace('count {{ n }}', 'taps {{ n }}'));
    await until(() => events.filter((e) => e.type === 'build' && e.ok).length > before, 30_000, 'a rebuild after a source save');
    const html3 = await (await fetch(server.url)).text();
    const script3 = /src="\.?\/?(assets\/index-[^"]+\.js)"/.exec(html3)![1]!;
    expect(await (await fetch(server.url + script3)).text()).toContain('taps ');
    expect(existsSync(join(project.dir, 'dist', 'assets'))).toBe(false);
  }, 120_000);
});

describe('miniapp serve on a Vite app with a PWA manifest', () => {
  /** `miniapp serve` as a user starts it; resolves once it prints its URL. */
  async function serveCli(dir: string, args: string[]) {
    const child = spawn(process.execPath, [binPath, 'serve', dir, '--port', '0', ...args], { env: { ...process.env, NO_COLOR: '1', CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    children.push(child);
    const url = await until(() => /Ctrl-C to stop/.test(err) && /Local:\s+(http:\/\/\S+)/.exec(stripAnsi(err))?.[1], 60_000, 'the URL');
    const stop = () => {
      child.kill('SIGINT');
      return exit;
    };
    return { url, err: () => stripAnsi(err), stop };
  }
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('explains the collision as build does, and with --rename-web-manifest serves it as site.webmanifest', async () => {
    const { dir } = stack(VITE_APP);
    const plain = await serveCli(dir, []);
    await until(() => /BUILD_WEB_MANIFEST_COLLISION/.test(plain.err()), 30_000, 'the collision explained');
    expect(plain.err()).toMatch(/public\/manifest\.json.*web app manifest/);
    expect(plain.err()).toMatch(/--rename-web-manifest/);
    expect(await plain.stop()).toBe(130);

    const renamed = await serveCli(dir, ['--rename-web-manifest']);
    expect(renamed.err()).not.toMatch(/BUILD_WEB_MANIFEST_COLLISION/);
    const html = await (await fetch(renamed.url)).text();
    expect(html).toContain('href="./site.webmanifest"');
    expect(await (await fetch(`${renamed.url}site.webmanifest`)).json()).toMatchObject({ start_url: '/', display: 'standalone' });
    expect(await (await fetch(`${renamed.url}manifest.json`)).json()).toMatchObject({ id: 'com.example.stack' });
    expect(await renamed.stop()).toBe(130);
  }, 150_000);
});

describe("serve's rebuilds run through Vite's own watcher", () => {
  // The project's config counts, on globalThis (Vite runs in this process), its loads and the modules it
  // transforms: a rebuild through a new vite.build() would load the config again. (Rolldown's watcher, in
  // Vite 8, still runs every transform hook on a rebuild; Rollup's, in Vite 7 and before, only the changed
  // modules'.)
  const COUNTING_CONFIG =
    "import { defineConfig } from 'vite';\nimport vue from '@vitejs/plugin-vue';\nconst g = globalThis;\ng.__viteLoads = (g.__viteLoads ?? 0) + 1;\ng.__viteTransforms ??= [];\nexport default defineConfig({ plugins: [vue(), { name: 'count', transform(_code, id) { if (!id.includes('node_modules') && !id.includes('?')) g.__viteTransforms.push(id.split('/').pop()); } }] });\n";
  const counters = () => globalThis as unknown as { __viteLoads?: number; __viteTransforms?: string[] };
  const jsOf = (out: BuildOutput) =>
    [...out.files]
      .filter(([n]) => n.endsWith('.js'))
      .map(([, d]) => Buffer.from(d).toString('utf8'))
      .join('\n');

  it('one Vite watcher serves every save; a new module and a fix after a failure are picked up; nothing is written', async () => {
    const { 'public/manifest.json': _pwa, ...files } = VITE_APP;
    const project = stack({
      ...files,
      'vite.config.ts': COUNTING_CONFIG,
      'src/main.ts': "import { createApp } from 'vue';\nimport App from './App.vue';\ncreateApp(App, { title: 'Hello Vite' }).mount('#app');\n",
    });
    counters().__viteLoads = 0;
    counters().__viteTransforms = [];
    const ctx = createBuildContext({ projectDir: project.dir, mode: 'development', watch: true });
    try {
      const first = await ctx.rebuild();
      expect(first.errors).toEqual([]);
      expect(counters().__viteTransforms).toEqual(expect.arrayContaining(['main.ts', 'App.vue', 'Counter.vue', 'visits.ts']));
      counters().__viteTransforms = [];

      project.write('src/Counter.vue', VITE_APP['src/Counter.vue']!.replace('count {{ n }}', 'clicks {{ n }}'));
      const second = await ctx.rebuild();
      expect(second.errors).toEqual([]);
      expect(jsOf(second)).toContain('clicks ');
      expect(counters().__viteLoads).toBe(1);
      expect(counters().__viteTransforms).toContain('Counter.vue');

      // manifest.json is not Vite's: the package follows it without a bundle.
      project.write('manifest.json', JSON.stringify({ ...JSON.parse(readFileSync(join(project.dir, 'manifest.json'), 'utf8')), version: '1.0.1' }));
      expect((await ctx.rebuild()).manifest?.version).toBe('1.0.1');

      project.write(
        'src/App.vue',
        VITE_APP['src/App.vue']!.replace("import { countVisits } from './visits';", "import { countVisits } from './visits';\nimport { extra } from './extra';\nconsole.log(extra);"),
      );
      const broken = await ctx.rebuild();
      expect(broken.ok).toBe(false);
      expect(broken.errors[0]).toMatchObject({ code: 'BUILD_VITE_FAILED' });
      project.write('src/extra.ts', "export const extra = 'extra module';\n");
      const fixed = await ctx.rebuild();
      expect(fixed.errors).toEqual([]);
      expect(jsOf(fixed)).toContain('extra module');
    } finally {
      await ctx.dispose();
    }
    expect(existsSync(join(project.dir, 'dist', 'assets'))).toBe(false);
  }, 120_000);
});

describe('miniapp pack', () => {
  it("packages `vite build`'s folder as it is, says what it left out and why, and the package runs", async () => {
    const { dir } = stack(VITE_APP);
    const vite = await import(join(repoRoot, 'node_modules/vite/dist/node/index.js'));
    await vite.build({ root: dir, logLevel: 'silent', build: { outDir: 'web', sourcemap: true, manifest: true } });
    expect(existsSync(join(dir, 'web/.vite/manifest.json'))).toBe(true);
    const r = await runCli(['pack', 'web', '--json', '--rename-web-manifest'], { cwd: dir, timeoutMs: 60_000 });
    const out = parseJsonOutput(r.stdout);
    expect(out.errors).toEqual([]);
    expect(r.code).toBe(0);
    // The mini-program manifest came from the project (the folder's manifest.json is the PWA one).
    expect(out.result.manifestFile).toBe('manifest.json');
    const zip = join(dir, out.result.zipPath);
    expect(out.result.zipPath).toBe('com.example.stack-1.0.0.zip');
    const packaged = names(zip);
    const built = readdirSync(join(dir, 'web'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    // Every built file is either in the package or listed with a reason.
    expect(packaged.length - 1 + out.result.omitted.length).toBe(built);
    expect(out.result.omitted.map((o: { path: string }) => o.path)).toEqual(['.vite/manifest.json', expect.stringMatching(/^assets\/index-[\w-]+\.js\.map$/)]);
    expect(out.result.omitted.find((o: { path: string }) => o.path.endsWith('.js.map')).reason).toMatch(/source map/);
    expect(packaged).toEqual(expect.arrayContaining(['favicon.svg', 'site.webmanifest', 'index.html', 'manifest.json']));
    app = await launch(zip);
    expect(app.text('#title')).toBe('Hello Vite');
    // Human output lists the same.
    const human = await runCli(['pack', 'web', '--rename-web-manifest'], { cwd: dir, timeoutMs: 60_000 });
    expect(human.stdout).toMatch(/packed com\.example\.stack@1\.0\.0/);
    expect(human.stdout).toMatch(/left out \(2\):\n\s+\.vite\/manifest\.json: /);
  }, 120_000);

  it('refuses a file, and a folder with no mini-program manifest, with a hint', async () => {
    const { dir, write } = stack({ 'web/index.html': '<html></html>' });
    write('web/manifest.json', PWA);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'manifest.json'));
    const none = await runCli(['pack', 'web', '--json'], { cwd: dir });
    expect(parseJsonOutput(none.stdout).errors[0]).toMatchObject({ code: 'PACK_MANIFEST_NOT_FOUND' });
    expect(none.code).toBe(1);
    const file = await runCli(['pack', 'web/index.html', '--json'], { cwd: dir });
    expect(parseJsonOutput(file.stdout).errors[0]).toMatchObject({ code: 'PACK_NOT_A_DIRECTORY' });
    expect(file.code).toBe(2);
  });
});
