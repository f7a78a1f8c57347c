// @ts-check
// Host-grade runtime benchmarks (issue 7), every ratio against a baseline measured in the same run:
//   cold start   install + launch a signed 1 MB package to its first bridge call, whole process, vs node -e 0 (goal <= 4x),
//                in the OS sandbox (bubblewrap) and, for the jail's own cost, without it
//   miniapp run  the same package, whole process, vs node -e 0 (goal <= 4x)
//   warm start   resume a suspended app to its next bridge call, vs node -e 0 (goal <= 0.4x)
//   round trip   MiniAppBridge.call across the sandbox boundary, median (goal <= 100 us)
//   20 apps      total memory of the host and 20 running sandboxes, PSS (goal < 1.5 GB)
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackage } from '../dist/host/install.js';
import { createHostManager } from '../dist/host/manager.js';
import { processRss } from '../dist/sandbox/index.js';
import { signPackage } from '../dist/signing/sign.js';
import { fmt, median, printTable, ratio, scratchDir, timeProcesses } from './lib.mjs';
import { ZipArchive } from 'archiver';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const dir = scratchDir('miniapp-bench-host-');
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 65537 });

const manifest = (id, extra = {}) => ({ id, version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage', 'device'], allowedDomains: ['api.partner.com'], ...extra });
/** A plain package (archiver's output is within what the strict reader accepts). */
async function appZip(id, scripts) {
  const names = Object.keys(scripts);
  const zip = new ZipArchive({ zlib: { level: 6 } });
  const chunks = [];
  zip.on('data', (c) => chunks.push(c));
  zip.append(JSON.stringify(manifest(id)), { name: 'manifest.json' });
  zip.append(`<!doctype html><title>${id}</title>${names.map((n) => `<script src="${n}"></script>`).join('')}`, { name: 'index.html' });
  for (const n of names) zip.append(scripts[n], { name: n });
  await zip.finalize();
  return Buffer.concat(chunks);
}

// --- cold start: a signed package of ~1 MB (a 1 MB script the page loads, then the first bridge call)
const megabyte = `window.payload = ${JSON.stringify(randomBytes(760 * 1024).toString('base64'))};\n`;
const signed = signPackage(await appZip('com.partner.cold', { 'data.js': megabyte, 'app.js': "MiniAppBridge.call('device.info', {});\n" }), privateKey).bytes;
const pkgPath = join(dir, 'cold.zip');
writeFileSync(pkgPath, signed);
const registryPath = join(dir, 'registry.json');
writeFileSync(
  registryPath,
  JSON.stringify({ partners: [{ id: 'bench', permissions: ['storage', 'device'], keys: [{ publicKey: publicKey.export({ type: 'spki', format: 'pem' }), appIds: ['com.partner.*'] }] }] }),
);
const pubPath = join(dir, 'partner.pub.pem');
writeFileSync(pubPath, publicKey.export({ type: 'spki', format: 'pem' }));
const cli = here('../bin/miniapp.js');
const runArgs = (...extra) => [cli, 'run', pkgPath, '--pubkey', pubPath, '--data-dir', join(dir, 'run-data'), '--host-key-file', join(dir, 'host.key'), '--json', ...extra];
// The OS sandbox (bubblewrap) is what every sandbox gets on this machine; MINIAPP_NO_OS_SANDBOX=1 shows
// the same without it (a plain sandbox process), for the cost of the jail itself.
const NO_JAIL = { MINIAPP_NO_OS_SANDBOX: '1' };
const [cold, coldNoJail, run, runNoJail, runInProcess, nodeE0] = timeProcesses(
  [
    { name: 'cold start', cmd: process.execPath, args: [here('./host/cold-start.mjs'), pkgPath, registryPath] },
    { name: 'cold start, no OS sandbox', cmd: process.execPath, args: [here('./host/cold-start.mjs'), pkgPath, registryPath], env: NO_JAIL },
    { name: 'miniapp run', cmd: process.execPath, args: runArgs() },
    { name: 'miniapp run, no OS sandbox', cmd: process.execPath, args: runArgs(), env: NO_JAIL },
    { name: 'miniapp run --unsafe-in-process', cmd: process.execPath, args: runArgs('--unsafe-in-process') },
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  ],
  { runs: RUNS },
);
const { sandboxIsolation } = await import('../dist/sandbox/jail.js');
const isolation = sandboxIsolation();

// --- a host with apps installed (unsigned, work-in-progress mode: install is not what these measure)
const appsDir = join(dir, 'apps');
async function install(id, scripts) {
  const source = join(dir, `${id}.zip`);
  writeFileSync(source, await appZip(id, scripts));
  const r = await installPackage({ source, appsDir, hostVersion: '3.4.0', allowUnsigned: true });
  if (!r.ok) throw new Error(`${id}: ${r.code}`);
}
// No spare sandboxes here: a spare booting in the background would disturb the timings below.
const manager = createHostManager({ appsDir, hostVersion: '3.4.0', idleSuspendMs: 0, spareSandboxes: 0 });

// --- warm start: resume a suspended app; its 'shown' handler makes the next bridge call
await install('com.partner.warm', { 'app.js': "window.addEventListener('miniapp:shown', () => MiniAppBridge.call('device.info', {}));\n" });
const warmApp = await manager.launch('com.partner.warm');
await warmApp.host.waitForIdle();
const warm = [];
for (let i = 0; i < RUNS * 2; i++) {
  warmApp.suspend();
  await new Promise((r) => setTimeout(r, 20));
  const before = warmApp.host.recorder.calls.length;
  const t = process.hrtime.bigint();
  warmApp.resume();
  while (warmApp.host.recorder.calls.length === before) await new Promise((r) => setImmediate(r));
  warm.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const warmMs = median(warm);
await manager.stop('com.partner.warm');

// --- bridge round trip measured inside the guest, across the process boundary and back, in a host
// process of its own (bench/host/round-trip.mjs). Also, for diagnosis, the same with the host and its
// sandbox pinned to one CPU (taskset -c 0): what the runtime's own work costs, without the wake-up of a
// process on another CPU, which dominates on these virtual machines.
const TRIPS = Number(process.env.BENCH_TRIPS ?? 5000);
await install('com.partner.rtt', {
  'app.js': `(async () => {
    for (let i = 0; i < 3000; i++) await MiniAppBridge.call('device.info', {});
    const s = [];
    for (let i = 0; i < ${TRIPS}; i++) { const t = performance.now(); await MiniAppBridge.call('device.info', {}); s.push(performance.now() - t); }
    s.sort((a, b) => a - b);
    console.log('RTT ' + JSON.stringify({ median: s[s.length >> 1], p90: s[Math.floor(s.length * 0.9)] }));
  })();\n`,
});
const roundTrip = (pin) => {
  const args = [here('./host/round-trip.mjs'), appsDir];
  const r = pin ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { encoding: 'utf8' }) : spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) {
    if (pin) return undefined; // no taskset here: the diagnostic row is skipped
    throw new Error(`round trip run failed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
};
const { median: rttMs, p90 } = roundTrip(false);
const pinned = roundTrip(true);

// --- 20 apps at once
const ids = Array.from({ length: 20 }, (_, i) => `com.partner.many${i}`);
for (const id of ids) await install(id, { 'app.js': "MiniAppBridge.call('storage.set', { key: 'k', value: 'v' }); document.body.textContent = 'hello';\n" });
for (const id of ids) await manager.launch(id);
await Promise.all(ids.map((id) => /** @type {any} */ (manager.get(id)).app.host.waitForIdle()));
await new Promise((r) => setTimeout(r, 300));
const mem = manager.totalMemory();
const rssTotal = ids.reduce((sum, id) => sum + /** @type {any} */ (manager.get(id)).app.sandbox.pids().reduce((n, pid) => n + (processRss(pid) ?? 0), 0), processRss(process.pid) ?? 0);
const perApp = Object.values(mem.perApp);
await manager.close();

const MB = (b) => `${(b / 1048576).toFixed(0)} MB`;
const goal = (ok) => (ok ? 'goal met' : 'GOAL MISSED');
printTable(
  `host-grade runtime (medians; ${RUNS} runs; node ${process.version}, ${(await import('node:os')).cpus().length} cores; sandboxes: ${isolation.level}${isolation.reason ? ` (${isolation.reason})` : ''})`,
  [
    ['node -e 0 (baseline)', fmt(nodeE0.median), ''],
    [
      `cold start: install + launch signed 1 MB package to first bridge call (${isolation.level})`,
      fmt(cold.median),
      `${ratio(cold.median, nodeE0.median)} node -e 0`,
      `goal <= 4x, ${goal(cold.median <= 4 * nodeE0.median)}`,
    ],
    ['  same without the OS sandbox (plain sandbox process)', fmt(coldNoJail.median), `${ratio(coldNoJail.median, nodeE0.median)} node -e 0`, `jail costs ${fmt(cold.median - coldNoJail.median)}`],
    [`miniapp run on the same package, whole process (${isolation.level})`, fmt(run.median), `${ratio(run.median, nodeE0.median)} node -e 0`, `goal <= 4x, ${goal(run.median <= 4 * nodeE0.median)}`],
    ['  same without the OS sandbox (plain sandbox process)', fmt(runNoJail.median), `${ratio(runNoJail.median, nodeE0.median)} node -e 0`, ''],
    ['  same --unsafe-in-process (no sandbox at all)', fmt(runInProcess.median), `${ratio(runInProcess.median, nodeE0.median)} node -e 0`, ''],
    ['warm start: resume suspended app to next bridge call', fmt(warmMs), `${ratio(warmMs, nodeE0.median)} node -e 0`, `goal <= 0.4x, ${goal(warmMs <= 0.4 * nodeE0.median)}`],
    [`bridge round trip across the sandbox boundary (median of ${TRIPS})`, `${(rttMs * 1000).toFixed(0)} us`, `p90 ${(p90 * 1000).toFixed(0)} us`, `goal <= 100 us, ${goal(rttMs * 1000 <= 100)}`],
    ...(pinned ? [['  same, host and sandbox pinned to one CPU (diagnostic: no cross-CPU wake-ups)', `${(pinned.median * 1000).toFixed(0)} us`, `p90 ${(pinned.p90 * 1000).toFixed(0)} us`, '']] : []),
    ['20 apps running: host + sandboxes, PSS', MB(mem.total), `host ${MB(mem.host)}, per app median ${MB(median(perApp))}`, `goal < 1.5 GB, ${goal(mem.total < 1.5 * 1024 ** 3)}`],
    ['20 apps running: RSS sum (counts shared pages 21 times)', MB(rssTotal), '', ''],
  ],
);
