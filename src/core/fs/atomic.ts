import { closeSync, fsyncSync, linkSync, openSync, promises as fs, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { MiniappError } from '../errors/index.js';

/**
 * Temp files not yet renamed into place; the process boundary removes them if it is interrupted. One set
 * per process (kept on globalThis), shared by every bundle that carries a copy of this module.
 */
const PENDING = Symbol.for('miniapp.pendingTempFiles');
export const pendingTempFiles: Set<string> = ((globalThis as Record<symbol, unknown>)[PENDING] as Set<string> | undefined) ?? ((globalThis as Record<symbol, unknown>)[PENDING] = new Set<string>());

export interface AtomicWriteOptions {
  mode?: number;
  /** Refuse to replace an existing file. */
  exclusive?: boolean;
  /**
   * fsync before the rename (default true), so the new content survives a power loss. Atomicity does not
   * depend on it: readers see the old or the whole new file either way. Files that can be regenerated
   * (a scaffolded project) skip it.
   */
  durable?: boolean;
}

/**
 * Writes a file so that readers see either the old content or the whole new content, never a part:
 * the data goes to a temp file in the same directory, is flushed, then renamed over the target.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = tempPathFor(path);
  pendingTempFiles.add(temp);
  try {
    const handle = await fs.open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      if (options.durable !== false) await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.exclusive) {
      // link() fails if the target exists, so two writers cannot both win.
      await fs.link(temp, path);
      await fs.unlink(temp);
    } else {
      await fs.rename(temp, path);
    }
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw writeFailed(path, err);
  } finally {
    pendingTempFiles.delete(temp);
  }
}

/**
 * The same, synchronously: for a short-lived command writing a handful of small files (a scaffold),
 * where each asynchronous step would be a round trip through the thread pool (~20 ms of waiting for
 * `miniapp init`'s 11 files on these machines).
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const temp = tempPathFor(path);
  pendingTempFiles.add(temp);
  try {
    const fd = openSync(temp, 'wx', options.mode ?? 0o644);
    try {
      writeFileSync(fd, data);
      if (options.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.exclusive) {
      linkSync(temp, path);
      unlinkSync(temp);
    } else {
      renameSync(temp, path);
    }
  } catch (err) {
    rmSync(temp, { force: true });
    throw writeFailed(path, err);
  } finally {
    pendingTempFiles.delete(temp);
  }
}

let written = 0;
/**
 * A temp name no other writer uses: this process's id, the time and a counter. (Not random bytes: a
 * command that writes files would load node:crypto for nothing, ~2 ms of start-up.)
 */
const tempPathFor = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${++written}.tmp`);

function writeFailed(path: string, err: unknown): MiniappError {
  if ((err as NodeJS.ErrnoException).code === 'EEXIST') return new MiniappError('WRITE_FAILED', { path, reason: 'the file already exists' }, { cause: err });
  return new MiniappError('WRITE_FAILED', { path, reason: (err as Error).message }, { cause: err });
}

export interface AtomicFile {
  path: string;
  data: string | Uint8Array;
  mode?: number;
}

/**
 * Writes several files as one output: every file goes to its temp file first; only then, and only if
 * `signal` has not fired, are they renamed into place, synchronously and back to back, so an interrupt
 * (a signal handler runs between ticks, never inside this loop) leaves all of them or none. With
 * `exclusive`, no existing file is replaced, and a clash undoes the files already placed.
 */
export async function writeFilesAtomic(files: readonly AtomicFile[], options: { exclusive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  const staged: Array<{ temp: string; path: string }> = [];
  const discard = () => {
    for (const s of staged) {
      rmSync(s.temp, { force: true });
      pendingTempFiles.delete(s.temp);
    }
  };
  try {
    for (const file of files) {
      const temp = tempPathFor(file.path);
      pendingTempFiles.add(temp);
      staged.push({ temp, path: file.path });
      const handle = await fs.open(temp, 'wx', file.mode ?? 0o644);
      try {
        await handle.writeFile(file.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  } catch (err) {
    discard();
    throw writeFailed(staged[staged.length - 1]?.path ?? files[0]!.path, err);
  }
  if (options.signal?.aborted) {
    discard();
    throw options.signal.reason instanceof MiniappError ? options.signal.reason : new MiniappError('INTERRUPTED', {});
  }
  const placed: string[] = [];
  try {
    for (const s of staged) {
      if (options.exclusive) {
        linkSync(s.temp, s.path);
        unlinkSync(s.temp);
      } else renameSync(s.temp, s.path);
      placed.push(s.path);
    }
  } catch (err) {
    if (options.exclusive) for (const path of placed) rmSync(path, { force: true });
    const failed = staged[placed.length]!.path;
    discard();
    throw writeFailed(failed, err);
  } finally {
    for (const s of staged) pendingTempFiles.delete(s.temp);
  }
}
