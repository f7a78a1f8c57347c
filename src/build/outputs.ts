import { relative, sep } from 'node:path';
import { entryKey, type EntryOutputs } from './entries.js';
import type { BundlePair } from './session.js';
import type { BuildDiagnostic, BuildOutput, ModuleSize, SourcemapMode } from './types.js';

const toPosix = (p: string) => p.split(sep).join('/');

/** What the bundlers produced, by package path: the code, the maps set aside, and who weighs what. */
export interface BundleOutputs {
  /** Bundles and emitted assets, by package path. */
  files: Map<string, Uint8Array>;
  /** External source maps (not in the package). */
  sourcemaps: Map<string, Uint8Array>;
  /** External source maps left on disk by a disk-mode build: package path + ".map" → file. */
  sourcemapFiles: Map<string, string>;
  metafile: NonNullable<BuildOutput['metafile']>;
  modules: ModuleSize[];
}

/** The output of a build that failed: no files, with what it found and what a watcher should watch. */
export function failedBuild(s: { manifest?: BuildOutput['manifest']; errors: BuildDiagnostic[]; warnings: BuildDiagnostic[]; watchFiles: Set<string>; started: number }): BuildOutput {
  return {
    ok: false,
    manifest: s.manifest,
    files: new Map(),
    sourcemaps: new Map(),
    errors: s.errors,
    warnings: s.warnings,
    modules: [],
    watchFiles: [...s.watchFiles],
    durationMs: performance.now() - s.started,
  };
}

export const sortModules = (sizes: Map<string, number>): ModuleSize[] => [...sizes].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));

/** esbuild's output files and metafiles by package path, and the bundle each HTML entry became. */
export function collectEsbuildOutputs(projectDir: string, runs: BundlePair, sourcemap: SourcemapMode): BundleOutputs & { entries: EntryOutputs } {
  const files = new Map<string, Uint8Array>();
  const sourcemaps = new Map<string, Uint8Array>();
  const sourcemapFiles = new Map<string, string>();
  const metafile: BundleOutputs['metafile'] = { inputs: {}, outputs: {} };
  const entries: EntryOutputs = new Map();
  const sizes = new Map<string, number>();
  runs.forEach((run, index) => {
    if (!run) return;
    const kind = index === 1 ? 'classic' : 'module';
    // Metafile output keys are relative to the project: "<outdir>/assets/x.js".
    const outPrefix = `${toPosix(relative(projectDir, run.outdir))}/`;
    const strip = (p?: string) => (p?.startsWith(outPrefix) ? p.slice(outPrefix.length) : p);
    for (const f of run.outputFiles) {
      const name = toPosix(relative(run.outdir, f.path));
      if (!f.contents) sourcemapFiles.set(name, f.path);
      else if (name.endsWith('.map') && sourcemap === 'external') sourcemaps.set(name, f.contents);
      else files.set(name, f.contents);
    }
    Object.assign(metafile.inputs, run.metafile.inputs);
    for (const [outKey, out] of Object.entries(run.metafile.outputs)) {
      const name = strip(outKey)!;
      metafile.outputs[name] = out;
      if (name.endsWith('.map')) continue;
      for (const [input, info] of Object.entries(out.inputs)) sizes.set(input, (sizes.get(input) ?? 0) + info.bytesInOutput);
      if (!out.entryPoint) continue;
      const slot = entryKey(kind, out.entryPoint);
      const prev = entries.get(slot) ?? {};
      if (name.endsWith('.css')) prev.css = name;
      else {
        prev.js = name;
        if (out.cssBundle) prev.css = strip(out.cssBundle);
      }
      entries.set(slot, prev);
    }
  });
  return { files, sourcemaps, sourcemapFiles, metafile, modules: sortModules(sizes), entries };
}
