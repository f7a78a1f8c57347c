// @ts-check
// The sandbox's message channel alone (no DOM, no bridge), median over many trips, against a plain async
// function call in the same run:
//   guest -> host -> guest   the bridge's direction: the sandbox sends, says it expects the answer
//                            (channel.expectReply, as the guest runtime does for bridge calls), the host
//                            echoes; timed inside the sandbox
//   host -> sandbox -> host  the host sends and sleeps until the echo
// The bridge round trip itself (issue 7 goal <= 100 us) is measured by bench/host.bench.mjs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSandbox, processRss } from '../dist/sandbox/index.js';
import { median, printTable, scratchDir } from './lib.mjs';

const N = Number(process.env.BENCH_TRIPS ?? 5000);
const WARM = 500;
const dir = scratchDir('miniapp-bench-sandbox-');
const entry = join(dir, 'echo.mjs');
writeFileSync(
  entry,
  `export function start(channel) {
  let answer;
  channel.onMessage((m) => {
    if (m.run) return void run(m.run);
    if (m.echo !== undefined) return answer(m);
    channel.send(m); // host-initiated: echo
  });
  async function run(n) {
    const s = [];
    for (let i = 0; i < n + ${WARM}; i++) {
      const t = performance.now();
      await new Promise((r) => { answer = r; channel.send({ ask: i, method: 'storage.get', params: { key: 'k' } }); channel.expectReply?.(); });
      if (i >= ${WARM}) s.push((performance.now() - t) * 1000);
    }
    s.sort((a, b) => a - b);
    channel.send({ done: s[s.length >> 1] });
  }
}\n`,
);

let resolveNext;
let guestDone;
const sandbox = startSandbox({
  entry,
  readPaths: [`${dir}/*`],
  limits: { messagesPerSecond: 1e9 },
  onMessage: (/** @type {any} */ m) => {
    if (m.ask !== undefined) sandbox.send({ echo: m.ask });
    else if (m.done !== undefined) guestDone(m.done);
    else resolveNext(m);
  },
});
await sandbox.ready;

const guestMedian = await new Promise((resolve) => {
  guestDone = resolve;
  sandbox.send({ run: N });
});

const trip = (i) =>
  new Promise((r) => {
    resolveNext = r;
    sandbox.send({ id: i, method: 'storage.get', params: { key: 'k' } });
  });
for (let i = 0; i < WARM; i++) await trip(i);
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
const hostMedian = median(samples);
const b = median(base);
printTable(`sandbox message round trips (no DOM, no bridge), median of ${N}`, [
  ['guest -> host -> guest (the bridge direction)', `${guestMedian.toFixed(1)} us`, `${(guestMedian / b).toFixed(0)}x plain call`],
  ['host -> sandbox -> host', `${hostMedian.toFixed(1)} us`, `${(hostMedian / b).toFixed(0)}x plain call`],
  ['plain async call (baseline)', `${b.toFixed(2)} us`, ''],
  ['sandbox process RSS (no DOM)', `${((rss ?? 0) / 1048576).toFixed(1)} MB`, ''],
]);
