// @ts-check
// Per-call cost of what the runtime does to bridge params (issue 11, part 5): the JSON copy both sides
// make (toJsonParams, src/runtime/json-value.ts) and the bounded preview the recorder keeps (preview,
// src/runtime/host/bounded.ts), against the baselines measured in the same run: JSON.stringify (what
// the host did per call before, to size params) and structuredClone (what every channel does).
// Run: npm run build && node bench/params.bench.mjs
const { toJsonParams } = await import(new URL('../dist/runtime/json-value.js', import.meta.url).href);
const { preview } = await import(new URL('../dist/runtime/host/bounded.js', import.meta.url).href);

const cases = {
  'payment.pay params': { amount: 12.5, currency: 'EUR', orderId: 'order-123456', meta: { items: [1, 2, 3], note: 'hello' } },
  '100 KB string value': { key: 'k', value: 'x'.repeat(100 * 1024) },
};
const N = Number(process.env.BENCH_CALLS ?? 100_000);
const perCall = (f, n) => {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t) / n;
};
for (const [name, p] of Object.entries(cases)) {
  const n = name.startsWith('100 KB') ? N / 100 : N;
  perCall(() => toJsonParams(p), n / 10); // warm-up
  const base = perCall(() => JSON.stringify(p).length, n);
  const clone = perCall(() => structuredClone(p), n);
  const copy = perCall(() => toJsonParams(p), n);
  const kept = perCall(() => preview(p, 8192), n);
  const ratio = (x) => `${(x / base).toFixed(2)}x`;
  console.log(
    `${name.padEnd(22)} JSON.stringify ${base.toFixed(0)} ns | structuredClone ${clone.toFixed(0)} ns (${ratio(clone)}) | toJsonParams ${copy.toFixed(0)} ns (${ratio(copy)}) | preview ${kept.toFixed(0)} ns (${ratio(kept)})`,
  );
}
