import { createHash } from 'node:crypto';
import type { Manifest } from '../manifest/types.js';
import { createZip, DEFAULT_MTIME } from '../package/writer.js';

/**
 * What `GET /mini-programs/{id}/version` answers: the release descriptor a host's update flow reads from
 * its feed, here for the build being served. `signature` is null: dev builds are not signed, and a
 * debug host accepts that only in its dev mode.
 */
export interface ReleaseDescriptor {
  id: string;
  version: string;
  name?: string;
  minHostVersion: string;
  entryPoint: string;
  permissions: string[];
  allowedDomains: string[];
  /** Where the package zip is downloaded from. */
  packageUrl: string;
  /** SHA-256 (hex) of the package bytes at packageUrl. */
  sha256: string;
  /** Size of the package bytes. */
  size: number;
  signature: null;
  /** Always true here: a development build (not minified, inline source maps, no signature). */
  dev: true;
  /** The served build (changes with every rebuild whose output differs). */
  buildHash: string;
}

export interface DevPackage {
  descriptor: ReleaseDescriptor;
  zip: Uint8Array;
}

/** Zips the served files in memory (the package writer, deterministic) and describes the result. */
export async function describeDevPackage(manifest: Manifest, files: ReadonlyMap<string, Uint8Array>, buildHash: string, origin: string): Promise<DevPackage> {
  const zip = await createZip([...files].map(([name, data]) => ({ name, data })), { mtime: DEFAULT_MTIME });
  const descriptor: ReleaseDescriptor = {
    id: manifest.id,
    version: manifest.version,
    ...(manifest.name !== undefined ? { name: manifest.name } : {}),
    minHostVersion: manifest.minHostVersion,
    entryPoint: manifest.entryPoint,
    permissions: [...manifest.permissions],
    allowedDomains: [...manifest.allowedDomains],
    packageUrl: `${origin}/mini-programs/${encodeURIComponent(manifest.id)}/package.zip`,
    sha256: createHash('sha256').update(zip.bytes).digest('hex'),
    size: zip.bytes.length,
    signature: null,
    dev: true,
    buildHash,
  };
  return { descriptor, zip: zip.bytes };
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
