import { createHash } from 'node:crypto';
import { SIGNATURE_ALGORITHM } from './format.js';
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
  package: { file: string; size: number; sha256: string };
  signature: { algorithm: string; keyId: string; signedHeader: string; value: string };
}

export function releaseDescriptor(signed: SignResult, file: string): ReleaseDescriptor {
  const m = signed.manifest;
  return {
    descriptorVersion: 1,
    id: m.id,
    version: m.version,
    minHostVersion: m.minHostVersion,
    ...(m.name === undefined ? {} : { name: m.name }),
    entryPoint: m.entryPoint,
    permissions: m.permissions,
    allowedDomains: m.allowedDomains,
    package: { file, size: signed.bytes.length, sha256: createHash('sha256').update(signed.bytes).digest('hex') },
    signature: {
      algorithm: SIGNATURE_ALGORITHM,
      keyId: signed.keyId,
      signedHeader: JSON.stringify(signed.header),
      value: signed.signature.toString('base64'),
    },
  };
}
