import { createPublicKey, type KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { keyIdOf } from './keys.js';
import { verifyFile, type WorkerSettings } from './verify-files.js';

/** One verify worker thread: receives {index, path}, answers {index, verdict}. */
const settings = workerData as WorkerSettings;
const keys = new Map<string, KeyObject>(settings.publicKeys.map((pem) => {
  const key = createPublicKey(pem);
  return [keyIdOf(key), key];
}));
const options = { cwd: settings.cwd, trust: { keys, keyring: settings.keyring }, hostVersion: settings.hostVersion, profile: settings.profile, newestHostVersion: settings.newestHostVersion };

parentPort!.on('message', (job: { index: number; path: string }) => {
  void verifyFile(job.path, options).then(
    (verdict) => parentPort!.postMessage({ index: job.index, verdict }),
    (err: unknown) => {
      throw err;
    },
  );
});
