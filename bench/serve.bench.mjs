// @ts-check
// Benchmark: save → reload with `miniapp serve` on a generated 300-module app. Measures, in the same run,
// on the same edits:
//   1. bare esbuild: write the file, then ctx.rebuild() of an esbuild context with the same options;
//   2. the build core alone: write, then createBuildContext().rebuild() (manifest, HTML, lint, public/);
//   3. the dev server: write, until a WebSocket client receives `reload` (watcher, coalescing, rebuild,
//      hash, broadcast);
//   4. Chromium: write, until the page shows the new content (reload, refetch, re-run).
// Goal: (3) adds at most 10 ms to (1) at the median. Also: heap growth over 1,000 rebuilds.
// Run: npm run build && node bench/serve.bench.mjs [--edits 30]
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { median } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : dflt);
const EDITS = arg('--edits', 30);
const MODULES = 300;
const PAUSE_MS = 120; // between edits, so each save is its own rebuild (no coalescing)

const { createDevServer } = await import(join(root, 'dist/server/index.js'));
const { createBuildContext } = await import(join(root, 'dist/build/index.js'));
const esbuild = await import('esbuild');
const { WebSocket } = await import('ws');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** A module that imports two earlier ones (a linear call chain plus a label), so every module is live in the bundle. */
function moduleSource(i, edit = 0) {
  const prev = i - 1;
  const half = Math.floor(i / 2);
  const imports = i === 0 ? '' : `import { compute${prev} } from './m${prev}.js';\n${half !== prev ? `import { label${half} } from './m${half}.js';\n` : ''}`;
  return `${imports}export const label${i} = 'module ${i} edit ${edit}';
export class Model${i} {
  constructor(name) { this.name = name; this.tags = ['x${i}', 'y${i}']; }
  weight() { let w = ${i % 17}; for (const t of this.tags) w += t.length * ${(i % 13) + 1}; return w + this.name.length; }
}
export function compute${i}(input) {
  let total = input * ${(i % 5) + 1};
  ${i === 0 ? '' : `total += compute${prev}(input + ${i % 7});`}
  ${i === 0 || half === prev ? '' : `total += label${half}.length;`}
  const values = [${Array.from({ length: 12 }, (_, k) => (i * 31 + k * 17) % 1000).join(', ')}];
  for (const v of values) total = (total + v * ${(i % 3) + 1}) % 1000003;
  return total + new Model${i}(label${i}).weight();
}
`;
}

function makeApp() {
  const dir = mkdtempSync(join(tmpdir(), 'miniapp-serve-bench-'));
  mkdirSync(join(dir, 'src'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'com.bench.serve', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body><h1 id="title">loading</h1><script type="module" src="./src/main.js"></script></body></html>');
  for (let i = 0; i < MODULES; i++) writeFileSync(join(dir, 'src', `m${i}.js`), moduleSource(i));
  writeFileSync(join(dir, 'src', 'main.js'), `import { compute${MODULES - 1} } from './m${MODULES - 1}.js';\nimport { label } from './label.js';\ndocument.getElementById('title').textContent = label + ' ' + compute${MODULES - 1}(1);\n`);
  writeFileSync(join(dir, 'src', 'label.js'), "export const label = 'edit-0';\n");
  writeFileSync(join(dir, 'public', 'robots.txt'), 'User-agent: *\n');
  return dir;
}

/** The edit: a leaf module every build includes (the text the page shows changes too). */
const edit = (dir, n) => writeFileSync(join(dir, 'src', 'label.js'), `export const label = 'edit-${n}';\n`);
const editModule = (dir, n) => writeFileSync(join(dir, 'src', 'm150.js'), moduleSource(150, n));

const step = (m) => process.stderr.write(`… ${m}\n`);
// Three copies of the app, so the three measurements can be interleaved edit by edit (load on a shared
// machine then hits each alike) without one's writes waking another's watcher.
const dirs = { bare: makeApp(), core: makeApp(), server: makeApp() };
const results = {};
try {
  step('setting up');
  // 1. Bare esbuild, same options as the dev build (ESM, splitting, inline source maps, no write).
  const bare = await esbuild.context({
    absWorkingDir: dirs.bare,
    entryPoints: ['src/main.js'],
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(dirs.bare, '.out'),
    entryNames: 'assets/[name]-[hash]',
    format: 'esm',
    splitting: true,
    sourcemap: 'inline',
    target: ['es2019', 'chrome80', 'safari13'],
    logLevel: 'silent',
  });
  await bare.rebuild();
  // 2. The build core alone.
  const core = createBuildContext({ projectDir: dirs.core, mode: 'development' });
  await core.rebuild();
  // 3. The dev server: write → `reload` on a WebSocket.
  const serverBuilds = [];
  const server = await createDevServer({
    projectDir: dirs.server,
    port: 0,
    onEvent: (e) => {
      if (e.type === 'build') serverBuilds.push(e.durationMs);
      if (process.env.BENCH_DEBUG) step(JSON.stringify(e).slice(0, 160));
    },
  });
  const ws = new WebSocket(server.wsUrl);
  const messages = [];
  let wake;
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)));
    wake?.();
  });
  await new Promise((r) => ws.once('open', r));
  const nextReload = (since) =>
    new Promise((resolve) => {
      const check = () => {
        const m = messages.slice(since).find((x) => x.type === 'reload');
        if (m) resolve(m);
      };
      wake = check;
      check();
    });

  step(`${EDITS} edits, interleaved`);
  const bareSamples = [];
  const coreSamples = [];
  const serverSamples = [];
  const serverOverhead = [];
  for (let i = 1; i <= EDITS; i++) {
    await sleep(PAUSE_MS);
    let t = now();
    editModule(dirs.bare, i);
    await bare.rebuild();
    bareSamples.push(now() - t);

    await sleep(PAUSE_MS);
    t = now();
    editModule(dirs.core, i);
    const out = await core.rebuild();
    if (!out.ok) throw new Error(JSON.stringify(out.errors));
    coreSamples.push(now() - t);

    await server.idle();
    await sleep(PAUSE_MS);
    const since = messages.length;
    const builds = serverBuilds.length;
    t = now();
    editModule(dirs.server, i);
    await nextReload(since);
    const total = now() - t;
    serverSamples.push(total);
    // What the server adds around its own rebuild(s) for this edit: watcher, coalescing, hash, broadcast.
    serverOverhead.push(total - serverBuilds.slice(builds).reduce((a, b) => a + b, 0));
  }
  ws.close();
  await bare.dispose();
  await core.dispose();
  const serverPhaseBuilds = serverBuilds.slice();

  step('chromium');
  // 4. Chromium: write → the page shows the new text.
  const chromiumPath = '/usr/bin/chromium';
  const browserSamples = [];
  if (existsSync(chromiumPath)) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => /edit-/.test(document.getElementById('title')?.textContent ?? ''));
    await sleep(300);
    for (let i = 1; i <= Math.min(EDITS, 15); i++) {
      await server.idle();
      await sleep(PAUSE_MS * 2);
      const t = now();
      edit(dirs.server, 4000 + i);
      await page.waitForFunction((n) => document.getElementById('title')?.textContent?.startsWith(`edit-${n} `), 4000 + i, { polling: 5, timeout: 10_000 });
      browserSamples.push(now() - t);
    }
    await browser.close();
  }
  await server.close();

  const fmt = (v) => `${v.toFixed(1)} ms`;
  results.bare = median(bareSamples);
  results.core = median(coreSamples);
  results.server = median(serverSamples);
  results.serverBuild = median(serverPhaseBuilds.slice(1));
  results.serverBuildCount = serverPhaseBuilds.length - 1;
  results.overhead = median(serverOverhead);
  results.browser = browserSamples.length ? median(browserSamples) : undefined;
  console.log(`\nsave → reload on a ${MODULES}-module app, median of ${EDITS} edits (same run, same edit, interleaved)`);
  console.log(`  bare esbuild ctx.rebuild()          ${fmt(results.bare)}   (baseline)`);
  console.log(`  build core rebuild (createBuildContext) ${fmt(results.core)}   (${(results.core / results.bare).toFixed(2)}x)`);
  console.log(`  dev server: write → WS "reload"     ${fmt(results.server)}   (${(results.server / results.bare).toFixed(2)}x)`);
  console.log(`  server adds over bare esbuild       ${fmt(results.server - results.bare)}   goal <= 10 ms: ${results.server - results.bare <= 10 ? 'met' : 'NOT met'}`);
  console.log(`  server adds over the build core     ${fmt(results.server - results.core)}`);
  console.log(`  inside the server: rebuild ${fmt(results.serverBuild)} (median; ${results.serverBuildCount} rebuilds for ${EDITS} edits); around it (watcher, coalescing, hash, broadcast) ${fmt(results.overhead)} (median per edit)`);
  if (results.browser !== undefined) console.log(`  Chromium: write → page shows new content ${fmt(results.browser)} (median of ${browserSamples.length})`);
  else console.log('  Chromium: skipped (no /usr/bin/chromium)');
} finally {
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
}

// 5. Memory: 1,000 consecutive rebuilds through the server (small app, no watcher), heap after GC.
{
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const small = mkdtempSync(join(tmpdir(), 'miniapp-serve-bench-mem-'));
  mkdirSync(join(small, 'src'));
  writeFileSync(join(small, 'manifest.json'), JSON.stringify({ id: 'com.bench.mem', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }));
  writeFileSync(join(small, 'index.html'), '<!doctype html><html><head></head><body><script type="module" src="./src/main.js"></script></body></html>');
  const server = await createDevServer({ projectDir: small, port: 0, watch: false });
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let at100 = 0;
  const t = now();
  for (let i = 1; i <= 1000; i++) {
    writeFileSync(join(small, 'src', 'main.js'), `document.title = 'rebuild ${i}';\n`);
    await server.reload();
    if (i === 100) at100 = heap();
  }
  const at1000 = heap();
  await server.close();
  rmSync(small, { recursive: true, force: true });
  console.log(`\n1,000 consecutive rebuilds (${((now() - t) / 1000).toFixed(1)} s): heap after GC ${(at100 / 1048576).toFixed(1)} MB at 100 → ${(at1000 / 1048576).toFixed(1)} MB at 1,000 (${((at1000 - at100) / 1024).toFixed(0)} KB growth)`);
}
