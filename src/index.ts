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
export { renderManifestDoc } from './manifest/docs.js';
export { toolchainRoot, toolchainPath } from './core/toolchain.js';
export { NEWEST_HOST_VERSION } from './manifest/host-versions.js';
export type { Manifest, ManifestCheckOptions, ManifestCheckResult, Profile } from './manifest/types.js';
export { explainUnsafePackagePath } from './package/paths.js';
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
