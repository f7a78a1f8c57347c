// Round trip across the isolation boundary: a message from the host to a sandbox process and back,
// median over many trips, against a plain async function call in the same run (issue 7 goal: <= 100 us).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, processRss } from '../dist/sandbox/index.js';
import { median, printTable, scratchDir } from './lib.mjs';

const N = Number(process.env.BENCH_TRIPS ?? 5000);
const dir = scratchDir('miniapp-bench-sandbox-');
const entry = join(dir, 'echo.mjs');
writeFileSync(entry, 'export function start(channel) { channel.onMessage((m) => channel.send(m)); }\n');

let resolveNext;
const sandbox = startSandbox({ entry, readPaths: [`${dir}/*`], onMessage: (m) => resolveNext(m), limits: { messagesPerSecond: 1e9 } });
await sandbox.ready;
const trip = (i) => new Promise((r) => { resolveNext = r; sandbox.send({ id: i, method: 'storage.get', params: { key: 'k' } }); });
for (let i = 0; i < 500; i++) await trip(i);
const samples = [];
for (let i = 0; i < N; i++) {
  const t = process.hrtime.bigint();
  await trip(i);
  samples.push(Number(process.hrtime.bigint() - t) / 1000);
}
const plain = async (m) => m;
const base = [];
for (let i = 0; i < N; i++) {
  const t = process.hrtime.bigint();
  await plain({ id: i });
  base.push(Number(process.hrtime.bigint() - t) / 1000);
}
const rss = processRss(sandbox.pid);
await sandbox.close();
const m = median(samples);
printTable(`sandbox message round trip, median of ${N}`, [
  ['host -> sandbox -> host', `${m.toFixed(1)} us`, `goal <= 100 us ${m <= 100 ? 'met' : 'MISSED'}`],
  ['plain async call (baseline)', `${median(base).toFixed(2)} us`, `${(m / median(base)).toFixed(0)}x`],
  ['sandbox process RSS (no DOM)', `${((rss ?? 0) / 1048576).toFixed(1)} MB`, ''],
]);
