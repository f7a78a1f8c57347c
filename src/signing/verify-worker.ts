import { createPublicKey, type KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { keyIdOf } from './keys.js';
import type { ReadScratch } from '../package/file.js';
import { verifyFile, type WorkerSettings } from './verify-files.js';

/** One verify worker thread: receives {index, path}, answers {index, verdict}. */
const settings = workerData as WorkerSettings;
const keys = new Map<string, KeyObject>(settings.publicKeys.map((pem) => {
  const key = createPublicKey(pem);
  return [keyIdOf(key), key];
}));
const options = { cwd: settings.cwd, trust: { keys, keyring: settings.keyring }, hostVersion: settings.hostVersion, profile: settings.profile, newestHostVersion: settings.newestHostVersion };

// Jobs run one after another (the next is already queued), so one read buffer serves them all.
const scratch: ReadScratch = {};
let queue = Promise.resolve();
parentPort!.on('message', (job: { index: number; path: string }) => {
  queue = queue.then(async () => {
    parentPort!.postMessage({ index: job.index, verdict: await verifyFile(job.path, options, scratch) });
  });
  // An internal error ends the worker with an 'error' event the pool turns into a failure.
  queue.catch((err: unknown) => setImmediate(() => {
    throw err;
  }));
});
