import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMiniappError } from '../core/errors/index.js';
import { toolchainPath } from '../core/toolchain.js';
import type { Profile } from '../manifest/types.js';
import { readPackageFile, readPackageFileSync, type ReadScratch } from '../package/file.js';
import { verifyPackage, type Trust, type VerifyOutcome } from './verify.js';

export interface PackageVerdict extends VerifyOutcome {
  path: string;
}

export interface VerifyFilesOptions {
  cwd: string;
  trust: Trust;
  hostVersion?: string;
  profile?: Profile;
  newestHostVersion?: string;
  signal?: AbortSignal;
  onVerified?: (done: number, total: number) => void;
  /** Threads checking packages (main thread included); default: one per core when there are enough packages to pay for the workers. 0 or 1: in-process only. */
  workers?: number;
}

/** Settings a worker needs to rebuild the trust and options (KeyObjects travel as PEM), and its share of the work. */
export interface WorkerSettings {
  cwd: string;
  publicKeys: string[];
  keyring: boolean;
  hostVersion?: string;
  profile?: Profile;
  newestHostVersion?: string;
  /** Every path of the run; lanes claim indexes from `next`. */
  paths: readonly string[];
  /** Int32Array over this: [0] is the next unclaimed index, shared by every lane. */
  next: SharedArrayBuffer;
}

/** Claims the next package index for a lane, or undefined when all are taken (or the run was stopped). */
export function claim(next: Int32Array, total: number): number | undefined {
  const index = Atomics.add(next, 0, 1);
  return index < total ? index : undefined;
}

/** Reads and verifies one package file; a refusal (or an unreadable file) is a verdict, not a throw. */
export async function verifyFile(path: string, options: Omit<VerifyFilesOptions, 'signal' | 'onVerified' | 'workers'>, scratch?: ReadScratch): Promise<PackageVerdict> {
  try {
    // A lane with a scratch buffer checks packages one after another: a blocking read is cheapest there.
    const bytes = scratch ? readPackageFileSync(path, { cwd: options.cwd, scratch }) : await readPackageFile(path, { cwd: options.cwd });
    return { path, ...(await verifyPackage(bytes, { trust: options.trust, hostVersion: options.hostVersion, profile: options.profile, newestHostVersion: options.newestHostVersion, label: path })) };
  } catch (err) {
    if (!isMiniappError(err)) throw err;
    return { path, ok: false, code: err.code, message: err.message, hint: err.hint };
  }
}

/** Each worker costs a thread start and a module load (~40 ms); below this many packages per worker, stay in-process. */
const PACKAGES_PER_WORKER = 4;

/**
 * Verifies many package files using every core. Hashing a package is a few milliseconds of CPU on
 * whichever thread calls crypto (Node copies the input and hashes it before handing the RSA step to its
 * thread pool), so one thread tops out at one core: the work is spread over `lanes` threads instead (the
 * main thread plus lanes - 1 workers), each reading and checking whole packages. Results keep the order of `paths`.
 */
export async function verifyFiles(paths: readonly string[], options: VerifyFilesOptions): Promise<PackageVerdict[]> {
  const cores = availableParallelism();
  const workers = options.workers ?? (paths.length >= PACKAGES_PER_WORKER * 2 && cores > 1 ? Math.min(cores, Math.floor(paths.length / PACKAGES_PER_WORKER)) : 0);
  if (workers > 1) return verifyInWorkers(paths, workers, options);
  const verdicts: PackageVerdict[] = new Array(paths.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < paths.length && !options.signal?.aborted) {
      const index = next++;
      verdicts[index] = await verifyFile(paths[index]!, options);
      done++;
      options.onVerified?.(done, paths.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(paths.length, 2) }, lane));
  if (options.signal?.aborted) throw options.signal.reason;
  return verdicts;
}

async function verifyInWorkers(paths: readonly string[], count: number, options: VerifyFilesOptions): Promise<PackageVerdict[]> {
  const { Worker } = await import('node:worker_threads');
  // Lanes take work from one shared counter rather than from messages: the main thread is a lane too,
  // and while it checks a package it could not hand out the next job, so the workers would wait for it.
  const next = new SharedArrayBuffer(4);
  const counter = new Int32Array(next);
  const settings: WorkerSettings = {
    cwd: options.cwd,
    publicKeys: [...options.trust.keys.values()].map((k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string),
    keyring: !!options.trust.keyring,
    hostVersion: options.hostVersion,
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
    paths,
    next,
  };
  const verdicts: PackageVerdict[] = new Array(paths.length);
  let done = 0;
  const pool = Array.from({ length: count - 1 }, () => new Worker(toolchainPath('dist', 'signing', 'verify-worker.js'), { workerData: settings }));
  const stopClaims = () => Atomics.store(counter, 0, paths.length);
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        stopClaims();
        reject(err);
      };
      if (options.signal?.aborted) return fail(options.signal.reason);
      options.signal?.addEventListener('abort', () => fail(options.signal!.reason), { once: true });
      const record = (index: number, verdict: PackageVerdict) => {
        verdicts[index] = verdict;
        done++;
        options.onVerified?.(done, paths.length);
        if (done === paths.length) resolve();
      };
      for (const worker of pool) {
        worker.on('message', (m: { index: number; verdict: PackageVerdict }) => record(m.index, m.verdict));
        worker.on('error', fail);
      }
      const mainLane = async () => {
        const scratch: ReadScratch = {};
        for (let index = claim(counter, paths.length); index !== undefined; index = claim(counter, paths.length)) {
          record(index, await verifyFile(paths[index]!, options, scratch));
          // Let the workers' verdicts (and an abort) in between packages.
          await new Promise<void>((r) => setImmediate(r));
        }
      };
      mainLane().catch(fail);
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return verdicts;
}
