import type { BuildContext as EsbuildContext, BuildFailure, BuildOptions as EsbuildOptions, Metafile, OutputFile } from 'esbuild';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';
import { diagnostic, MiniappError, type Diagnostic } from '../core/errors/index.js';
import { parseJsonWithPositions } from '../manifest/json.js';
import type { Manifest } from '../manifest/types.js';
import { explainUnsafePackagePath } from '../format/paths.js';
import { checkPackageEntries } from '../package/writer.js';
import { fromEsbuildMessage } from './diagnostics.js';
import { entryKey, findEntries, rewriteHtml, type EntryOutputs, type EntryRef } from './entries.js';
import { lintBundle } from './lint.js';
import { readPublicFiles } from './public.js';
import { DEFAULT_TARGET, type BuildContext, type BuildContextOptions, type BuildDiagnostic, type BuildOutput, type ModuleSize, type SourcemapMode } from './types.js';

const toPosix = (p: string) => p.split(sep).join('/');

let esbuildModule: typeof import('esbuild') | undefined;
/**
 * esbuild is loaded on first use, with require(): it is a CommonJS package, and importing it as ESM
 * makes Node scan its ~200 KB entry for named exports first (about 20 ms per build).
 */
function loadEsbuild(): typeof import('esbuild') {
  esbuildModule ??= createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  return esbuildModule;
}

/** A directory name esbuild resolves output paths against; nothing is ever written there (write: false). */
const OUT = '.miniapp-out';

/** Files other than scripts and styles that code may import or CSS may url(): emitted with hashed names. */
const ASSET_LOADERS: EsbuildOptions['loader'] = Object.fromEntries(
  ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'webm', 'wav', 'ogg'].map((ext) => [`.${ext}`, 'file' as const]),
);

/** The entryPoint of a manifest by a plain parse, when it is a safe package path; the full check comes separately. */
function peekEntryPoint(bytes: Uint8Array): string | undefined {
  try {
    const value = (JSON.parse(new TextDecoder().decode(bytes)) as { entryPoint?: unknown }).entryPoint;
    return typeof value === 'string' && !explainUnsafePackagePath(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const INLINE_MAP_MARKERS = ['\n//# sourceMappingURL=data:', '\n/*# sourceMappingURL=data:'].map((m) => Buffer.from(m, 'latin1'));

/** The code of an output without its trailing inline source map (base64, nothing the lint looks for, and most of the bytes). */
function withoutInlineSourceMap(data: Uint8Array): Uint8Array {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (const marker of INLINE_MAP_MARKERS) {
    const at = bytes.lastIndexOf(marker);
    if (at >= 0) return data.subarray(0, at + 1);
  }
  return data;
}

interface EsbuildRun {
  outputFiles: OutputFile[];
  metafile: Metafile;
  warnings: BuildDiagnostic[];
}

/**
 * Creates an incremental build of one mini-program project. Each rebuild re-reads manifest.json and the
 * entry HTML, bundles the scripts and stylesheets the HTML references (esbuild contexts kept between
 * rebuilds, recreated only when the set of entries changes), rewrites the HTML to the hashed bundles,
 * adds public/, and runs the manifest-code lint. User errors come back in BuildOutput.errors, never thrown.
 */
export function createBuildContext(options: BuildContextOptions): BuildContext {
  let projectDir: string;
  try {
    projectDir = realpathSync(resolve(options.projectDir));
  } catch (err) {
    throw new MiniappError('PATH_NOT_FOUND', { path: options.projectDir }, { cause: err });
  }
  const mode = options.mode ?? 'production';
  const sourcemap: SourcemapMode = options.sourcemap ?? (mode === 'development' ? 'inline' : 'external');
  const target = [...(options.target ?? DEFAULT_TARGET)];
  let contexts: { key: string; esm?: EsbuildContext; classic?: EsbuildContext } | undefined;
  let disposed = false;

  const esbuildOptions = (): EsbuildOptions => ({
    absWorkingDir: projectDir,
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(projectDir, OUT),
    entryNames: 'assets/[name]-[hash]',
    chunkNames: 'assets/chunk-[hash]',
    assetNames: 'assets/[name]-[hash]',
    minify: mode === 'production',
    target,
    // Safari 13-14.0 WebViews run destructuring natively; esbuild lists it as unsupported there only for a
    // WebKit edge-case bug, and cannot lower it, so without this every React hook fails the default target.
    supported: { destructuring: true },
    platform: 'browser',
    sourcemap: sourcemap === 'none' ? false : sourcemap === 'linked' ? 'linked' : sourcemap,
    loader: ASSET_LOADERS,
    define: { 'process.env.NODE_ENV': JSON.stringify(mode), ...options.define },
    logLevel: 'silent',
  });

  const entryInputs = (refs: EntryRef[]) => {
    const esmInputs = [...new Set(refs.filter((r) => r.kind !== 'classic').map((r) => r.input))].sort();
    const classicInputs = [...new Set(refs.filter((r) => r.kind === 'classic').map((r) => r.input))].sort();
    return { esmInputs, classicInputs, key: JSON.stringify([esmInputs, classicInputs]) };
  };

  async function ensureContexts(refs: EntryRef[]): Promise<NonNullable<typeof contexts>> {
    const { esmInputs, classicInputs, key } = entryInputs(refs);
    if (contexts?.key === key) return contexts;
    await disposeContexts();
    const next: NonNullable<typeof contexts> = { key };
    // A page with nothing to bundle never starts esbuild's service (its binary costs ~20-30 ms to start).
    if (esmInputs.length === 0 && classicInputs.length === 0) return (contexts = next);
    const esbuild = loadEsbuild();
    try {
      if (esmInputs.length) next.esm = await esbuild.context({ ...esbuildOptions(), entryPoints: esmInputs, format: 'esm', splitting: true });
      if (classicInputs.length) next.classic = await esbuild.context({ ...esbuildOptions(), entryPoints: classicInputs, format: 'iife' });
    } catch (err) {
      await Promise.all([next.esm?.dispose(), next.classic?.dispose()]);
      // esbuild rejects bad options (an unknown --target) before building anything.
      const reason = (err as Partial<BuildFailure>).errors?.[0]?.text ?? (err as Error).message;
      throw new MiniappError('BUILD_INVALID_OPTION', { reason }, { cause: err });
    }
    contexts = next;
    return next;
  }

  async function disposeContexts(): Promise<void> {
    const old = contexts;
    contexts = undefined;
    await Promise.all([old?.esm?.dispose(), old?.classic?.dispose()]);
  }

  async function runEsbuild(ctx: EsbuildContext | undefined, errors: BuildDiagnostic[]): Promise<EsbuildRun | undefined> {
    if (!ctx) return undefined;
    try {
      const r = await ctx.rebuild();
      return { outputFiles: r.outputFiles ?? [], metafile: r.metafile!, warnings: r.warnings.map((m) => fromEsbuildMessage(m, 'warning')) };
    } catch (err) {
      const failure = err as Partial<BuildFailure>;
      if (!Array.isArray(failure.errors)) throw err;
      errors.push(...failure.errors.map((m) => fromEsbuildMessage(m, 'error')));
      return undefined;
    }
  }

  const bundle = (ctxs: NonNullable<typeof contexts>, errors: BuildDiagnostic[]) => Promise.all([runEsbuild(ctxs.esm, errors), runEsbuild(ctxs.classic, errors)]);

  /** A bundling run started before the HTML was read, with the last build's entries. */
  interface EarlyRun {
    key: string;
    errors: BuildDiagnostic[];
    run: Promise<[EsbuildRun | undefined, EsbuildRun | undefined]>;
  }

  async function dropEarly(early: EarlyRun): Promise<void> {
    await Promise.all([contexts?.esm?.cancel(), contexts?.classic?.cancel()]);
    await early.run.catch(() => undefined);
  }

  async function rebuild(): Promise<BuildOutput> {
    // Bundling starts at once with the entries of the last build (a save rarely changes which scripts
    // the HTML references), while manifest.json and the HTML are read; it is adopted if the HTML still
    // references the same entries, and cancelled otherwise.
    if (disposed) throw new Error('this build context has been disposed');
    let early: EarlyRun | undefined;
    if (contexts && (contexts.esm || contexts.classic)) {
      const errors: BuildDiagnostic[] = [];
      early = { key: contexts.key, errors, run: bundle(contexts, errors) };
      early.run.catch(() => undefined);
    }
    let adopted = false;
    try {
      return await build(early, () => (adopted = true));
    } finally {
      if (early && !adopted) await dropEarly(early);
    }
  }

  async function build(early: EarlyRun | undefined, adopt: () => void): Promise<BuildOutput> {
    const started = performance.now();
    const errors: BuildDiagnostic[] = [];
    const warnings: BuildDiagnostic[] = [];
    const watchFiles = new Set<string>([join(projectDir, 'manifest.json'), join(projectDir, 'public')]);
    const fail = (manifest?: Manifest): BuildOutput => ({
      ok: false,
      manifest,
      files: new Map(),
      sourcemaps: new Map(),
      errors,
      warnings,
      modules: [],
      watchFiles: [...watchFiles],
      durationMs: performance.now() - started,
    });

    // 1. The manifest: a build never packages a manifest the host would reject.
    const manifestPath = join(projectDir, 'manifest.json');
    let manifestBytes: Uint8Array;
    try {
      manifestBytes = await fs.readFile(manifestPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'MANIFEST_NOT_FOUND' : 'FILE_UNREADABLE';
      errors.push(diagnostic(code, { path: projectDir, reason: (err as Error).message }, { file: 'manifest.json' }));
      return fail();
    }
    // The full check (and loading the manifest module) runs while esbuild bundles: bundling starts from
    // the entry point a plain parse finds, and its result is dropped if the check fails.
    const checking = import('../manifest/check.js').then(({ checkManifestBytes }) =>
      checkManifestBytes(manifestBytes, {
        file: 'manifest.json',
        profile: options.profile ?? 'dev',
        newestHostVersion: options.newestHostVersion,
        fileExists: (rel) => existsSync(join(projectDir, rel)) || existsSync(join(projectDir, 'public', rel)),
        where: 'the project',
      }),
    );
    checking.catch(() => undefined);

    // 2. The entry HTML and what it references; then bundling starts (module scripts and stylesheets as
    // ESM with code splitting, classic scripts as IIFE).
    const htmlPath = peekEntryPoint(manifestBytes);
    let html: string | undefined;
    let htmlError: unknown;
    const htmlErrors: BuildDiagnostic[] = [];
    let esbuildErrors: BuildDiagnostic[] = [];
    let refs: EntryRef[] = [];
    let bundling: Promise<[EsbuildRun | undefined, EsbuildRun | undefined]> | undefined;
    if (htmlPath) {
      watchFiles.add(join(projectDir, htmlPath));
      html = await fs.readFile(join(projectDir, htmlPath), 'utf8').catch((err: unknown) => {
        htmlError = err;
        return undefined;
      });
      if (html !== undefined) refs = findEntries(projectDir, htmlPath, html, htmlErrors);
      if (html !== undefined && htmlErrors.length === 0) {
        if (early && early.key === entryInputs(refs).key) {
          adopt();
          bundling = early.run;
          esbuildErrors = early.errors;
        } else {
          if (early) await dropEarly(early);
          const errors = esbuildErrors;
          bundling = ensureContexts(refs).then((ctxs) => bundle(ctxs, errors));
          bundling.catch(() => undefined);
        }
      }
    }
    const publicErrors: Diagnostic[] = [];
    const publicEntries = readPublicFiles(projectDir, publicErrors);

    const checked = await checking;
    errors.push(...checked.errors);
    warnings.push(...checked.warnings);
    const manifest = checked.manifest;
    if (!manifest || manifest.entryPoint !== htmlPath || html === undefined || htmlErrors.length) {
      if (bundling) {
        await contexts?.esm?.cancel();
        await contexts?.classic?.cancel();
        await bundling.catch(() => undefined);
      }
      await publicEntries;
      if (manifest && !htmlPath) errors.push(diagnostic('MANIFEST_INVALID_ENTRY_POINT', { value: manifest.entryPoint, reason: explainUnsafePackagePath(manifest.entryPoint) ?? 'is not a package path' }, { file: 'manifest.json', pointer: '/entryPoint' }));
      else if (manifest && html === undefined) errors.push(diagnostic('FILE_UNREADABLE', { path: manifest.entryPoint, reason: (htmlError as Error)?.message ?? 'unreadable' }, { file: manifest.entryPoint }));
      errors.push(...htmlErrors);
      return fail(manifest);
    }
    const [esm, classic] = await bundling!;
    errors.push(...esbuildErrors);
    // A failed bundle has no metafile: the files its errors name were read all the same, and a watcher
    // must see them fixed (a file outside the project is watched only once a build names it).
    for (const d of esbuildErrors) if (d.file && !d.file.includes(':')) watchFiles.add(join(projectDir, d.file));
    for (const run of [esm, classic]) {
      if (!run) continue;
      warnings.push(...run.warnings);
      for (const input of Object.keys(run.metafile.inputs)) if (!input.includes(':')) watchFiles.add(join(projectDir, input));
    }
    if (errors.length) {
      await publicEntries;
      return fail(manifest);
    }

    // 4. Outputs by package path; external source maps set aside.
    const files = new Map<string, { data: Uint8Array; source: string }>();
    const sourcemaps = new Map<string, Uint8Array>();
    const outPrefix = `${OUT}/`;
    const metafile: NonNullable<BuildOutput['metafile']> = { inputs: {}, outputs: {} };
    const entryOutput: EntryOutputs = new Map();
    const sizes = new Map<string, number>();
    for (const [run, kind] of [[esm, 'esm'], [classic, 'classic']] as const) {
      if (!run) continue;
      for (const f of run.outputFiles) {
        const name = toPosix(relative(join(projectDir, OUT), f.path));
        if (name.endsWith('.map') && sourcemap === 'external') sourcemaps.set(name, f.contents);
        else files.set(name, { data: f.contents, source: name });
      }
      Object.assign(metafile.inputs, run.metafile.inputs);
      for (const [outKey, out] of Object.entries(run.metafile.outputs)) {
        const name = outKey.startsWith(outPrefix) ? outKey.slice(outPrefix.length) : outKey;
        metafile.outputs[name] = out;
        if (name.endsWith('.map')) continue;
        for (const [input, info] of Object.entries(out.inputs)) sizes.set(input, (sizes.get(input) ?? 0) + info.bytesInOutput);
        if (out.entryPoint) {
          const strip = (p?: string) => (p?.startsWith(outPrefix) ? p.slice(outPrefix.length) : p);
          const slot = entryKey(kind === 'classic' ? 'classic' : 'module', out.entryPoint);
          const prev = entryOutput.get(slot) ?? {};
          if (name.endsWith('.css')) prev.css = name;
          else {
            prev.js = name;
            if (out.cssBundle) prev.css = strip(out.cssBundle);
          }
          entryOutput.set(slot, prev);
        }
      }
    }

    // 5. Rewrite the HTML: each reference points at its hashed bundle, relative to the HTML's folder.
    const rewritten = new TextEncoder().encode(rewriteHtml(html, htmlPath, refs, entryOutput));

    // 6. public/ as is, then the HTML and manifest.json; one name rule for everything.
    const entries: { name: string; data: Uint8Array; source: string }[] = [];
    entries.push({ name: 'manifest.json', data: manifestBytes, source: 'manifest.json' });
    entries.push({ name: htmlPath, data: rewritten, source: htmlPath });
    for (const [name, f] of files) entries.push({ name, data: f.data, source: `${name} (bundle output)` });
    for (const p of await publicEntries) {
      watchFiles.add(p.absolute);
      entries.push({ name: p.name, data: p.data, source: p.source });
    }
    errors.push(...publicErrors);
    errors.push(...checkPackageEntries(entries));
    if (manifest.icon && !entries.some((e) => e.name === manifest.icon)) {
      errors.push(diagnostic('BUILD_ICON_NOT_PACKAGED', { icon: manifest.icon }, { file: 'manifest.json', pointer: '/icon' }));
    }
    if (errors.length) return fail(manifest);

    // 7. The manifest-code lint reads the code that will ship.
    const modules: ModuleSize[] = [...sizes].map(([path, bytes]) => ({ path, bytes })).sort((a, b) => b.bytes - a.bytes || (a.path < b.path ? -1 : 1));
    if (options.lint !== false) {
      const code = new Map<string, string>();
      const decoder = new TextDecoder();
      code.set(htmlPath, decoder.decode(rewritten));
      for (const [name, f] of files) if (/\.(?:js|css)$/.test(name)) code.set(name, decoder.decode(withoutInlineSourceMap(f.data)));
      const lint = lintBundle({ manifest, projectDir, code, inputs: Object.keys(metafile.inputs) });
      // Findings about manifest.json point at the line of the permission in question.
      const positions = parseJsonWithPositions(new TextDecoder().decode(manifestBytes)).positions;
      const place = (d: BuildDiagnostic): BuildDiagnostic => (d.file === 'manifest.json' && d.pointer && positions.has(d.pointer) ? { ...d, ...positions.get(d.pointer) } : d);
      errors.push(...lint.errors.map(place));
      warnings.push(...lint.warnings.map(place));
    }

    const sorted = entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return {
      ok: errors.length === 0,
      manifest,
      files: errors.length ? new Map() : new Map(sorted.map((e) => [e.name, e.data])),
      sourcemaps,
      errors,
      warnings,
      metafile,
      modules,
      watchFiles: [...watchFiles],
      durationMs: performance.now() - started,
    };
  }

  // Rebuilds run one at a time: a dev server may ask again while a build is still running.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    rebuild() {
      const next = queue.then(rebuild, rebuild);
      queue = next.catch(() => undefined);
      return next;
    },
    async dispose() {
      await queue;
      if (disposed) return;
      disposed = true;
      await disposeContexts();
    },
  };
}
