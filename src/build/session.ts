import type { BuildContext as EsbuildContext, BuildFailure, BuildOptions as EsbuildOptions, Metafile, OutputFile, Plugin } from 'esbuild';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { pendingTempFiles } from '../core/fs/atomic.js';
import { fromEsbuildMessage } from './diagnostics.js';
import type { EntryRef } from './entries.js';
import type { BuildDiagnostic, BuildMode, SourcemapMode } from './types.js';

// The esbuild side of a build: the long-lived esbuild contexts (one for module scripts and stylesheets,
// one for classic scripts), kept between rebuilds and recreated only when the set of entries changes.

let esbuildModule: typeof import('esbuild') | undefined;
/**
 * esbuild is loaded on first use, with require(): it is a CommonJS package, and importing it as ESM
 * makes Node scan its ~200 KB entry for named exports first (about 20 ms per build).
 */
export function loadEsbuild(): typeof import('esbuild') {
  esbuildModule ??= createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  return esbuildModule;
}

let serviceStarted = false;
/**
 * Starts esbuild's service process now, so its start-up (~20-30 ms: spawn, Go runtime, a ping) overlaps
 * reading and checking the manifest and the HTML instead of following them. Harmless if already running.
 */
export function startEsbuildService(): void {
  if (serviceStarted) return;
  serviceStarted = true;
  try {
    loadEsbuild()
      .initialize({})
      .catch(() => undefined);
  } catch {
    // A context already started it (initialize refuses a second call): nothing to do.
  }
}

/**
 * The directory esbuild resolves output paths against: nothing is written there in memory mode. It sits
 * directly in the project, so source maps name their sources with the same relative paths either way.
 */
export const OUT = '.miniapp-out';

/** Files other than scripts and styles that code may import or CSS may url(): emitted with hashed names. */
export const ASSET_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'webm', 'wav', 'ogg'];
const ASSET_LOADERS: EsbuildOptions['loader'] = Object.fromEntries(ASSET_EXTENSIONS.map((ext) => [`.${ext}`, 'file' as const]));

export interface EsbuildRun {
  /** In disk mode, external source maps are left where esbuild wrote them (no contents): see BuildOutput.sourcemapFiles. */
  outputFiles: Array<{ path: OutputFile['path']; contents?: OutputFile['contents'] }>;
  /** The folder output paths are under (OUT in memory mode). */
  outdir: string;
  metafile: Metafile;
  warnings: BuildDiagnostic[];
}

/** The two bundles of one build: module scripts and stylesheets (ESM, split), classic scripts (IIFE). */
export type BundlePair = [EsbuildRun | undefined, EsbuildRun | undefined];

/** A bundling run started before the HTML was read, with the last build's entries. */
export interface EarlyRun {
  key: string;
  errors: BuildDiagnostic[];
  run: Promise<BundlePair>;
}

export interface SessionOptions {
  projectDir: string;
  mode: BuildMode;
  sourcemap: SourcemapMode;
  target: string[];
  define?: Record<string, string>;
  /** Framework plugins (Vue, Svelte, PostCSS); their compilers load only when a file needs them. */
  plugins: Plugin[];
  /** Extra resolve conditions ("svelte" in a Svelte project). */
  conditions?: string[];
  /**
   * "memory" (default): esbuild hands the bundles back over its pipe. "disk": esbuild writes them into a
   * private folder in the project (removed on dispose) and they are read back, which is faster for a big
   * one-shot build (~5 MB of bundles and source maps decoded from the pipe cost more than reading files).
   */
  outputs?: 'memory' | 'disk';
}

export interface EsbuildSession {
  /** The key of a set of entries: a rebuild with the same key reuses the contexts. */
  keyOf(refs: EntryRef[]): string;
  /** Starts bundling with the entries of the last build, or undefined when there is none. */
  startEarly(): EarlyRun | undefined;
  /** Bundles these entries (contexts recreated if the entries changed); errors go to `errors`. */
  bundle(refs: EntryRef[], errors: BuildDiagnostic[]): Promise<BundlePair>;
  /** Stops a bundling run that is no longer wanted and waits for it. */
  drop(run: Promise<unknown>): Promise<void>;
  /** Ends a running bundle as soon as esbuild can (it then reports it as failed). */
  cancel(): Promise<void>;
  dispose(): Promise<void>;
}

/** Where esbuild writes in disk mode: beside OUT, at the same depth, one folder per session. */
let sessions = 0;
const diskOutdir = (projectDir: string) => join(projectDir, `${OUT}-${process.pid}-${++sessions}.tmp`);

function entryInputs(refs: EntryRef[]) {
  const esmInputs = [...new Set(refs.filter((r) => r.kind !== 'classic').map((r) => r.input))].sort();
  const classicInputs = [...new Set(refs.filter((r) => r.kind === 'classic').map((r) => r.input))].sort();
  return { esmInputs, classicInputs, key: JSON.stringify([esmInputs, classicInputs]) };
}

function esbuildOptions(o: SessionOptions, outdir: string | undefined): EsbuildOptions {
  return {
    absWorkingDir: o.projectDir,
    bundle: true,
    write: outdir !== undefined,
    metafile: true,
    outdir: outdir ?? join(o.projectDir, OUT),
    entryNames: 'assets/[name]-[hash]',
    chunkNames: 'assets/chunk-[hash]',
    assetNames: 'assets/[name]-[hash]',
    minify: o.mode === 'production',
    target: o.target,
    // Safari 13-14.0 WebViews run destructuring natively; esbuild lists it as unsupported there only for a
    // WebKit edge-case bug, and cannot lower it, so without this every React hook fails the default target.
    supported: { destructuring: true },
    platform: 'browser',
    sourcemap: o.sourcemap === 'none' ? false : o.sourcemap === 'linked' ? 'linked' : o.sourcemap,
    loader: ASSET_LOADERS,
    define: { 'process.env.NODE_ENV': JSON.stringify(o.mode), ...o.define },
    plugins: o.plugins,
    ...(o.conditions ? { conditions: o.conditions } : {}),
    logLevel: 'silent',
  };
}

/**
 * The files a disk-mode run wrote (metafile output paths are relative to the project), read back, but for
 * external source maps: those are most of the bytes and only go to a folder beside the package, so they
 * stay on disk to be moved there.
 */
function readOutputs(o: SessionOptions, metafile: Metafile): EsbuildRun['outputFiles'] {
  return Object.keys(metafile.outputs).map((key) => {
    const path = resolve(o.projectDir, key);
    return o.sourcemap === 'external' && path.endsWith('.map') ? { path } : { path, contents: readFileSync(path) };
  });
}

async function runContext(ctx: EsbuildContext | undefined, errors: BuildDiagnostic[], o: SessionOptions, outdir: string | undefined): Promise<EsbuildRun | undefined> {
  if (!ctx) return undefined;
  const { projectDir } = o;
  try {
    const r = await ctx.rebuild();
    const outputFiles = r.outputFiles ?? readOutputs(o, r.metafile!);
    return { outputFiles, outdir: outdir ?? join(projectDir, OUT), metafile: r.metafile!, warnings: r.warnings.map((m) => fromEsbuildMessage(m, 'warning')) };
  } catch (err) {
    const failure = err as Partial<BuildFailure>;
    if (!Array.isArray(failure.errors)) throw err;
    errors.push(...failure.errors.map((m) => fromEsbuildMessage(m, 'error')));
    return undefined;
  }
}

/** Disk mode's output folder: created on first use, pruned of what a run no longer writes, removed at the end. */
function diskOutputs(projectDir: string, outputs: SessionOptions['outputs']) {
  let outdir = outputs === 'disk' ? diskOutdir(projectDir) : undefined;
  /** The files the last run wrote, so the next run removes those it no longer produces. */
  let written = new Set<string>();
  return {
    get outdir() {
      return outdir;
    },
    /** Creates the folder; a project that cannot take it (read-only) is bundled in memory. */
    prepare(): void {
      if (!outdir) return;
      try {
        mkdirSync(outdir, { recursive: true });
        // An interrupted command removes it with its other temp files.
        pendingTempFiles.add(outdir);
      } catch {
        outdir = undefined;
      }
    },
    /** Forgets (and deletes) what the previous run wrote and this one did not. */
    prune(pair: BundlePair): void {
      if (!outdir) return;
      const now = new Set(pair.flatMap((run) => run?.outputFiles.map((f) => f.path) ?? []));
      for (const path of written) if (!now.has(path)) rmSync(path, { force: true });
      written = now;
    },
    remove(): void {
      if (!outdir) return;
      rmSync(outdir, { recursive: true, force: true });
      pendingTempFiles.delete(outdir);
    },
  };
}

export function createEsbuildSession(options: SessionOptions): EsbuildSession {
  let contexts: { key: string; esm?: EsbuildContext; classic?: EsbuildContext } | undefined;
  const disk = diskOutputs(options.projectDir, options.outputs);

  async function disposeContexts(): Promise<void> {
    const old = contexts;
    contexts = undefined;
    await Promise.all([old?.esm?.dispose(), old?.classic?.dispose()]);
  }

  async function ensure(refs: EntryRef[]): Promise<NonNullable<typeof contexts>> {
    const { esmInputs, classicInputs, key } = entryInputs(refs);
    if (contexts?.key === key) return contexts;
    await disposeContexts();
    const next: NonNullable<typeof contexts> = { key };
    // A page with nothing to bundle never starts esbuild's service (its binary costs ~20-30 ms to start).
    if (esmInputs.length === 0 && classicInputs.length === 0) return (contexts = next);
    const esbuild = loadEsbuild();
    disk.prepare();
    const outdir = disk.outdir;
    try {
      if (esmInputs.length) next.esm = await esbuild.context({ ...esbuildOptions(options, outdir), entryPoints: esmInputs, format: 'esm', splitting: true });
      if (classicInputs.length) next.classic = await esbuild.context({ ...esbuildOptions(options, outdir), entryPoints: classicInputs, format: 'iife' });
    } catch (err) {
      await Promise.all([next.esm?.dispose(), next.classic?.dispose()]);
      // esbuild rejects bad options (an unknown --target) before building anything.
      const reason = (err as Partial<BuildFailure>).errors?.[0]?.text ?? (err as Error).message;
      throw new MiniappError('BUILD_INVALID_OPTION', { reason }, { cause: err });
    }
    contexts = next;
    return next;
  }

  const run = async (ctxs: NonNullable<typeof contexts>, errors: BuildDiagnostic[]): Promise<BundlePair> => {
    const pair: BundlePair = await Promise.all([runContext(ctxs.esm, errors, options, disk.outdir), runContext(ctxs.classic, errors, options, disk.outdir)]);
    disk.prune(pair);
    return pair;
  };

  return {
    keyOf: (refs) => entryInputs(refs).key,
    startEarly() {
      if (!contexts || !(contexts.esm || contexts.classic)) return undefined;
      const errors: BuildDiagnostic[] = [];
      const early: EarlyRun = { key: contexts.key, errors, run: run(contexts, errors) };
      early.run.catch(() => undefined);
      return early;
    },
    async bundle(refs, errors) {
      return run(await ensure(refs), errors);
    },
    async drop(pending) {
      await Promise.all([contexts?.esm?.cancel(), contexts?.classic?.cancel()]);
      await pending.catch(() => undefined);
    },
    async cancel() {
      await Promise.all([contexts?.esm?.cancel(), contexts?.classic?.cancel()]);
    },
    async dispose() {
      await disposeContexts();
      disk.remove();
    },
  };
}
