import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { DEFAULT_PACKAGE_LIMITS } from './limits.js';

/** Reads a package file, refusing one over the size limit before reading a byte of it. */
export async function readPackageFile(path: string, options: { cwd?: string; maxPackageBytes?: number } = {}): Promise<Buffer> {
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
    return await handle.readFile();
  } catch (err) {
    if (err instanceof MiniappError) throw err;
    throw new MiniappError('FILE_UNREADABLE', { path, reason: (err as Error).message }, { cause: err });
  } finally {
    await handle.close();
  }
}
