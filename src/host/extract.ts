import { constants, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ZipPackage } from '../package/reader.js';

/**
 * Extracts a package the way a host must: into a fresh private temporary directory beside the
 * destination (mode 0700), regular files only, every file created exclusively without following links
 * (O_EXCL | O_NOFOLLOW, so nothing planted in the tree can redirect a write), then one atomic rename
 * into place. On any failure the temporary directory is removed and the destination never appears.
 * Names are safe by construction: the strict reader refused every unsafe or colliding one.
 */
export async function extractPackage(pkg: ZipPackage, destination: string): Promise<void> {
  await writeFilesPrivately(
    pkg.entries.map((entry) => ({ name: entry.name, read: () => pkg.readAsync(entry) })),
    destination,
  );
}

/** The same private, exclusive, all-or-nothing write for files already checked by other means (a project directory). */
export async function writeFilesPrivately(files: { name: string; read: () => Promise<Uint8Array> }[], destination: string): Promise<void> {
  const parent = dirname(destination);
  await fs.mkdir(parent, { recursive: true, mode: 0o700 });
  const temp = await fs.mkdtemp(join(parent, '.extract-'));
  try {
    await fs.chmod(temp, 0o700);
    const made = new Set<string>();
    for (const entry of files) {
      let dir = temp;
      for (const part of entry.name.split('/').slice(0, -1)) {
        dir = join(dir, part);
        if (made.has(dir)) continue;
        await fs.mkdir(dir, { mode: 0o700 });
        made.add(dir);
      }
    }
    // Files are written (and flushed) several at a time: the flushes of one batch share a journal commit.
    const queue = [...files];
    const worker = async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        const data = await entry.read();
        const handle = await fs.open(join(temp, entry.name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, files.length) }, worker));
    await fs.rename(temp, destination);
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw err;
  }
}
