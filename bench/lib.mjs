// @ts-check
// Shared helpers for the benchmarks: whole-process timing with medians, a table printer, scratch folders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Runs a command `runs` times (after one warm-up) and returns the median wall time in ms.
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ runs?: number, cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 */
export function timeProcess(cmd, args, { runs = 15, cwd, env } = {}) {
  const once = () => {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0 && !env?.ALLOW_FAILURE) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  once();
  const samples = Array.from({ length: runs }, once);
  return { median: median(samples), min: Math.min(...samples), samples };
}

/** Interleaves the measured commands run by run, so drift on a busy machine hits each alike. */
export function timeProcesses(cases, { runs = 15 } = {}) {
  const samples = cases.map(() => []);
  for (const c of cases) spawnSync(c.cmd, c.args, { cwd: c.cwd, stdio: 'ignore' });
  for (let i = 0; i < runs; i++) {
    cases.forEach((c, k) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(c.cmd, c.args, { cwd: c.cwd, env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'] });
      samples[k].push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0 && !c.allowFailure) throw new Error(`${c.cmd} ${c.args.join(' ')} exited ${r.status}: ${r.stderr}`);
    });
  }
  return cases.map((c, k) => ({ name: c.name, median: median(samples[k]), min: Math.min(...samples[k]) }));
}

export function printTable(title, rows) {
  console.log(`\n${title}`);
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const r of rows) console.log(`  ${r[0].padEnd(w)}  ${r.slice(1).join('  ')}`);
}

export const fmt = (ms) => `${ms.toFixed(1)} ms`;
export const ratio = (a, b) => `${(a / b).toFixed(2)}x`;

const scratch = [];
process.on('exit', () => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
/** A temporary folder removed when the benchmark process exits (however it ends, short of a kill). */
export function scratchDir(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}
