import { createHash } from 'node:crypto';
import type { Manifest } from '../manifest/types.js';
import { createZip, DEFAULT_MTIME } from '../package/writer.js';
import { describeRelease, type ReleaseDescriptor } from '../signing/descriptor.js';

export type { ReleaseDescriptor };

export interface DevPackage {
  descriptor: ReleaseDescriptor;
  zip: Uint8Array;
}

/** The package file name in the feed: served at /mini-programs/{id}/package.zip, beside /version. */
export const DEV_PACKAGE_FILE = 'package.zip';

/**
 * What `GET /mini-programs/{id}/version` answers: the same release descriptor `miniapp sign` writes and a
 * host's update flow reads, for the build being served. `signature` is null (dev builds are not signed;
 * a host accepts that only in debug mode) and `dev.buildHash` changes with every rebuild whose output differs.
 */
export async function describeDevPackage(manifest: Manifest, files: ReadonlyMap<string, Uint8Array>, buildHash: string): Promise<DevPackage> {
  const zip = await createZip(
    [...files].map(([name, data]) => ({ name, data })),
    { mtime: DEFAULT_MTIME },
  );
  return { descriptor: describeRelease(manifest, zip.bytes, DEV_PACKAGE_FILE, null, { buildHash }), zip: zip.bytes };
}

/** A short content hash of a build's files: equal hashes mean nothing a page loads has changed. */
export function hashFiles(files: ReadonlyMap<string, Uint8Array>): string {
  const h = createHash('sha256');
  for (const [name, data] of files) {
    h.update(name);
    h.update('\0');
    h.update(String(data.length));
    h.update('\0');
    h.update(data);
  }
  return h.digest('hex').slice(0, 16);
}
