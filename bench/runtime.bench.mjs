// @ts-check
// Runtime benchmark: launch of a 1 MB mini-program to its first bridge call (whole process through
// `miniapp run`, and in-process through the testing API) against `node -e 0`, and bridge round trips
// per second against a plain async function call, all measured in the same run.
// Run after `npm run build`: node bench/runtime.bench.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, scratchDir } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin/miniapp.js');
const { launchApp } = await import(join(root, 'dist/runtime/launch.js'));

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

/** A 1 MB app: 1 MB of script (data plus code), whose first act is a bridge call, then it closes. */
function makeApp() {
  const dir = scratchDir('miniapp-bench-');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'com.bench.big', version: '1.0.0', minHostVersion: '1.0.0', entryPoint: 'index.html', permissions: ['device'], allowedDomains: [] }));
  const rows = [];
  let size = 0;
  for (let i = 0; size < 1024 * 1024; i++) {
    const row = `{id:${i},name:"product-${i}",price:${(i % 997) / 10},tags:["a${i % 13}","b${i % 7}"]},\n`;
    rows.push(row);
    size += row.length;
  }
  writeFileSync(join(dir, 'catalog.js'), `window.CATALOG = [\n${rows.join('')}];\n`);
  writeFileSync(join(dir, 'app.js'), `MiniAppBridge.call('device.info').then(() => MiniAppBridge.call('navigation.close'));\n`);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><body><script src="catalog.js"></script><script src="app.js"></script></body></html>');
  return { dir, bytes: size };
}

function wall(cmd, args, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  }
  return median(times);
}

const { dir, bytes } = makeApp();
const data = scratchDir('miniapp-bench-data-');
mkdirSync(join(data, 'd'));
const runArgs = [bin, 'run', dir, '--json', '--data-dir', join(data, 'd'), '--host-key-file', join(data, 'key')];
execFileSync(process.execPath, runArgs, { stdio: 'ignore' }); // warm the file cache and create the key

const RUNS = 7;
const nodeBaseline = wall(process.execPath, ['-e', '0'], RUNS);
const wholeProcess = wall(process.execPath, runArgs, RUNS);
const report = JSON.parse(execFileSync(process.execPath, runArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })).result;

// In-process: time from launch() to the first bridge call reaching the host. The first launch pays
// for loading happy-dom; later launches in the same process are what a test suite sees.
async function inProcess() {
  const t0 = performance.now();
  const app = await launchApp(dir, {});
  const hit = app.host.recorder.calls[0] ? performance.now() : await new Promise((r) => app.host.recorder.onCall(() => r(performance.now())));
  const first = hit - t0;
  await app.close();
  return first;
}
const cold = await inProcess();
const warm = [];
for (let i = 0; i < 5; i++) warm.push(await inProcess());

// Bridge round trips: sequential awaited calls from the page realm, and a burst of concurrent calls.
const rt = await launchApp(dir, {});
const bridge = rt.guest.window.MiniAppBridge;
const N = 5000;
for (let i = 0; i < 200; i++) await bridge.call('device.info');
let t0 = performance.now();
for (let i = 0; i < N; i++) await bridge.call('device.info');
const sequentialMs = performance.now() - t0;
t0 = performance.now();
await Promise.all(Array.from({ length: N }, () => bridge.call('device.info')));
const burstMs = performance.now() - t0;
await rt.close();

// The same round trip measured inside the page, with the guest in this thread and in a worker thread
// (the channel the host-grade runtime isolates along).
function makeLoopApp() {
  const dir = scratchDir('miniapp-bench-loop-');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'com.bench.loop', version: '1.0.0', minHostVersion: '1.0.0', entryPoint: 'index.html', permissions: ['device'], allowedDomains: [] }));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><body><script>
    (async () => {
      for (let i = 0; i < 200; i++) await MiniAppBridge.call('device.info');
      const t = performance.now();
      for (let i = 0; i < ${N}; i++) await MiniAppBridge.call('device.info');
      console.log(String((performance.now() - t) * 1000 / ${N}));
    })();
  </script></body></html>`,
  );
  return dir;
}
const loopDir = makeLoopApp();
async function pageRoundTripUs(isolation) {
  const app = await launchApp(loopDir, { isolation });
  await app.host.waitForIdle();
  const us = Number(app.host.snapshot().console.at(-1)?.text);
  await app.close();
  return us;
}
const pageInProcessUs = await pageRoundTripUs('none');
const pageWorkerUs = await pageRoundTripUs('worker');

const plain = async () => ({ platform: 'headless' });
for (let i = 0; i < 10_000; i++) await plain();
t0 = performance.now();
for (let i = 0; i < N * 20; i++) await plain();
const plainPerCallUs = ((performance.now() - t0) * 1000) / (N * 20);

const seqUs = (sequentialMs * 1000) / N;
const lines = [
  `runtime bench (app: ${(bytes / 1024 / 1024).toFixed(2)} MB of script, median of ${RUNS} runs)`,
  `  node -e 0                                  ${fmt(nodeBaseline)} ms`,
  `  miniapp run, whole process (to exit)       ${fmt(wholeProcess)} ms   ${(wholeProcess / nodeBaseline).toFixed(1)}x node -e 0`,
  `    inside it: launch→first bridge call      ${fmt(report.timings.firstCallMs)} ms`,
  `  in-process launch→first call, cold         ${fmt(cold)} ms   ${(cold / nodeBaseline).toFixed(1)}x node -e 0`,
  `  in-process launch→first call, warm         ${fmt(median(warm))} ms   ${(median(warm) / nodeBaseline).toFixed(2)}x node -e 0`,
  `  bridge round trip, sequential              ${fmt(seqUs)} µs   ${fmt(1e6 / seqUs)} calls/s`,
  `  bridge round trips, burst of ${N}         ${fmt((burstMs * 1000) / N)} µs each   ${fmt((N / burstMs) * 1000)} calls/s`,
  `  round trip from the page, same thread      ${fmt(pageInProcessUs)} µs   ${fmt(1e6 / pageInProcessUs)} calls/s`,
  `  round trip from the page, worker thread    ${fmt(pageWorkerUs)} µs   ${fmt(1e6 / pageWorkerUs)} calls/s`,
  `  plain async function call                  ${fmt(plainPerCallUs)} µs   ${(seqUs / plainPerCallUs).toFixed(0)}x faster than a round trip`,
];
process.stdout.write(`${lines.join('\n')}\n`);
