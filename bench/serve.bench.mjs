// @ts-check
// Benchmark: save → reload with `miniapp serve` on a generated 300-module app. Measures, in the same run,
// on the same edits:
//   1. bare esbuild: write the file, then ctx.rebuild() of an esbuild context with the same options;
//   2. the build core alone: write, then createBuildContext().rebuild() (manifest, HTML, lint, public/);
//   3. the dev server: write, until a WebSocket client receives `reload` (watcher, coalescing, rebuild,
//      hash, broadcast);
//   4. Chromium: write, until the page shows the new content (reload, refetch, re-run).
//   5. a burst: 100 saves 20 ms apart with 5 Chromium pages open (the server in its own process, as
//      `miniapp serve` runs; baseline: the same 5 pages reloaded at once from a bare static server): every page shows the last save within
//      500 ms of the build that has it, none blank;
//   6. 1,000 saves with 20 WebSocket clients: the server's RSS (its own process) grows < 30 MB.
// Goal: (3) adds at most 10 ms to (1) at the median. Also: heap growth over 1,000 rebuilds.
// Run: npm run build && node bench/serve.bench.mjs [--edits 30]
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head><body><h1 id="title">loading</h1><script type="module" src="./src/main.js"></script></body></html>',
  );
  for (let i = 0; i < MODULES; i++) writeFileSync(join(dir, 'src', `m${i}.js`), moduleSource(i));
  writeFileSync(
    join(dir, 'src', 'main.js'),
    `import { compute${MODULES - 1} } from './m${MODULES - 1}.js';\nimport { label } from './label.js';\ndocument.getElementById('title').textContent = label + ' ' + compute${MODULES - 1}(1);\nwindow.__shownAt = Date.now();\n`,
  );
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
  const serverEvents = [];
  const server = await createDevServer({
    projectDir: dirs.server,
    port: 0,
    onEvent: (e) => {
      serverEvents.push({ at: now(), wall: Date.now(), e });
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
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
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
    // 5. A burst: 100 saves 20 ms apart while 5 pages are open. Every page must end on the last save
    // within 500 ms of the build that has it, and none may go blank (a 404 for an old build's script).
    // The dev server in a process of its own, as `miniapp serve` runs: in this one it shared its event
    // loop with Playwright's traffic for 5 pages, which made its pages ~2.5 s slower here (not in use).
    const own = await serverProcess(makeApp());
    try {
      results.burst = await burst(browser, own, own.dir, own.events);
    } finally {
      await own.close();
    }
    // 5b. Its baseline, in the same run: the same build's files from a bare static server (no client,
    // no bridge mock), the same 5 pages all reloaded at once. What the burst figure costs beyond it is ours.
    results.bareReload = await bareReloads(browser, server.state().served.files, 5);
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
  console.log(
    `  inside the server: rebuild ${fmt(results.serverBuild)} (median; ${results.serverBuildCount} rebuilds for ${EDITS} edits); around it (watcher, coalescing, hash, broadcast) ${fmt(results.overhead)} (median per edit)`,
  );
  if (results.browser !== undefined) console.log(`  Chromium: write → page shows new content ${fmt(results.browser)} (median of ${browserSamples.length})`);
  else console.log('  Chromium: skipped (no /usr/bin/chromium)');
  if (results.burst) {
    const b = results.burst;
    console.log(`\nburst: ${b.saves} saves ${b.gapMs} ms apart, ${b.pages} Chromium pages open, ${b.builds} rebuilds (${b.seconds.toFixed(1)} s)`);
    console.log(`  last save rendered by every page: ${b.shown} of ${b.pages}; by the page's own clock, after its build: ${b.renderLags.map((l) => fmt(l)).join(', ')}`);
    console.log(`  worst ${fmt(Math.max(...b.renderLags))}   goal <= 500 ms: ${b.shown === b.pages && Math.max(...b.renderLags) <= 500 ? 'met' : 'NOT met'}`);
    console.log(`  as the harness saw it (CDP polling every 50 ms, 5 pages at once): ${b.lags.map((l) => fmt(l)).join(', ')}`);
    console.log(`  blank pages at the end: ${b.blank}; 404 responses during the burst: ${b.notFound}   goal 0: ${b.blank === 0 && b.notFound === 0 ? 'met' : 'NOT met'}`);
    if (results.bareReload) {
      const r = results.bareReload;
      console.log(
        `  baseline: the same build from a bare static server, ${r.pages} pages reloaded at once, shown after (page clocks), worst of each of ${r.rounds.length} rounds: ${r.rounds.map((l) => fmt(Math.max(...l))).join(', ')}`,
      );
      console.log(`  the burst's worst page over the baseline's median worst: ${fmt(Math.max(...b.renderLags) - median(r.rounds.map((l) => Math.max(...l))))}`);
    }
  }
} finally {
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
}

/**
 * A dev server in a child process on `dir`, with what burst() uses of one: url, idle(), and its build
 * events as { at (this process's clock when received), wall (the child's Date.now()), e }.
 */
async function serverProcess(dir) {
  const { spawn } = await import('node:child_process');
  const script = `const { createDevServer } = await import(${JSON.stringify(join(root, 'dist/server/index.js'))});
const s = await createDevServer({ projectDir: ${JSON.stringify(dir)}, port: 0, onEvent: (e) => e.type === 'build' && process.stdout.write(JSON.stringify({ build: e.ok, wall: Date.now() }) + '\\n') });
process.stdout.write(JSON.stringify({ url: s.url }) + '\\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { if (d.includes('idle')) s.idle().then(() => process.stdout.write(JSON.stringify({ idle: true }) + '\\n')); });
process.stdin.on('end', () => s.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events = [];
  let idleWaiter;
  let buffered = '';
  const url = await new Promise((resolve) =>
    child.stdout.on('data', (d) => {
      buffered += String(d);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const m = JSON.parse(line);
        if (m.url) resolve(m.url);
        if (m.build !== undefined) events.push({ at: now(), wall: m.wall, e: { type: 'build', ok: m.build } });
        if (m.idle) idleWaiter?.();
      }
    }),
  );
  return {
    url,
    dir,
    events,
    idle: () =>
      new Promise((resolve) => {
        idleWaiter = () => resolve(undefined);
        child.stdin.write('idle\n');
      }),
    close: async () => {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The baseline for the burst: `files` (a build's output) served as they are by a bare static server, `n`
 * pages open, all reloaded at once, three times; each page's own clock says when it showed the app again.
 */
async function bareReloads(browser, files, n) {
  const { createServer } = await import('node:http');
  const http = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1)) || 'index.html';
    const data = files.get(path);
    if (!data) return void res.writeHead(404).end();
    const type = path.endsWith('.html') ? 'text/html' : path.endsWith('.js') ? 'text/javascript' : path.endsWith('.css') ? 'text/css' : 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': data.length }).end(data);
  });
  await new Promise((r) => http.listen(0, '127.0.0.1', () => r(undefined)));
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (http.address()).port}/`;
  const pages = await Promise.all(
    Array.from({ length: n }, async () => {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForFunction(() => /edit-/.test(document.getElementById('title')?.textContent ?? ''));
      return page;
    }),
  );
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    await sleep(500);
    const t = Date.now();
    await Promise.all(pages.map((p) => p.evaluate(() => setTimeout(() => location.reload()))));
    const shown = await Promise.all(
      pages.map((p) =>
        p
          .waitForFunction((since) => /** @type {any} */ (window).__shownAt > since, t, { polling: 50, timeout: 20_000 })
          .then(() => p.evaluate(() => /** @type {any} */ (window).__shownAt))
          .catch(() => Number.POSITIVE_INFINITY),
      ),
    );
    rounds.push(shown.map((s) => s - t));
  }
  for (const p of pages) await p.close();
  await new Promise((r) => http.close(() => r(undefined)));
  return { pages: n, rounds };
}

/** 100 saves 20 ms apart with 5 pages open: when each page shows the last one, relative to the build that had it. */
async function burst(browser, server, dir, events) {
  const PAGES = 5;
  const SAVES = 100;
  const GAP = 20;
  let notFound = 0;
  const pages = await Promise.all(
    Array.from({ length: PAGES }, async () => {
      const page = await browser.newPage();
      page.on('response', (r) => r.status() === 404 && !r.url().endsWith('/favicon.ico') && notFound++);
      await page.goto(server.url);
      await page.waitForFunction(() => /edit-/.test(document.getElementById('title')?.textContent ?? ''));
      return page;
    }),
  );
  await server.idle();
  await sleep(300);
  const since = events.length;
  const t0 = now();
  for (let i = 1; i <= SAVES; i++) {
    edit(dir, 9000 + i);
    await sleep(GAP);
  }
  const lastText = `edit-${9000 + SAVES} `;
  const shownAt = await Promise.all(
    pages.map((page) =>
      page
        // Polled every 50 ms: the lag that counts is the page's own clock (__shownAt); a 5 ms poll of 5
        // pages competed with their reloads for the renderers' main threads.
        .waitForFunction((t) => document.getElementById('title')?.textContent?.startsWith(t), lastText, { polling: 50, timeout: 10_000 })
        .then(
          () => now(),
          () => undefined,
        ),
    ),
  );
  await server.idle();
  const builds = events.slice(since).filter((x) => x.e.type === 'build' && x.e.ok);
  // The build that has the last save: the last one that finished before the first page showed it.
  const firstShown = Math.min(...shownAt.filter((t) => t !== undefined));
  const lastBuild = builds.filter((x) => x.at <= firstShown).pop() ?? builds[builds.length - 1];
  const lastBuildAt = lastBuild?.at ?? t0;
  let blank = 0;
  const rendered = [];
  for (const page of pages) {
    const title = (await page.textContent('#title').catch(() => '')) ?? '';
    if (!/edit-/.test(title)) blank++;
    // When the page itself rendered the last save (its Date.now(), the machine's clock), beside when the harness saw it.
    rendered.push(await page.evaluate(() => /** @type {any} */ (window).__shownAt).catch(() => undefined));
    await page.close();
  }
  const renderLags = rendered.map((t) => (t === undefined || !lastBuild ? Infinity : t - lastBuild.wall));
  return {
    saves: SAVES,
    gapMs: GAP,
    pages: PAGES,
    builds: builds.length,
    seconds: (now() - t0) / 1000,
    shown: shownAt.filter((t) => t !== undefined).length,
    lags: shownAt.map((t) => (t === undefined ? Infinity : t - lastBuildAt)),
    renderLags,
    blank,
    notFound,
  };
}

// 6. 1,000 saves with 20 connected clients: the server runs in its own process, so its RSS is its own.
{
  const CLIENTS = 20;
  const SAVES = 1000;
  const dir = mkdtempSync(join(tmpdir(), 'miniapp-serve-bench-rss-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'com.bench.rss', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head></head><body><script type="module" src="./src/main.js"></script></body></html>');
  writeFileSync(join(dir, 'src', 'main.js'), "document.title = 'save 0';\n");
  const { spawn } = await import('node:child_process');
  const script = `const { createDevServer } = await import(${JSON.stringify(join(root, 'dist/server/index.js'))});
const s = await createDevServer({ projectDir: ${JSON.stringify(dir)}, port: 0, ackTimeoutMs: 500 });
process.stdout.write(s.wsUrl + '\\n');
process.stdin.on('data', () => {}); process.stdin.on('end', () => s.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const wsUrl = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d).trim())));
  const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  let reloads = 0;
  let wake;
  const clients = await Promise.all(
    Array.from(
      { length: CLIENTS },
      (_, k) =>
        new Promise((resolve) => {
          const ws = new WebSocket(wsUrl);
          ws.on('message', (d) => {
            const m = JSON.parse(String(d));
            if (m.type === 'hello') resolve(ws);
            if (m.type === 'reload') {
              // A page acknowledges from its next connection; here the same one does, with the build it runs.
              ws.send(JSON.stringify({ type: 'ack', id: m.id, hash: m.hash }));
              if (k === 0) {
                reloads++;
                wake?.();
              }
            }
          });
        }),
    ),
  );
  const t = now();
  let at100 = 0;
  const start = rss();
  for (let i = 1; i <= SAVES; i++) {
    const before = reloads;
    writeFileSync(join(dir, 'src', 'main.js'), `document.title = 'save ${i}';\n`);
    await /** @type {Promise<void>} */ (
      new Promise((resolve) => {
        wake = () => reloads > before && resolve();
        setTimeout(resolve, 2000);
      })
    );
    if (i === 100) at100 = rss();
  }
  const end = rss();
  for (const ws of clients) ws.close();
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
  const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;
  console.log(
    `\n${SAVES} saves with ${CLIENTS} clients (${((now() - t) / 1000).toFixed(1)} s, ${reloads} reloads seen): server RSS ${mb(start)} at start, ${mb(at100)} after 100, ${mb(end)} after ${SAVES}`,
  );
  console.log(`  growth after warm-up (100 → ${SAVES}) ${mb(end - at100)}, from start ${mb(end - start)}   goal < 30 MB: ${end - at100 < 30 * 1048576 ? 'met' : 'NOT met'}`);
}

// 7. Memory: 1,000 consecutive rebuilds through the server (small app, no watcher), heap after GC.
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
  console.log(
    `\n1,000 consecutive rebuilds (${((now() - t) / 1000).toFixed(1)} s): heap after GC ${(at100 / 1048576).toFixed(1)} MB at 100 → ${(at1000 / 1048576).toFixed(1)} MB at 1,000 (${((at1000 - at100) / 1024).toFixed(0)} KB growth)`,
  );
}
