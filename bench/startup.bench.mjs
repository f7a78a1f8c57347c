// @ts-check
// Start-up: miniapp --version, --help and validate on the example manifest, whole process, against `node -e 0`.
// Goals (issue 2): --version and --help within 1.25x of node -e 0; validate within 1.6x.
import { fileURLToPath } from 'node:url';
import { fmt, printTable, ratio, timeProcesses } from './lib.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/miniapp.js', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 21);
const node = process.execPath;

const results = timeProcesses(
  [
    { name: 'node -e 0', cmd: node, args: ['-e', '0'] },
    { name: 'miniapp --version', cmd: node, args: [bin, '--version'] },
    { name: 'miniapp --help', cmd: node, args: [bin, '--help'] },
    { name: 'miniapp validate examples/loans/manifest.json', cmd: node, args: [bin, 'validate', 'examples/loans/manifest.json'], cwd: root },
    // A directory also runs the manifest-code lint (issue 3), which loads the build core.
    { name: 'miniapp validate examples/loans (dir + lint)', cmd: node, args: [bin, 'validate', 'examples/loans'], cwd: root },
  ].map((c) => ({ cwd: root, ...c })),
  { runs },
);
const base = results[0].median;
const goals = { 'miniapp --version': 1.25, 'miniapp --help': 1.25, 'miniapp validate examples/loans/manifest.json': 1.6 };
printTable(
  `start-up, median of ${runs} whole-process runs (baseline: node -e 0 = ${fmt(base)})`,
  results.map((r) => {
    const goal = goals[r.name];
    const x = r.median / base;
    return [r.name, fmt(r.median), ratio(r.median, base), goal ? `goal <= ${goal}x ${x <= goal ? 'met' : 'MISSED'}` : 'baseline'];
  }),
);
