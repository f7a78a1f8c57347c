export { readPackage } from './reader.js';
export type { PackageEntry, ZipPackage } from './reader.js';
export { DEFAULT_PACKAGE_LIMITS, resolveLimits } from './limits.js';
export type { PackageLimits } from './limits.js';
export { SIGNATURE_BLOCK_SIZE, SIGNATURE_BLOCK_MAGIC, parseSignatureBlock, buildSignatureBlock } from './signature-block.js';
export type { SignatureBlock } from './signature-block.js';
export { checkPackageManifest, MANIFEST_ENTRY } from './manifest.js';
export { readPackageFile } from './file.js';
export { explainUnsafePackagePath, collisionKey } from '../format/paths.js';
