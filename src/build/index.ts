/**
 * The build core: an incremental build context (driven by `miniapp build`, the dev server and tests)
 * and buildPackage, which turns one build into a deterministic zip.
 */
export { createBuildContext } from './context.js';
export { buildPackage } from './package.js';
export type { BuildPackageOptions, BuildPackageResult, BuildSummary, SummaryFile } from './package.js';
export { lintBundle, hostAllowed } from './lint.js';
export { rebaseDiagnostics, codeFrame } from './diagnostics.js';
export { scanTags } from './html.js';
export * from './types.js';
export { lintProject } from './lint-project.js';
