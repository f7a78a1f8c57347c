import { crypto } from '../core/builtins.js';
import { promises as fs } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { diagnostic, MiniappError } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { createZip, DEFAULT_MTIME, type Zip } from '../package/writer.js';
import { createBuildContext } from './context.js';
import { packDirectory, type OmittedFile, type PackOptions } from './pack.js';
import type { BuildContextOptions, BuildDiagnostic, BuildOutput, ModuleSize } from './types.js';

/** The common platform limit for a main package. */
export const DEFAULT_BUDGET = 2 * 1024 * 1024;
/** Share of the budget above which a build warns. */
export const BUDGET_WARNING_RATIO = 0.8;

export interface BuildPackageOptions extends BuildContextOptions {
  /** Where the zip goes (default <projectDir>/dist). */
  outDir?: string;
  /** Compressed package size limit in bytes (default 2 MB). */
  budget?: number;
  /** Timestamp of every zip entry (default 1980-01-01; the CLI passes SOURCE_DATE_EPOCH). */
  mtime?: Date;
  /** Build twice from scratch and fail unless the two zips are byte-identical. */
  checkReproducible?: boolean;
  /** Progress messages for long work ("bundling", "packaging"). */
  onProgress?: (message: string) => void;
  signal?: AbortSignal;
}

export interface SummaryFile {
  name: string;
  size: number;
  compressedSize: number;
}

export interface BuildSummary {
  id?: string;
  version?: string;
  mode: string;
  files: SummaryFile[];
  fileCount: number;
  rawBytes: number;
  /** Size of the zip file. */
  compressedBytes: number;
  budget: { limit: number; used: number; ratio: number };
  /** The largest input modules in the bundles (metafile), largest first. */
  largestModules: ModuleSize[];
  sha256?: string;
  reproducible?: boolean;
  durationMs: number;
}

export interface BuildPackageResult {
  ok: boolean;
  /** The written package, absent when the build failed. */
  zipPath?: string;
  /** Folder of source maps written beside the zip (sourcemap "external"). */
  sourcemapDir?: string;
  summary?: BuildSummary;
  errors: BuildDiagnostic[];
  warnings: BuildDiagnostic[];
}

const LARGEST_MODULES = 10;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** One build and its zip; `release` ends the context (after the package is written: maps may still be on disk). */
async function buildOnce(options: BuildPackageOptions): Promise<{ output: BuildOutput; zip?: Zip; release: () => Promise<void> }> {
  // One build, then the context is gone: esbuild writes the bundles and they are read back.
  const ctx = createBuildContext({ bundleOutputs: 'disk', ...options });
  const release = () => ctx.dispose();
  try {
    options.onProgress?.('bundling…');
    const output = await ctx.rebuild();
    if (!output.ok) return { output, release };
    options.onProgress?.('packaging…');
    const zip = await createZip(
      [...output.files].map(([name, data]) => ({ name, data })),
      { mtime: options.mtime ?? DEFAULT_MTIME },
    );
    return { output, zip, release };
  } catch (err) {
    await release();
    throw err;
  }
}

const sha256 = (b: Uint8Array) => crypto().createHash('sha256').update(b).digest('hex');

/** Checks the compressed size against the budget: over is an error naming the biggest contributors, over 80% a warning. */
function checkBudget(zip: Zip, modules: ModuleSize[], budget: number): { errors: BuildDiagnostic[]; warnings: BuildDiagnostic[] } {
  const size = zip.bytes.length;
  const biggest = [...zip.entries].sort((a, b) => b.compressedSize - a.compressedSize).slice(0, 3);
  const contributors = [...biggest.map((e) => `${e.name} (${kb(e.compressedSize)} compressed)`), ...modules.slice(0, 3).map((m) => `module ${m.path} (${kb(m.bytes)} in the bundle)`)].join(', ');
  const args = { size, limit: budget, sizeText: kb(size), limitText: kb(budget), percent: Math.round((size / budget) * 100), contributors };
  if (size > budget) return { errors: [diagnostic('PACKAGE_TOO_LARGE', args)], warnings: [] };
  if (size > budget * BUDGET_WARNING_RATIO) return { errors: [], warnings: [diagnostic('PACKAGE_NEAR_BUDGET', args, {}, 'warning')] };
  return { errors: [], warnings: [] };
}

/** Moves a map esbuild left on disk into place (a copy when the rename crosses file systems). */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch {
    await fs.copyFile(from, to);
  }
}

/** Writes the external source maps into a folder beside the zip, replacing the previous folder whole. */
async function writeSourcemaps(dir: string, maps: Map<string, Uint8Array>, files: Map<string, string>): Promise<void> {
  const temp = `${dir}.tmp-${crypto().randomBytes(4).toString('hex')}`;
  try {
    const folders = new Set([...maps.keys(), ...files.keys()].map((name) => dirname(join(temp, name))));
    await Promise.all([...folders].map((f) => fs.mkdir(f, { recursive: true })));
    await Promise.all([...[...maps].map(([name, data]) => fs.writeFile(join(temp, name), data)), ...[...files].map(([name, from]) => moveFile(from, join(temp, name)))]);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(temp, dir);
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true });
    throw new MiniappError('WRITE_FAILED', { path: dir, reason: (err as Error).message }, { cause: err });
  }
}

type PackagedOutput = Pick<BuildOutput, 'manifest' | 'files' | 'sourcemaps' | 'sourcemapFiles' | 'modules' | 'errors' | 'warnings'>;

/** The summary of a zipped package and its budget findings. */
function summarize(output: PackagedOutput, zip: Zip, budget: number, mode: string): { summary: BuildSummary; errors: BuildDiagnostic[]; warnings: BuildDiagnostic[] } {
  const check = checkBudget(zip, output.modules, budget);
  const summary: BuildSummary = {
    id: output.manifest?.id,
    version: output.manifest?.version,
    mode,
    files: zip.entries.map((e) => ({ name: e.name, size: e.size, compressedSize: e.compressedSize })),
    fileCount: zip.entries.length,
    rawBytes: zip.entries.reduce((n, e) => n + e.size, 0),
    compressedBytes: zip.bytes.length,
    budget: { limit: budget, used: zip.bytes.length, ratio: zip.bytes.length / budget },
    largestModules: output.modules.slice(0, LARGEST_MODULES),
    sha256: sha256(zip.bytes),
    durationMs: 0,
  };
  return { summary, errors: check.errors, warnings: check.warnings };
}

/** Writes the zip (atomically) and the external source maps beside it. */
async function writePackage(outDir: string, output: PackagedOutput, zip: Zip): Promise<{ zipPath: string; sourcemapDir?: string }> {
  const { id, version } = output.manifest!;
  await fs.mkdir(outDir, { recursive: true }).catch((err: Error) => {
    throw new MiniappError('WRITE_FAILED', { path: outDir, reason: err.message }, { cause: err });
  });
  const zipPath = join(outDir, `${id}-${version}.zip`);
  const mapFiles = output.sourcemapFiles ?? new Map<string, string>();
  const sourcemapDir = output.sourcemaps.size + mapFiles.size > 0 ? join(outDir, `${id}-${version}.sourcemaps`) : undefined;
  await Promise.all([writeFileAtomic(zipPath, zip.bytes), sourcemapDir && writeSourcemaps(sourcemapDir, output.sourcemaps, mapFiles)]);
  return { zipPath, sourcemapDir };
}

/** Compares a second build with the first: BUILD_NOT_REPRODUCIBLE names the files that differ. */
async function checkReproducible(options: BuildPackageOptions, zip: Zip, summary: BuildSummary): Promise<BuildDiagnostic[]> {
  options.onProgress?.('building again to check reproducibility…');
  const second = await buildOnce(options);
  await second.release();
  if (options.signal?.aborted) throw new MiniappError('INTERRUPTED', { signal: 'a signal' });
  const again = second.zip ? sha256(second.zip.bytes) : undefined;
  summary.reproducible = again === summary.sha256;
  if (summary.reproducible) return [];
  const before = new Map(zip.entries.map((e) => [e.name, e.crc32]));
  const after = new Map((second.zip?.entries ?? []).map((e) => [e.name, e.crc32]));
  const differing = [...new Set([...before.keys(), ...after.keys()])].filter((n) => before.get(n) !== after.get(n)).sort();
  return [diagnostic('BUILD_NOT_REPRODUCIBLE', { files: differing.length ? differing.join(', ') : 'zip metadata' })];
}

/**
 * Builds a project into its unsigned package: dist/<id>-<version>.zip, written atomically, deterministic,
 * checked against the size budget, with a summary. Problems in the sources come back as errors.
 */
export async function buildPackage(options: BuildPackageOptions): Promise<BuildPackageResult> {
  const started = performance.now();
  const budget = options.budget ?? DEFAULT_BUDGET;
  const { output, zip, release } = await buildOnce(options);
  try {
    if (options.signal?.aborted) throw new MiniappError('INTERRUPTED', { signal: 'a signal' });
    const errors = [...output.errors];
    const warnings = [...output.warnings];
    if (!zip || !output.manifest) return { ok: false, errors, warnings };
    const { summary, ...budgetCheck } = summarize(output, zip, budget, options.mode ?? 'production');
    errors.push(...budgetCheck.errors);
    warnings.push(...budgetCheck.warnings);
    if (options.checkReproducible && errors.length === 0) errors.push(...(await checkReproducible(options, zip, summary)));
    if (errors.length) {
      summary.durationMs = performance.now() - started;
      return { ok: false, summary, errors, warnings };
    }
    const written = await writePackage(resolve(options.projectDir, options.outDir ?? 'dist'), output, zip);
    summary.durationMs = performance.now() - started;
    return { ok: true, ...written, summary, errors, warnings };
  } finally {
    await release();
  }
}

export interface PackPackageOptions extends PackOptions {
  /** Where the zip goes (default: the current folder, or the built folder's parent when that is inside it). */
  outDir?: string;
  budget?: number;
  mtime?: Date;
}

export interface PackPackageResult extends BuildPackageResult {
  omitted: OmittedFile[];
  manifestFile?: string;
}

/** The zip's folder by default: the current one, unless that is the built folder or inside it. */
function defaultPackOutDir(cwd: string, dir: string): string {
  const rel = relative(resolve(cwd, dir), cwd);
  return rel === '' || !(rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) ? dirname(resolve(cwd, dir)) : cwd;
}

/** Packs a folder another bundler built into the same package `build` writes, through the same checks. */
export async function packPackage(options: PackPackageOptions): Promise<PackPackageResult> {
  const started = performance.now();
  const budget = options.budget ?? DEFAULT_BUDGET;
  const output = await packDirectory(options);
  const base = { omitted: output.omitted, manifestFile: output.manifestFile };
  const errors = [...output.errors];
  const warnings = [...output.warnings];
  if (!output.ok || !output.manifest) return { ok: false, errors, warnings, ...base };
  const zip = await createZip(
    [...output.files].map(([name, data]) => ({ name, data })),
    { mtime: options.mtime ?? DEFAULT_MTIME },
  );
  const { summary, ...budgetCheck } = summarize(output, zip, budget, 'prebuilt');
  errors.push(...budgetCheck.errors);
  warnings.push(...budgetCheck.warnings);
  if (errors.length) return { ok: false, summary, errors, warnings, ...base };
  const written = await writePackage(options.outDir ? resolve(options.cwd, options.outDir) : defaultPackOutDir(options.cwd, options.dir), output, zip);
  summary.durationMs = performance.now() - started;
  return { ok: true, ...written, summary, errors, warnings, ...base };
}
