/**
 * miniapp as a library: the pure core, without the terminal. The CLI (src/cli) is one user of it.
 */
export { MiniappError, isMiniappError, diagnostic, errorCatalog, renderErrorCatalogMarkdown } from './core/errors/index.js';
export type { Diagnostic, ErrorCatalog, ErrorDefinition, Location, Severity } from './core/errors/index.js';
export { resolveOptions, envName } from './core/options.js';
export type { OptionSpec, OptionSources } from './core/options.js';
export { writeFileAtomic } from './core/fs/atomic.js';
export { checkManifestBytes, checkManifestText, checkAppId, suggestVersion } from './manifest/check.js';
export { checkManifestTarget } from './package/target.js';
export type { TargetCheckResult, TargetCheckOptions } from './package/target.js';
export { checkAllowedDomain } from './manifest/domains.js';
export { parseJsonWithPositions } from './manifest/json.js';
export { renderManifestDoc } from './manifest/docs.js';
export { toolchainRoot, toolchainPath } from './core/toolchain.js';
export { NEWEST_HOST_VERSION } from './manifest/host-versions.js';
export type { Manifest, ManifestCheckOptions, ManifestCheckResult, Profile } from './manifest/types.js';
export { explainUnsafePackagePath } from './format/paths.js';
export { createBuildContext, buildPackage, lintBundle, lintProject, rebaseDiagnostics, DEFAULT_TARGET } from './build/index.js';
export type { BuildContext, BuildContextOptions, BuildOutput, BuildDiagnostic, BuildMode, SourcemapMode, ModuleSize, BuildPackageOptions, BuildPackageResult, BuildSummary } from './build/index.js';
export { createZip, checkPackageEntries, packageTimestamp, DEFAULT_MTIME } from './package/writer.js';
export type { PackageEntry as PackageWriterEntry, Zip, ZipEntryInfo } from './package/writer.js';
export { decideInstall, installPackage, INSTALL_STEPS } from './host/install.js';
export type { DecideInstallOptions, InstallOptions, InstallReport, InstallStep } from './host/install.js';
export { parseTrustStore, loadTrustStore, appIdMatches } from './host/trust-store.js';
export type { TrustStore, TrustedKey, TrustedPartner } from './host/trust-store.js';
export { openAuditLog } from './host/audit.js';
export type { AuditLog, AuditEvent, AuditEventType, AuditRecord } from './host/audit.js';
export { createHostManager } from './host/manager.js';
export type { HostManager, HostManagerOptions } from './host/manager.js';
export { launchSandboxedApp } from './host/sandboxed-app.js';
export type { SandboxedApp, SandboxedAppOptions } from './host/sandboxed-app.js';
export { checkForUpdate } from './host/updates.js';
export type { UpdateOutcome, UpdateStatus } from './host/updates.js';
export { runConformance } from './host/conformance.js';
export type { ConformanceReport, ConformanceCheck } from './host/conformance.js';
export { startSandbox } from './sandbox/index.js';
export type { Sandbox, SandboxOptions, SandboxLimits, SandboxExit } from './sandbox/index.js';
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
export { decidePackage, runDecision, DECISION_STAGES } from './signing/decision.js';
export type { Decision, DecisionOptions, DecisionStage, PackageFacts } from './signing/decision.js';
export { verifyFiles, verifyFile } from './signing/verify-files.js';
export type { PackageVerdict, VerifyFilesOptions } from './signing/verify-files.js';
export type { PackageReport } from './signing/inspect.js';
export { createDevServer, createMemoryChannel, PROTOCOL_VERSION, WS_PATH } from './server/index.js';
export type {
  DevServer,
  DevServerEvent,
  DevServerOptions,
  DevChannel,
  DevClient,
  MemoryChannel,
  MemoryClient,
  DevServerMessage,
  DevClientMessage,
  ErrorPayload,
  BridgeCallRecord,
} from './server/index.js';
export { CATALOG, PERMISSIONS, COMMON_ERROR_CODES, METHOD_ERROR_CODES, getMethod, methodNames, permissionNames } from './bridge/catalog.js';
export type { MethodSpec, MethodName, Permission, JsonSchema } from './bridge/catalog.js';
export { methodPermission, methodSince, isBridgeMethod } from './bridge/permissions.js';
export type { BridgeMethods, BridgeParams, BridgeResult, MiniAppBridge } from './bridge/types.js';
export { runApp } from './runtime/run.js';
export type { RunOptions, RunReport, RunOutcome } from './runtime/run.js';
export { launchApp } from './runtime/launch.js';
export type { LaunchOptions, RunningApp } from './runtime/launch.js';
export { createInProcessChannel } from './runtime/channel.js';
export type { Channel, GuestMessage, HostMessage, HostEnd, GuestEnd } from './runtime/channel.js';
export { checkUrl } from './runtime/host/network-policy.js';
export { verifyToken, tokenSigningKey, issueToken, FakeClock, TOKEN_LIFETIME_MS } from './runtime/host/services/tokens.js';
export { scaffold, TEMPLATES, defaultAppId } from './scaffold/index.js';
export type { ScaffoldOptions, ScaffoldResult, TemplateName } from './scaffold/index.js';
