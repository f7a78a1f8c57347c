import { closeSync, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { DEFAULT_PACKAGE_LIMITS } from './limits.js';

/** A buffer a sequential reader may reuse from one package to the next (no fresh pages, no GC churn). */
export interface ReadScratch {
  buffer?: Buffer;
}

/**
 * Reads a package file, refusing one over the size limit before reading a byte of it. With `scratch`,
 * the bytes land in a reused buffer: the caller must be done with them before the next read.
 */
export async function readPackageFile(path: string, options: { cwd?: string; maxPackageBytes?: number; scratch?: ReadScratch } = {}): Promise<Buffer> {
  const full = resolve(options.cwd ?? process.cwd(), path);
  const limit = options.maxPackageBytes ?? DEFAULT_PACKAGE_LIMITS.maxPackageBytes;
  let handle;
  try {
    handle = await fs.open(full, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MiniappError('PATH_NOT_FOUND', { path }, { cause: err });
    throw new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new MiniappError('FILE_UNREADABLE', { path, reason: 'it is not a regular file' });
    if (stat.size > limit) throw new MiniappError('PACKAGE_TOO_LARGE', { path, size: stat.size, limit }, { location: { file: path } });
    // One buffer of the known size, filled by as few reads as the kernel allows (no chunk concatenation).
    let buffer: Buffer;
    if (options.scratch) {
      if (!options.scratch.buffer || options.scratch.buffer.length < stat.size) options.scratch.buffer = Buffer.allocUnsafeSlow(stat.size);
      buffer = options.scratch.buffer.subarray(0, stat.size);
    } else {
      buffer = Buffer.allocUnsafe(stat.size);
    }
    let filled = 0;
    while (filled < stat.size) {
      const { bytesRead } = await handle.read(buffer, filled, stat.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === stat.size ? buffer : buffer.subarray(0, filled);
  } catch (err) {
    if (err instanceof MiniappError) throw err;
    throw new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
  } finally {
    await handle.close();
  }
}

/**
 * The same, synchronously: for threads whose only job is checking packages one after another (verify's
 * lanes), where a blocking read costs less than a thread-pool round trip per chunk.
 */
export function readPackageFileSync(path: string, options: { cwd?: string; maxPackageBytes?: number; scratch?: ReadScratch } = {}): Buffer {
  const full = resolve(options.cwd ?? process.cwd(), path);
  const limit = options.maxPackageBytes ?? DEFAULT_PACKAGE_LIMITS.maxPackageBytes;
  let fd: number;
  try {
    fd = openSync(full, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MiniappError('PATH_NOT_FOUND', { path }, { cause: err });
    throw new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new MiniappError('FILE_UNREADABLE', { path, reason: 'it is not a regular file' });
    if (stat.size > limit) throw new MiniappError('PACKAGE_TOO_LARGE', { path, size: stat.size, limit }, { location: { file: path } });
    let buffer: Buffer;
    if (options.scratch) {
      if (!options.scratch.buffer || options.scratch.buffer.length < stat.size) options.scratch.buffer = Buffer.allocUnsafeSlow(stat.size);
      buffer = options.scratch.buffer.subarray(0, stat.size);
    } else {
      buffer = Buffer.allocUnsafe(stat.size);
    }
    let filled = 0;
    while (filled < stat.size) {
      const bytesRead = readSync(fd, buffer, filled, stat.size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === stat.size ? buffer : buffer.subarray(0, filled);
  } catch (err) {
    if (err instanceof MiniappError) throw err;
    throw new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
  } finally {
    closeSync(fd);
  }
}
