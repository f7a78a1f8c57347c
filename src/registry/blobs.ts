import { createReadStream, promises as fs, type ReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * Package bytes, content-addressed (by SHA-256) and immutable. The default keeps them in a folder; a
 * platform on several machines points every registry process at shared storage (a network file system,
 * or an object store behind this interface: docs/registry.md). Writes land whole or not at all: bytes go
 * to a temp file first and are renamed into place, so a crash mid-upload leaves only a temp file, which
 * the next start removes.
 */
export interface BlobStore {
  /** A fresh temp file path for an upload in progress (same file system as the blobs, so rename is atomic). */
  tempPath(): string;
  /** Moves a finished upload into place under its digest; the same bytes already there: the temp file is dropped. */
  commit(tempPath: string, sha256: string): Promise<void>;
  /** Size of a stored blob, or undefined. */
  size(sha256: string): Promise<number | undefined>;
  open(sha256: string, range?: { start: number; end: number }): ReadStream;
  read(sha256: string): Promise<Buffer>;
  path(sha256: string): string;
}

const SHA = /^[0-9a-f]{64}$/;

export async function openFileBlobStore(dir: string): Promise<BlobStore> {
  const blobs = join(dir, 'blobs');
  const tmp = join(dir, 'tmp');
  await fs.mkdir(blobs, { recursive: true, mode: 0o700 });
  await fs.mkdir(tmp, { recursive: true, mode: 0o700 });
  await dropStaleUploads(tmp);
  const path = (sha: string) => {
    if (!SHA.test(sha)) throw new Error(`not a sha256 digest: ${sha}`);
    return join(blobs, sha.slice(0, 2), `${sha}.zip`);
  };
  return {
    tempPath: () => join(tmp, `${Date.now()}-${randomBytes(6).toString('hex')}.part`),
    async commit(temp, sha) {
      const target = path(sha);
      await fs.mkdir(join(blobs, sha.slice(0, 2)), { recursive: true, mode: 0o700 });
      try {
        await fs.link(temp, target); // never replaces a blob: the first writer of these bytes wins
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        await fs.rm(temp, { force: true });
      }
    },
    async size(sha) {
      if (!SHA.test(sha)) return undefined;
      try {
        return (await fs.stat(path(sha))).size;
      } catch {
        return undefined;
      }
    },
    open: (sha, range) => createReadStream(path(sha), range),
    read: (sha) => fs.readFile(path(sha)),
    path,
  };
}

/** Temp files of uploads a crashed process left behind (older than an hour: other processes sharing the folder may be mid-upload). */
async function dropStaleUploads(tmp: string): Promise<void> {
  const cutoff = Date.now() - 3600_000;
  for (const name of await fs.readdir(tmp)) {
    const file = join(tmp, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && stat.mtimeMs < cutoff) await fs.rm(file, { force: true, recursive: true });
  }
}
