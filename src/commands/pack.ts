import { relative, resolve } from 'node:path';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { packOptions } from './options.js';
import { packPackage, rebaseDiagnostics, type OmittedFile } from '../build/index.js';
import { packageTimestamp } from '../package/writer.js';
import { parseSize, render as renderBuild, type BuildCommandResult } from './build.js';

export interface PackCommandResult extends BuildCommandResult {
  /** Files of the folder that are not in the package, and why. */
  omitted: OmittedFile[];
  manifestFile?: string;
}

export async function run(args: string[], options: OptionsOf<typeof packOptions>, ctx: CommandContext): Promise<CommandResult<PackCommandResult>> {
  const dir = args[0]!;
  const result = await packPackage({
    dir,
    cwd: ctx.cwd,
    manifest: options.manifest,
    outDir: options.outDir,
    budget: parseSize(options.budget),
    mtime: packageTimestamp(ctx.env),
    renameWebManifest: options.renameWebManifest,
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
  });
  const shown = (p?: string) => (p ? relative(ctx.cwd, p) || '.' : undefined);
  const base = resolve(ctx.cwd, dir);
  return {
    ok: result.ok,
    result: { ...result.summary, zipPath: shown(result.zipPath), sourcemapDir: shown(result.sourcemapDir), omitted: result.omitted, manifestFile: shown(result.manifestFile) },
    errors: rebaseDiagnostics(result.errors, base, ctx.cwd),
    warnings: rebaseDiagnostics(result.warnings, base, ctx.cwd),
  };
}

export function render(outcome: CommandResult<PackCommandResult>, ctx: CommandContext): string {
  const lines = [renderBuild(outcome, ctx).replace(/^(.*?) built /, '$1 packed ')];
  const omitted = outcome.result?.omitted ?? [];
  if (omitted.length) {
    lines.push(ctx.colors.dim(`  left out (${omitted.length}):`));
    for (const o of omitted) lines.push(`    ${o.path}: ${o.reason}`);
  }
  return lines.filter(Boolean).join('\n');
}
