import { createHash } from 'node:crypto';
import { SIGNATURE_ALGORITHM } from './format.js';
import type { Manifest } from '../manifest/types.js';
import type { SignResult } from './sign.js';

/**
 * The release descriptor `miniapp sign` writes beside the package: what an update server serves so a
 * host can decide before downloading (id, version, minHostVersion, permissions) and check the download
 * (size, SHA-256). It is a convenience copy: hosts still verify the signature inside the package.
 */
export interface ReleaseDescriptor {
  descriptorVersion: 1;
  id: string;
  version: string;
  minHostVersion: string;
  name?: string;
  entryPoint: string;
  permissions: string[];
  allowedDomains: string[];
  /** The package: `file` is resolved against the descriptor's URL (`.../mini-programs/{id}/version`). */
  package: { file: string; size: number; sha256: string };
  /** null only for the dev server's unsigned development builds, which hosts accept in debug mode only. */
  signature: { algorithm: string; keyId: string; signedHeader: string; value: string } | null;
  /** Present only on the dev server's feed: changes whenever the served files change. */
  dev?: { buildHash: string };
}

/** The one place a release descriptor is put together: by `sign` for a release, by the dev server for a dev build. */
export function describeRelease(manifest: Manifest, bytes: Uint8Array, file: string, signature: ReleaseDescriptor['signature'], dev?: ReleaseDescriptor['dev']): ReleaseDescriptor {
  return {
    descriptorVersion: 1,
    id: manifest.id,
    version: manifest.version,
    minHostVersion: manifest.minHostVersion,
    ...(manifest.name === undefined ? {} : { name: manifest.name }),
    entryPoint: manifest.entryPoint,
    permissions: [...manifest.permissions],
    allowedDomains: [...manifest.allowedDomains],
    package: { file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    signature,
    ...(dev ? { dev } : {}),
  };
}

export function releaseDescriptor(signed: SignResult, file: string): ReleaseDescriptor {
  return describeRelease(signed.manifest, signed.bytes, file, {
    algorithm: SIGNATURE_ALGORITHM,
    keyId: signed.keyId,
    signedHeader: JSON.stringify(signed.header),
    value: signed.signature.toString('base64'),
  });
}
