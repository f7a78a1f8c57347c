import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pendingTempFiles } from '../core/fs/atomic.js';
import { processAlive } from '../sandbox/index.js';

// A conformance run's scratch folder (its apps and data dirs). Removed when the run ends; an interrupted
// command removes it with its other temp files; a process killed outright (SIGKILL, a crash, a registry
// stopped mid-run) cannot, so the folder carries its owner's pid and the next run sweeps the folders of
// owners that are gone.

const PREFIX = 'miniapp-conformance-';
let swept = false;

/** Removes the scratch folders that processes no longer running left in the temp directory. */
export async function sweepDeadWorkDirs(root = tmpdir()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fs.readdir(root).catch(() => [] as string[])) {
    const pid = Number(new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    await fs.rm(join(root, name), { recursive: true, force: true }).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}

/** A new scratch folder for one run, named after this process; the first run of a process sweeps dead ones. */
export async function makeWorkDir(): Promise<string> {
  if (!swept) {
    swept = true;
    await sweepDeadWorkDirs();
  }
  const dir = await fs.mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
  pendingTempFiles.add(dir);
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
  pendingTempFiles.delete(dir);
}
