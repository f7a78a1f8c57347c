/**
 * miniapp as a library: the pure core, without the terminal. The CLI (src/cli) is one user of it.
 */
export { MiniappError, isMiniappError, diagnostic, errorCatalog, renderErrorCatalogMarkdown } from './core/errors/index.js';
export type { Diagnostic, ErrorCatalog, ErrorDefinition, Location, Severity } from './core/errors/index.js';
export { resolveOptions, envName } from './core/options.js';
export type { OptionSpec, OptionSources } from './core/options.js';
export { writeFileAtomic } from './core/fs/atomic.js';
export { checkManifestBytes, checkManifestText, checkAppId, suggestVersion } from './manifest/check.js';
export { checkManifestTarget } from './manifest/target.js';
export type { TargetCheckResult, TargetCheckOptions } from './manifest/target.js';
export { checkAllowedDomain } from './manifest/domains.js';
export { parseJsonWithPositions } from './manifest/json.js';
export { NEWEST_HOST_VERSION } from './manifest/host-versions.js';
export type { Manifest, ManifestCheckOptions, ManifestCheckResult, Profile } from './manifest/types.js';
export { explainUnsafePackagePath } from './package/paths.js';
export { readPackage, DEFAULT_PACKAGE_LIMITS, checkPackageManifest, readPackageFile, collisionKey, SIGNATURE_BLOCK_SIZE, parseSignatureBlock, buildSignatureBlock } from './package/index.js';
export type { PackageEntry, ZipPackage, PackageLimits, SignatureBlock } from './package/index.js';
export {
  signPackage,
  verifyPackage,
  locateSignature,
  releaseDescriptor,
  loadPrivateKey,
  loadPublicKey,
  keyIdOf,
  checkKeyPolicy,
  loadKeyring,
  trustPublicKey,
  generateSigningKey,
  writeSigningKey,
  encodeSignedHeader,
  decodeSignedHeader,
  signedData,
  SIGNATURE_CONTEXT,
  SIGNATURE_FORMAT_VERSION,
  SIGNATURE_ALGORITHM,
  PSS_SALT_LENGTH,
} from './signing/index.js';
export type { SignOptions, SignResult, Trust, VerifyOptions, VerifyOutcome, ReleaseDescriptor, SignedHeader, KeygenOptions, KeygenResult } from './signing/index.js';
export { inspectPackage, extractSigned } from './signing/inspect.js';
export { verifyFiles, verifyFile } from './signing/verify-files.js';
export type { PackageVerdict, VerifyFilesOptions } from './signing/verify-files.js';
export type { PackageReport } from './signing/inspect.js';
