// @ts-check
// Benchmark: `miniapp init --yes` (whole process, vanilla template) against `node -e 0` and against
// `miniapp --version` (the CLI shell's own floor), in the same run. Goal: init under 1.5x `node -e 0`.
// Run: npm run build && node bench/init.bench.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'miniapp.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const ws = mkdtempSync(join(tmpdir(), 'miniapp-init-bench-'));

function time(args, cwd) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  const bare = [];
  const version = [];
  const init = [];
  for (let i = 0; i < RUNS; i++) {
    bare.push(time(['-e', '0'], ws));
    version.push(time([bin, '--version'], ws));
    init.push(time([bin, 'init', `app-${i}`, '--yes', '--quiet'], ws));
  }
  const b = median(bare);
  const v = median(version);
  const n = median(init);
  console.log(`init.bench: ${RUNS} runs each, medians`);
  console.log(`  node -e 0             ${b.toFixed(0)} ms`);
  console.log(`  miniapp --version     ${v.toFixed(0)} ms (${(v / b).toFixed(2)}x: the CLI shell's floor)`);
  console.log(`  miniapp init --yes    ${n.toFixed(0)} ms (${(n / b).toFixed(2)}x, goal <= 1.5x) ${n / b <= 1.5 ? 'PASS' : 'FAIL'}`);
  console.log(JSON.stringify({ bench: 'init', nodeMs: b, versionMs: v, initMs: n, ratio: n / b, goal: 1.5 }));
} finally {
  rmSync(ws, { recursive: true, force: true });
}
