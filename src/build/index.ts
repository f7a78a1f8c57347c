/**
 * The build core: an incremental build context (driven by `miniapp build`, the dev server and tests)
 * and buildPackage, which turns one build into a deterministic zip.
 */
export { createBuildContext } from './context.js';
export { buildPackage, packPackage } from './package.js';
export type { PackPackageOptions, PackPackageResult } from './package.js';
export { packDirectory } from './pack.js';
export type { OmittedFile, PackOptions, PackOutput } from './pack.js';
export { isWebAppManifest } from './web-manifest.js';
export type { BuildPackageOptions, BuildPackageResult, BuildSummary, SummaryFile } from './package.js';
export { lintBundle, hostAllowed } from './lint.js';
export { rebaseDiagnostics, codeFrame } from './diagnostics.js';
export { scanTags } from './html.js';
export * from './types.js';
export { lintProject } from './lint-project.js';
