import { readFileSync } from 'node:fs';

/**
 * Proportional set size of a process (Linux /proc/<pid>/smaps_rollup): its private pages plus its
 * share of pages mapped by several processes (the node binary, shared libraries). Summing PSS over a
 * host and its sandboxes is the honest total; summing RSS counts shared pages once per process.
 */
export function processPss(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
