import { createPublicKey, type KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { keyIdOf } from './keys.js';
import type { ReadScratch } from '../package/file.js';
import { claim, verifyFile, type WorkerSettings } from './verify-files.js';

/** One verify lane on its own thread: claims package indexes from the shared counter and answers {index, verdict} for each. */
const settings = workerData as WorkerSettings;
const keys = new Map<string, KeyObject>(
  settings.publicKeys.map((pem) => {
    const key = createPublicKey(pem);
    return [keyIdOf(key), key];
  }),
);
const options = { cwd: settings.cwd, trust: { keys, keyring: settings.keyring }, hostVersion: settings.hostVersion, profile: settings.profile, newestHostVersion: settings.newestHostVersion };
const counter = new Int32Array(settings.next);

// Packages are checked one after another, so one read buffer serves them all. An internal error
// rejects, and the unhandled rejection ends the worker with an 'error' event the pool turns into a failure.
const scratch: ReadScratch = {};
for (let index = claim(counter, settings.paths.length); index !== undefined; index = claim(counter, settings.paths.length)) {
  parentPort!.postMessage({ index, verdict: await verifyFile(settings.paths[index]!, options, scratch) });
}
