import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import { assemblePackage, type PackageEntryInput } from './assemble.js';
import { codeFrame } from './diagnostics.js';
import { readProjectManifest } from './manifest-step.js';
import { failedBuild, sortModules } from './outputs.js';
import { listPublicFiles } from './public.js';
import { createViteWatch, type CapturePlugin, type ViteChunk, type ViteWatch, type ViteWatcher } from './vite-watch.js';
import type { BuildContext, BuildDiagnostic, BuildOutput, ResolvedBuildOptions, SourcemapMode } from './types.js';

// A project that already builds with Vite: its own vite.config.* and plugins, through the Vite the
// project installed (never the toolchain's start-up path). Vite bundles in memory (write: false) with a
// relative base, since a package is opened from wherever the host extracts it; public/ (Vite's publicDir),
// manifest.json and the shared package checks are the build core's, so the package is the same as any.

interface ViteModule {
  build(config: Record<string, unknown>): Promise<{ output: ViteChunk[] } | { output: ViteChunk[] }[] | ViteWatcher>;
}
interface ResolvedViteConfig {
  root: string;
  publicDir: string;
  configFile?: string;
  build?: { sourcemap?: boolean | 'inline' | 'hidden' };
}

const toPosix = (p: string) => p.split(sep).join('/');

/** Imports the project's own vite (its ESM entry), or says how to install it. */
async function loadProjectVite(projectDir: string): Promise<ViteModule> {
  const req = createRequire(join(projectDir, 'package.json'));
  let pkgFile: string;
  try {
    pkgFile = req.resolve('vite/package.json');
  } catch {
    throw Object.assign(new Error('vite is not installed in the project'), { miniappMissing: true });
  }
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: { '.'?: { import?: string | { default?: string } } } };
  const entry = pkg.exports?.['.']?.import;
  const file = typeof entry === 'string' ? entry : (entry?.default ?? './dist/node/index.js');
  return (await import(pathToFileURL(join(pkgFile, '..', file)).href)) as ViteModule;
}

/** A Vite/Rollup error as a diagnostic at its file and line. */
function fromViteError(err: unknown, projectDir: string): BuildDiagnostic {
  // Rolldown (Vite 8) wraps the errors of a build: the first one says what and where.
  const inner = (err as { errors?: unknown[] }).errors;
  if (Array.isArray(inner) && inner[0] && typeof inner[0] === 'object') err = inner[0];
  const e = err as { message?: string; id?: string; loc?: { file?: string; line: number; column: number }; frame?: string; plugin?: string };
  const fileAbs = e.loc?.file ?? e.id;
  const file = fileAbs ? (isAbsolute(fileAbs) ? toPosix(relative(projectDir, fileAbs)) : fileAbs) : undefined;
  const reason = String(e.message ?? err)
    .split('\n')[0]!
    .replace(/^\[[A-Z_]+\]\s*/, '');
  const d: BuildDiagnostic = diagnostic(
    'BUILD_VITE_FAILED',
    { reason: e.plugin ? `${reason} (plugin ${e.plugin})` : reason },
    { ...(file ? { file } : {}), ...(e.loc ? { line: e.loc.line, column: e.loc.column + 1 } : {}) },
  );
  if (e.loc && fileAbs) {
    try {
      const line = readFileSync(fileAbs, 'utf8').split('\n')[e.loc.line - 1];
      if (line !== undefined) d.frame = codeFrame(line, e.loc.line, e.loc.column + 1);
    } catch {
      // no source to show
    }
  }
  return d;
}

/** Why Vite did not build: not installed in the project, or its own error at its file and line. */
function viteFailure(err: unknown, projectDir: string, configFile: string | undefined): BuildDiagnostic {
  if (!(err as { miniappMissing?: boolean }).miniappMissing) return fromViteError(err, projectDir);
  const file = configFile ? toPosix(relative(projectDir, configFile)) : undefined;
  return diagnostic('BUILD_COMPILER_MISSING', { file: file ?? 'vite.config', compiler: 'vite', install: '--save-dev vite', reason: 'vite is not in its node_modules' }, { file });
}

const toViteSourcemap = (mode: SourcemapMode) => (mode === 'external' ? 'hidden' : mode === 'linked' ? true : mode === 'none' ? false : 'inline');

/**
 * The source maps of a production build when --sourcemap is not given: the project's own
 * build.sourcemap (Vite's default is none, and maps cost a Vite build a good part of its time); maps
 * Vite would link from the code (true) are set aside beside the package instead, like "hidden" ones.
 */
const fromViteSourcemap = (value: boolean | 'inline' | 'hidden' | undefined): SourcemapMode => (value === 'inline' ? 'inline' : value ? 'external' : 'none');

/**
 * The inline config on top of the project's: in memory, relative base, our minification, and our source
 * maps unless the project's decide (`projectMaps`: production without --sourcemap).
 */
function inlineConfig(
  o: ResolvedBuildOptions,
  configFile: string | undefined,
  warn: (message: string) => void,
  projectMaps: boolean,
  resolved: (c: ResolvedViteConfig) => void,
  capture?: CapturePlugin,
) {
  const sourcemap = projectMaps ? {} : { sourcemap: toViteSourcemap(o.sourcemap) };
  // A map Vite would link from the code is set aside instead: the package never names a file it lacks.
  const hideLinkedMaps = (c: { build?: { sourcemap?: unknown } }) => (projectMaps && c.build?.sourcemap === true ? { build: { sourcemap: 'hidden' as const } } : undefined);
  return {
    root: o.projectDir,
    configFile: configFile ?? false,
    mode: o.mode,
    base: './',
    logLevel: 'silent',
    clearScreen: false,
    customLogger: { info() {}, warn, warnOnce: warn, error() {}, clearScreen() {}, hasErrorLogged: () => false, hasWarned: false },
    plugins: [{ name: 'miniapp:resolved-config', config: hideLinkedMaps, configResolved: resolved }, ...(capture ? [capture] : [])],
    // With `capture` (watch mode), Rolldown's watcher builds on every save and the plugin takes the output.
    build: {
      write: false,
      copyPublicDir: false,
      emptyOutDir: false,
      reportCompressedSize: false,
      ...sourcemap,
      ...(o.mode === 'development' ? { minify: false } : {}),
      ...(capture ? { watch: {} } : {}),
    },
  };
}

interface ViteResult {
  entries: PackageEntryInput[];
  sourcemaps: Map<string, Uint8Array>;
  sizes: Map<string, number>;
  watch: Set<string>;
}

/** Vite's output by package path: maps set aside (external) or kept, module weights, the modules read. */
function collectViteOutput(o: ResolvedBuildOptions & { sourcemap: SourcemapMode }, outputs: ViteChunk[]): ViteResult {
  const r: ViteResult = { entries: [], sourcemaps: new Map(), sizes: new Map(), watch: new Set() };
  const encoder = new TextEncoder();
  for (const item of outputs) {
    const data = item.type === 'chunk' ? encoder.encode(item.code ?? '') : typeof item.source === 'string' ? encoder.encode(item.source) : (item.source ?? new Uint8Array());
    if (item.fileName.endsWith('.map')) {
      if (o.sourcemap === 'external') r.sourcemaps.set(item.fileName, data);
      else if (o.sourcemap === 'linked') r.entries.push({ name: item.fileName, data, source: `${item.fileName} (vite output)` });
      continue;
    }
    if (item.type === 'chunk' && o.sourcemap === 'external' && item.map && !outputs.some((x) => x.fileName === `${item.fileName}.map`))
      r.sourcemaps.set(`${item.fileName}.map`, encoder.encode(item.map.toString()));
    r.entries.push({ name: item.fileName, data, source: `${item.fileName} (vite output)` });
    for (const [id, info] of Object.entries(item.modules ?? {})) {
      const clean = id.replace(/\?.*$/, '');
      if (clean.startsWith('\0') || !isAbsolute(clean)) continue;
      r.watch.add(clean);
      const rel = toPosix(relative(o.projectDir, clean));
      r.sizes.set(rel, (r.sizes.get(rel) ?? 0) + info.renderedLength);
    }
  }
  return r;
}

/** Reads Vite's publicDir into package entries (Vite copies it only when it writes). */
async function publicEntries(publicDir: string, errors: Diagnostic[]): Promise<(PackageEntryInput & { absolute: string })[]> {
  if (!publicDir) return [];
  const files = await listPublicFiles(join(publicDir, '..'), errors, publicDir);
  return Promise.all(files.map(async (f) => ({ name: f.name, data: await fs.readFile(f.absolute), source: f.source, absolute: f.absolute })));
}

/** Files Vite reads when it starts and its watcher does not follow: a change restarts the watcher. */
const VITE_SETTINGS = [
  'package.json',
  'tsconfig.json',
  'tsconfig.app.json',
  'jsconfig.json',
  '.env',
  '.env.local',
  'postcss.config.js',
  'postcss.config.cjs',
  'postcss.config.mjs',
  'tailwind.config.js',
  'tailwind.config.cjs',
  'tailwind.config.mjs',
  'tailwind.config.ts',
];

const viteWarning = (warnings: BuildDiagnostic[]) => (msg: string) => warnings.push(diagnostic('BUILD_WARNING', { reason: `vite: ${msg.split('\n')[0]}` }, {}, 'warning'));

/** Vite's output, public/ and the manifest checked and assembled into the package. */
async function finish(
  o: ResolvedBuildOptions,
  projectMaps: boolean,
  step: NonNullable<Awaited<ReturnType<typeof readProjectManifest>>>,
  resolved: ResolvedViteConfig | undefined,
  outputs: ViteChunk[],
  s: { errors: BuildDiagnostic[]; warnings: BuildDiagnostic[]; watchFiles: Set<string>; started: number },
): Promise<BuildOutput> {
  const { errors, warnings, watchFiles } = s;
  const { projectDir } = o;
  const out = collectViteOutput(projectMaps ? { ...o, sourcemap: fromViteSourcemap(resolved?.build?.sourcemap) } : o, outputs);
  for (const f of out.watch) watchFiles.add(f);
  const publicErrors: Diagnostic[] = [];
  const publicFiles = await publicEntries(resolved?.publicDir ?? join(projectDir, 'public'), publicErrors);
  for (const p of publicFiles) watchFiles.add(p.absolute);
  const checked = await step.checking;
  errors.push(...checked.errors, ...publicErrors);
  warnings.push(...checked.warnings);
  const manifest = checked.manifest;
  const fail = (): BuildOutput => failedBuild({ manifest, errors, warnings, watchFiles, started: s.started });
  if (!manifest) return fail();
  const htmlEntry = out.entries.find((e) => e.name === manifest.entryPoint);
  if (!htmlEntry) {
    const produced = out.entries.filter((e) => e.name.endsWith('.html')).map((e) => e.name);
    errors.push(
      diagnostic(
        'BUILD_ENTRY_NOT_BUILT',
        { entryPoint: manifest.entryPoint, tool: 'vite', produced: produced.length ? produced.join(', ') : 'no HTML' },
        { file: 'manifest.json', pointer: '/entryPoint' },
      ),
    );
    return fail();
  }
  if (resolved) watchFiles.add(join(resolved.root, manifest.entryPoint));
  const entries = [...out.entries.filter((e) => e !== htmlEntry), ...publicFiles.map(({ absolute: _, ...e }) => e)];
  const html = new TextDecoder().decode(htmlEntry.data);
  const assembled = assemblePackage({
    manifest,
    manifestBytes: step.bytes,
    htmlPath: manifest.entryPoint,
    html,
    entries,
    lint: o.lint,
    renameWebManifest: o.renameWebManifest,
    sources: { projectDir, inputs: [...out.sizes.keys()] },
  });
  errors.push(...assembled.errors);
  warnings.push(...assembled.warnings);
  const metafile = { inputs: Object.fromEntries([...out.sizes.keys()].map((k) => [k, {}])), outputs: Object.fromEntries(out.entries.map((e) => [e.name, {}])) };
  return {
    ok: errors.length === 0,
    manifest,
    files: errors.length ? new Map() : assembled.files,
    sourcemaps: out.sourcemaps,
    errors,
    warnings,
    metafile,
    modules: sortModules(out.sizes),
    watchFiles: [...watchFiles],
    durationMs: performance.now() - s.started,
  };
}

/**
 * `sourcemapGiven`: the caller chose the source maps; otherwise a production build takes the project's.
 * With o.watch, Vite's watcher stays up between rebuilds (see vite-watch.ts).
 */
export function createViteBuild(o: ResolvedBuildOptions, configFile: string | undefined, sourcemapGiven = true): BuildContext {
  const { projectDir } = o;
  const projectMaps = !sourcemapGiven && o.mode === 'production';
  let resolved: ResolvedViteConfig | undefined;
  const onResolved = (c: ResolvedViteConfig) => (resolved = c);
  const envFiles = [`.env.${o.mode}`, `.env.${o.mode}.local`];
  const session: ViteWatch | undefined = o.watch
    ? createViteWatch({
        settings: [...(configFile ? [configFile] : []), ...[...VITE_SETTINGS, ...envFiles].map((f) => join(projectDir, f))],
        start: async (capture, warn) => (await loadProjectVite(projectDir)).build(inlineConfig(o, configFile, warn, projectMaps, onResolved, capture)) as Promise<ViteWatcher>,
      })
    : undefined;

  /** Vite's output for this rebuild: a build of its own, or what the watcher has built (errors are thrown). */
  async function bundle(warnings: BuildDiagnostic[]): Promise<ViteChunk[]> {
    if (!session) {
      const vite = await loadProjectVite(projectDir);
      const result = (await vite.build(inlineConfig(o, configFile, viteWarning(warnings), projectMaps, onResolved))) as { output: ViteChunk[] } | { output: ViteChunk[] }[];
      return (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
    }
    const settled = await session.settle();
    for (const w of settled.warnings) viteWarning(warnings)(w);
    if ('error' in settled) throw settled.error;
    return settled.outputs;
  }

  async function rebuild(): Promise<BuildOutput> {
    const started = performance.now();
    const errors: BuildDiagnostic[] = [];
    const warnings: BuildDiagnostic[] = [];
    const watchFiles = new Set<string>([join(projectDir, 'manifest.json'), join(projectDir, 'public'), ...(configFile ? [configFile] : [])]);
    const fail = (manifest?: BuildOutput['manifest']): BuildOutput => failedBuild({ manifest, errors, warnings, watchFiles, started });
    const step = await readProjectManifest(projectDir, o, errors);
    if (!step) return fail();
    let outputs: ViteChunk[];
    try {
      outputs = await bundle(warnings);
    } catch (err) {
      const checked = await step.checking;
      errors.push(viteFailure(err, projectDir, configFile));
      for (const d of errors) if (d.file && !d.file.startsWith('..')) watchFiles.add(join(projectDir, d.file));
      errors.push(...checked.errors);
      return fail(checked.manifest);
    }
    return finish(o, projectMaps, step, resolved, outputs, { errors, warnings, watchFiles, started });
  }

  let disposed = false;
  return {
    async rebuild() {
      if (disposed) throw new Error('this build context has been disposed');
      return rebuild();
    },
    // A Vite build cannot be interrupted from outside: the running one finishes and is discarded.
    async cancel() {},
    async dispose() {
      disposed = true;
      await session?.close();
    },
  };
}
