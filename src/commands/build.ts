import { relative, resolve } from 'node:path';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { buildOptions } from './options.js';
import { MiniappError } from '../core/errors/index.js';
import { buildPackage, rebaseDiagnostics, type BuildSummary } from '../build/index.js';
import { packageTimestamp } from '../package/writer.js';

export interface BuildCommandResult extends Partial<BuildSummary> {
  zipPath?: string;
  sourcemapDir?: string;
}

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, k: 1024, kib: 1024, mb: 1024 ** 2, m: 1024 ** 2, mib: 1024 ** 2 };

/** "2MB", "1.5 MB", "800KB", "2097152" → bytes (KB = 1024 bytes, as platforms count package limits). */
export function parseSize(value: unknown): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(value));
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new MiniappError('BUDGET_INVALID', { value });
  return Math.round(Number(m[1]) * unit);
}

export async function run(args: string[], options: OptionsOf<typeof buildOptions>, ctx: CommandContext): Promise<CommandResult<BuildCommandResult>> {
  const projectDir = resolve(ctx.cwd, args[0] ?? '.');
  const budget = parseSize(options.budget);
  const mtime = packageTimestamp(ctx.env);
  const result = await buildPackage({
    projectDir,
    mode: options.mode,
    target: options.target,
    sourcemap: options.sourcemap,
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
    outDir: resolve(projectDir, options.outDir),
    budget,
    mtime,
    checkReproducible: options.checkReproducible,
    renameWebManifest: options.renameWebManifest,
    onProgress: (m) => ctx.logger.progress(m),
    signal: ctx.signal,
  });
  const shown = (p?: string) => (p ? relative(ctx.cwd, p) || '.' : undefined);
  return {
    ok: result.ok,
    result: { ...result.summary, zipPath: shown(result.zipPath), sourcemapDir: shown(result.sourcemapDir) },
    errors: rebaseDiagnostics(result.errors, projectDir, ctx.cwd),
    warnings: rebaseDiagnostics(result.warnings, projectDir, ctx.cwd),
  };
}

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(2)} MB`);
const MAX_ROWS = 15;

export function render(outcome: CommandResult<BuildCommandResult>, ctx: CommandContext): string {
  const r = outcome.result;
  const c = ctx.colors;
  if (!r?.files) return outcome.ok ? '' : `${c.red('✗')} build failed`;
  const lines: string[] = [];
  const what = `${r.id}@${r.version}`;
  lines.push(outcome.ok ? `${c.green('✓')} built ${what} (${r.mode}) → ${c.bold(r.zipPath ?? '')}` : `${c.red('✗')} ${what} was not packaged`);
  const rows = [...r.files].sort((a, b) => b.compressedSize - a.compressedSize);
  const width = Math.min(60, Math.max(20, ...rows.slice(0, MAX_ROWS).map((f) => f.name.length))) + 2;
  lines.push(c.dim(`  ${'file'.padEnd(width)}${'size'.padStart(10)}${'compressed'.padStart(12)}`));
  for (const f of rows.slice(0, MAX_ROWS)) lines.push(`  ${f.name.padEnd(width)}${size(f.size).padStart(10)}${size(f.compressedSize).padStart(12)}`);
  if (rows.length > MAX_ROWS) lines.push(c.dim(`  … ${rows.length - MAX_ROWS} more files`));
  const pct = `${(r.budget!.ratio * 100).toFixed(1)}% of the ${size(r.budget!.limit)} budget`;
  const over = r.budget!.ratio > 1 ? c.red(pct) : r.budget!.ratio > 0.8 ? c.yellow(pct) : pct;
  lines.push(`  ${`total: ${r.fileCount} files`.padEnd(width)}${size(r.rawBytes!).padStart(10)}${size(r.compressedBytes!).padStart(12)}  ${over}`);
  if (r.largestModules?.length) {
    lines.push(c.dim('  largest modules:'));
    for (const m of r.largestModules.slice(0, 5)) lines.push(`    ${m.path.padEnd(width - 2)}${size(m.bytes).padStart(10)}`);
  }
  if (r.sourcemapDir) lines.push(c.dim(`  source maps (not in the package): ${r.sourcemapDir}`));
  if (r.reproducible !== undefined) lines.push(r.reproducible ? `  ${c.green('✓')} reproducible: two builds are byte-identical` : `  ${c.red('✗')} not reproducible`);
  if (r.sha256) lines.push(c.dim(`  sha256 ${r.sha256}`));
  return lines.join('\n');
}
