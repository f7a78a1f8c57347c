import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import type { Manifest } from '../manifest/types.js';
import { explainUnsafePackagePath } from '../format/paths.js';
import { assemblePackage, type PackageEntryInput } from './assemble.js';
import { findCopiedFiles, findEntries, rewriteHtml, type EntryRef } from './entries.js';
import { readProjectManifest, type ManifestStep } from './manifest-step.js';
import { type BundleOutputs, collectEsbuildOutputs, failedBuild } from './outputs.js';
import { frameworkPlugins } from './plugins/index.js';
import { readPublicFiles } from './public.js';
import { createEsbuildSession, startEsbuildService, type BundlePair, type EarlyRun } from './session.js';
import type { BuildContext, BuildDiagnostic, BuildOutput, ResolvedBuildOptions } from './types.js';

// The default build: the entry HTML's scripts and stylesheets bundled by esbuild (Vue, Svelte and PostCSS
// through framework plugins), the HTML rewritten to the hashed bundles, public/ added, then the shared
// package checks.

interface Bundling {
  refs: EntryRef[];
  html?: string;
  htmlError?: unknown;
  htmlErrors: BuildDiagnostic[];
  esbuildErrors: BuildDiagnostic[];
  run?: Promise<BundlePair>;
}

type EsbuildSession = ReturnType<typeof createEsbuildSession>;

/** Reads the entry HTML and starts bundling what it references, adopting the early run when its entries match. */
async function startBundling(projectDir: string, session: EsbuildSession, htmlPath: string | undefined, early: EarlyRun | undefined, adopt: () => void): Promise<Bundling> {
  const b: Bundling = { refs: [], htmlErrors: [], esbuildErrors: [] };
  if (!htmlPath) return b;
  b.html = await fs.readFile(join(projectDir, htmlPath), 'utf8').catch((err: unknown) => {
    b.htmlError = err;
    return undefined;
  });
  if (b.html === undefined) return b;
  b.refs = findEntries(projectDir, htmlPath, b.html, b.htmlErrors);
  if (b.htmlErrors.length) return b;
  if (early && early.key === session.keyOf(b.refs)) {
    adopt();
    b.run = early.run;
    b.esbuildErrors = early.errors;
  } else {
    if (early) await session.drop(early.run);
    b.run = session.bundle(b.refs, b.esbuildErrors);
    b.run.catch(() => undefined);
  }
  return b;
}

/** Why the build cannot go past the manifest and the HTML, or undefined when it can. */
function entryProblems(manifest: Manifest | undefined, step: ManifestStep, b: Bundling): BuildDiagnostic[] | undefined {
  if (manifest && manifest.entryPoint === step.htmlPath && b.html !== undefined && b.htmlErrors.length === 0) return undefined;
  const out: BuildDiagnostic[] = [];
  if (manifest && !step.htmlPath)
    out.push(
      diagnostic(
        'MANIFEST_INVALID_ENTRY_POINT',
        { value: manifest.entryPoint, reason: explainUnsafePackagePath(manifest.entryPoint) ?? 'is not a package path' },
        { file: 'manifest.json', pointer: '/entryPoint' },
      ),
    );
  else if (manifest && b.html === undefined)
    out.push(diagnostic('FILE_UNREADABLE', { path: manifest.entryPoint, reason: (b.htmlError as Error)?.message ?? 'unreadable' }, { file: manifest.entryPoint }));
  out.push(...b.htmlErrors);
  return out;
}

/** What one build gathers as it goes: its diagnostics and the files a watcher should watch. */
interface BuildRecord {
  started: number;
  errors: BuildDiagnostic[];
  warnings: BuildDiagnostic[];
  watchFiles: Set<string>;
}

/** The bundles' warnings, and every input they read (a failed bundle has no metafile: the files its errors name). */
function recordBundleInputs(projectDir: string, b: Bundling, runs: BundlePair, r: BuildRecord): void {
  r.errors.push(...b.esbuildErrors);
  // A failed bundle has no metafile: the files its errors name were read all the same, and a watcher
  // must see them fixed (a file outside the project is watched only once a build names it).
  for (const d of b.esbuildErrors) if (d.file && !d.file.includes(':')) r.watchFiles.add(join(projectDir, d.file));
  for (const run of runs) {
    if (!run) continue;
    r.warnings.push(...run.warnings);
    for (const input of Object.keys(run.metafile.inputs)) if (!input.includes(':')) r.watchFiles.add(join(projectDir, input));
  }
}

/** The package's files besides the HTML: the bundles, public/, then the files the HTML references. */
async function packageEntries(
  projectDir: string,
  htmlPath: string,
  html: string,
  outputs: BundleOutputs,
  publicFiles: ReturnType<typeof readPublicFiles>,
  r: BuildRecord,
): Promise<PackageEntryInput[]> {
  const entries: PackageEntryInput[] = [...outputs.files].map(([name, data]) => ({ name, data, source: `${name} (bundle output)` }));
  for (const p of await publicFiles) {
    r.watchFiles.add(p.absolute);
    entries.push({ name: p.name, data: p.data, source: p.source });
  }
  for (const f of findCopiedFiles(projectDir, htmlPath, html, r.warnings)) {
    if (entries.some((e) => e.name === f.name)) continue;
    r.watchFiles.add(f.absolute);
    entries.push({ name: f.name, data: await fs.readFile(f.absolute), source: `${f.name} (referenced by ${htmlPath})` });
  }
  return entries;
}

/** The bundles, public/ and the referenced files checked and assembled into the package. */
async function assemble(
  o: ResolvedBuildOptions,
  step: ManifestStep,
  b: Bundling,
  runs: BundlePair,
  manifest: Manifest,
  publicFiles: ReturnType<typeof readPublicFiles>,
  publicErrors: Diagnostic[],
  r: BuildRecord,
): Promise<BuildOutput> {
  const htmlPath = step.htmlPath!;
  const outputs = collectEsbuildOutputs(o.projectDir, runs, o.sourcemap);
  const html = rewriteHtml(b.html!, htmlPath, b.refs, outputs.entries);
  const entries = await packageEntries(o.projectDir, htmlPath, b.html!, outputs, publicFiles, r);
  r.errors.push(...publicErrors);
  const assembled = assemblePackage({
    manifest,
    manifestBytes: step.bytes,
    htmlPath,
    html,
    entries,
    lint: o.lint,
    renameWebManifest: o.renameWebManifest,
    sources: { projectDir: o.projectDir, inputs: Object.keys(outputs.metafile.inputs) },
  });
  r.errors.push(...assembled.errors);
  r.warnings.push(...assembled.warnings);
  return {
    ok: r.errors.length === 0,
    manifest,
    files: r.errors.length ? new Map() : assembled.files,
    sourcemaps: outputs.sourcemaps,
    sourcemapFiles: outputs.sourcemapFiles,
    errors: r.errors,
    warnings: r.warnings,
    metafile: outputs.metafile,
    modules: outputs.modules,
    watchFiles: [...r.watchFiles],
    durationMs: performance.now() - r.started,
  };
}

export function createEsbuildBuild(o: ResolvedBuildOptions): BuildContext {
  const { projectDir } = o;
  // A one-shot build is about to bundle: esbuild starts while the manifest and the HTML are read.
  if (o.bundleOutputs === 'disk') startEsbuildService();
  const framework = frameworkPlugins(o);
  const session = createEsbuildSession({ ...o, plugins: framework.plugins, conditions: framework.conditions, outputs: o.bundleOutputs });
  let disposed = false;

  async function build(early: EarlyRun | undefined, adopt: () => void): Promise<BuildOutput> {
    const r: BuildRecord = {
      started: performance.now(),
      errors: [],
      warnings: [],
      watchFiles: new Set([join(projectDir, 'manifest.json'), join(projectDir, 'public'), ...framework.configFiles]),
    };
    const fail = (manifest?: Manifest): BuildOutput => failedBuild({ manifest, ...r });

    const step = await readProjectManifest(projectDir, o, r.errors);
    if (!step) return fail();
    if (step.htmlPath) r.watchFiles.add(join(projectDir, step.htmlPath));
    const b = await startBundling(projectDir, session, step.htmlPath, early, adopt);
    const publicErrors: Diagnostic[] = [];
    const publicFiles = readPublicFiles(projectDir, publicErrors);
    const checked = await step.checking;
    r.errors.push(...checked.errors);
    r.warnings.push(...checked.warnings);
    const manifest = checked.manifest;
    const problems = entryProblems(manifest, step, b);
    if (problems) {
      if (b.run) await session.drop(b.run);
      await publicFiles;
      r.errors.push(...problems);
      return fail(manifest);
    }
    const runs = await b.run!;
    recordBundleInputs(projectDir, b, runs, r);
    for (const f of framework.takeWatchFiles()) r.watchFiles.add(f);
    if (r.errors.length) {
      await publicFiles;
      return fail(manifest);
    }
    return assemble(o, step, b, runs, manifest!, publicFiles, publicErrors, r);
  }

  async function rebuild(): Promise<BuildOutput> {
    // Bundling starts at once with the entries of the last build (a save rarely changes which scripts
    // the HTML references), while manifest.json and the HTML are read; it is adopted if the HTML still
    // references the same entries, and cancelled otherwise.
    if (disposed) throw new Error('this build context has been disposed');
    const early = session.startEarly();
    let adopted = false;
    try {
      return await build(early, () => (adopted = true));
    } finally {
      if (early && !adopted) await session.drop(early.run);
    }
  }

  return {
    rebuild,
    // esbuild ends a cancelled rebuild at once; the rebuild then reports it as failed.
    cancel: () => session.cancel(),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.dispose();
    },
  };
}
