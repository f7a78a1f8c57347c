import { createBuildContext } from './context.js';
import type { BuildContextOptions, BuildDiagnostic } from './types.js';

/**
 * The manifest-code consistency lint for a project directory, as `validate <dir>` runs it: bundles in
 * memory (nothing is written) and returns the lint's findings and any build error that prevented it.
 * Manifest diagnostics are left out: the caller has checked the manifest already.
 */
export async function lintProject(options: BuildContextOptions): Promise<{ errors: BuildDiagnostic[]; warnings: BuildDiagnostic[] }> {
  const ctx = createBuildContext({ ...options, sourcemap: 'none' });
  try {
    const out = await ctx.rebuild();
    const own = (d: BuildDiagnostic) => !d.code.startsWith('MANIFEST_');
    return { errors: out.errors.filter(own), warnings: out.warnings.filter(own) };
  } finally {
    await ctx.dispose();
  }
}
