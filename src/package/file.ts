import { closeSync, fstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { DEFAULT_PACKAGE_LIMITS } from './limits.js';

/** A buffer a sequential reader may reuse from one package to the next (no fresh pages, no GC churn). */
export interface ReadScratch {
  buffer?: Buffer;
}

export interface ReadPackageFileOptions {
  cwd?: string;
  maxPackageBytes?: number;
  scratch?: ReadScratch;
}

// The parts the async and sync readers share: how errors are named, the checks before a byte is read,
// and the one buffer of the known size the bytes land in (no chunk concatenation).
function openFailed(err: unknown, path: string): MiniappError {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new MiniappError('PATH_NOT_FOUND', { path }, { cause: err });
  return new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
}

function readFailed(err: unknown, path: string): MiniappError {
  if (err instanceof MiniappError) return err;
  return new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
}

function bufferFor(stat: Stats, path: string, options: ReadPackageFileOptions): Buffer {
  const limit = options.maxPackageBytes ?? DEFAULT_PACKAGE_LIMITS.maxPackageBytes;
  if (!stat.isFile()) throw new MiniappError('FILE_UNREADABLE', { path, reason: 'it is not a regular file' });
  if (stat.size > limit) throw new MiniappError('PACKAGE_FILE_TOO_LARGE', { path, size: stat.size, limit }, { location: { file: path } });
  const scratch = options.scratch;
  if (!scratch) return Buffer.allocUnsafe(stat.size);
  if (!scratch.buffer || scratch.buffer.length < stat.size) scratch.buffer = Buffer.allocUnsafeSlow(stat.size);
  return scratch.buffer.subarray(0, stat.size);
}

/**
 * Reads a package file, refusing one over the size limit before reading a byte of it. With `scratch`,
 * the bytes land in a reused buffer: the caller must be done with them before the next read.
 */
export async function readPackageFile(path: string, options: ReadPackageFileOptions = {}): Promise<Buffer> {
  let handle;
  try {
    handle = await fs.open(resolve(options.cwd ?? process.cwd(), path), 'r');
  } catch (err) {
    throw openFailed(err, path);
  }
  try {
    const buffer = bufferFor(await handle.stat(), path, options);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } catch (err) {
    throw readFailed(err, path);
  } finally {
    await handle.close();
  }
}

/**
 * The same, synchronously: for threads whose only job is checking packages one after another (verify's
 * lanes), where a blocking read costs less than a thread-pool round trip per chunk.
 */
export function readPackageFileSync(path: string, options: ReadPackageFileOptions = {}): Buffer {
  let fd: number;
  try {
    fd = openSync(resolve(options.cwd ?? process.cwd(), path), 'r');
  } catch (err) {
    throw openFailed(err, path);
  }
  try {
    const buffer = bufferFor(fstatSync(fd), path, options);
    let filled = 0;
    while (filled < buffer.length) {
      const bytesRead = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === buffer.length ? buffer : buffer.subarray(0, filled);
  } catch (err) {
    throw readFailed(err, path);
  } finally {
    closeSync(fd);
  }
}
