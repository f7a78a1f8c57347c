import { randomBytes } from 'node:crypto';
import { promises as fs, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MiniappError } from '../../core/errors/index.js';
import { writeFileAtomic } from '../../core/fs/atomic.js';

/**
 * The host key storage encryption and token signing derive from: read from its file (32 bytes in hex), or
 * created with mode 0600 the first time. It lives outside the data directory, so whoever reads the data
 * directory alone learns nothing. Two runs creating it at once agree: the exclusive write lets one win.
 */
export async function loadOrCreateHostKey(file: string): Promise<Uint8Array> {
  try {
    const bytes = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'hex');
    if (bytes.length !== 32)
      throw new MiniappError('RUN_OPTION_INVALID', {
        option: '--host-key-file',
        reason: `${file} does not hold 32 bytes in hex`,
        fix: 'Delete it to have a new key created (stored data becomes unreadable), or restore the original.',
      });
    return bytes;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, exclusive: true }).catch(() => undefined);
  return Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'hex');
}
