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

/** Settings a worker needs to rebuild the trust and options (KeyObjects travel as PEM). */
export interface WorkerSettings {
  cwd: string;
  publicKeys: string[];
  keyring: boolean;
  hostVersion?: string;
  profile?: Profile;
  newestHostVersion?: string;
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
  const settings: WorkerSettings = {
    cwd: options.cwd,
    publicKeys: [...options.trust.keys.values()].map((k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string),
    keyring: !!options.trust.keyring,
    hostVersion: options.hostVersion,
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
  };
  const verdicts: PackageVerdict[] = new Array(paths.length);
  let next = 0;
  let done = 0;
  // The main thread is one of the lanes: it would otherwise idle while the workers work.
  const pool = Array.from({ length: count - 1 }, () => new Worker(toolchainPath('dist', 'signing', 'verify-worker.js'), { workerData: settings }));
  const stop = () => pool.forEach((w) => void w.terminate());
  try {
    await new Promise<void>((resolve, reject) => {
      if (options.signal?.aborted) return reject(options.signal.reason);
      options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
      const record = (index: number, verdict: PackageVerdict) => {
        verdicts[index] = verdict;
        done++;
        options.onVerified?.(done, paths.length);
        if (done === paths.length) resolve();
      };
      const feed = (worker: InstanceType<typeof Worker>) => {
        if (next < paths.length) {
          const index = next++;
          worker.postMessage({ index, path: paths[index] });
        }
      };
      for (const worker of pool) {
        worker.on('message', (m: { index: number; verdict: PackageVerdict }) => {
          record(m.index, m.verdict);
          feed(worker);
        });
        worker.on('error', reject);
        // Two jobs in flight per worker, so it never waits for the next one.
        feed(worker);
        feed(worker);
      }
      const mainLane = async () => {
        const scratch: ReadScratch = {};
        while (next < paths.length && !options.signal?.aborted) {
          const index = next++;
          record(index, await verifyFile(paths[index]!, options, scratch));
        }
      };
      mainLane().catch(reject);
    });
  } finally {
    stop();
  }
  return verdicts;
}
