import type { BuildContext as EsbuildContext, BuildFailure, BuildOptions as EsbuildOptions, Metafile, OutputFile } from 'esbuild';
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import { checkManifestBytes } from '../manifest/check.js';
import type { Manifest } from '../manifest/types.js';
import { checkPackageEntries } from '../package/writer.js';
import { fromEsbuildMessage } from './diagnostics.js';
import { applyEdits, attr, escapeAttribute, isExternalUrl, isStylesheetLink, lineColumn, scanTags, scriptKind, type HtmlEdit, type HtmlTag } from './html.js';
import { lintBundle } from './lint.js';
import { listPublicFiles } from './public.js';
import { DEFAULT_TARGET, type BuildContext, type BuildContextOptions, type BuildDiagnostic, type BuildOutput, type ModuleSize, type SourcemapMode } from './types.js';

/** A directory name esbuild resolves output paths against; nothing is ever written there (write: false). */
const OUT = '.miniapp-out';

/** Files other than scripts and styles that code may import or CSS may url(): emitted with hashed names. */
const ASSET_LOADERS: EsbuildOptions['loader'] = Object.fromEntries(
  ['png', 'jpg', 'jpeg', 'gif', 'webp', 'avif', 'svg', 'ico', 'bmp', 'woff', 'woff2', 'ttf', 'otf', 'eot', 'mp3', 'mp4', 'webm', 'wav', 'ogg'].map((ext) => [`.${ext}`, 'file' as const]),
);

interface EntryRef {
  tag: HtmlTag;
  /** The attribute holding the URL (src or href). */
  attribute: 'src' | 'href';
  kind: 'module' | 'classic' | 'style';
  /** Project-relative source path, forward slashes. */
  input: string;
}

const toPosix = (p: string) => p.split(sep).join('/');

/** Resolves a URL from the HTML to a project file: "/x" from the project root, "x" from the HTML's folder. */
function resolveReference(projectDir: string, htmlPath: string, url: string): string | undefined {
  const clean = decodeURIComponentSafe(url.trim().replace(/[?#].*$/, ''));
  if (!clean) return undefined;
  const abs = clean.startsWith('/') ? join(projectDir, clean) : resolve(dirname(join(projectDir, htmlPath)), clean);
  const rel = relative(projectDir, abs);
  if (rel.startsWith('..') || resolve(projectDir, rel) !== abs) return undefined;
  return toPosix(rel);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Finds the scripts and stylesheets the entry HTML references; reports missing or outside files at their tag. */
function findEntries(projectDir: string, htmlPath: string, html: string, errors: Diagnostic[]): EntryRef[] {
  const refs: EntryRef[] = [];
  for (const tag of scanTags(html)) {
    let attribute: 'src' | 'href';
    let kind: EntryRef['kind'];
    if (tag.name === 'script') {
      const k = scriptKind(tag);
      if (k === 'other' || !attr(tag, 'src')) continue;
      attribute = 'src';
      kind = k;
    } else if (tag.name === 'link' && isStylesheetLink(tag) && attr(tag, 'href')) {
      attribute = 'href';
      kind = 'style';
    } else continue;
    const a = attr(tag, attribute)!;
    if (isExternalUrl(a.value)) continue;
    const where = { file: htmlPath, ...lineColumn(html, a.valueStart ?? tag.start) };
    const input = resolveReference(projectDir, htmlPath, a.value);
    if (!input) {
      errors.push(diagnostic('BUILD_HTML_REFERENCE_OUTSIDE', { url: a.value }, where));
      continue;
    }
    if (!existsSync(join(projectDir, input))) {
      errors.push(diagnostic('BUILD_HTML_REFERENCE_MISSING', { url: a.value, path: input }, where));
      continue;
    }
    refs.push({ tag, attribute, kind, input });
  }
  return refs;
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
  const projectDir = realpathSync(resolve(options.projectDir));
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
    platform: 'browser',
    sourcemap: sourcemap === 'none' ? false : sourcemap === 'linked' ? 'linked' : sourcemap,
    loader: ASSET_LOADERS,
    define: { 'process.env.NODE_ENV': JSON.stringify(mode), ...options.define },
    logLevel: 'silent',
  });

  async function ensureContexts(refs: EntryRef[]): Promise<NonNullable<typeof contexts>> {
    const esmInputs = [...new Set(refs.filter((r) => r.kind !== 'classic').map((r) => r.input))].sort();
    const classicInputs = [...new Set(refs.filter((r) => r.kind === 'classic').map((r) => r.input))].sort();
    const key = JSON.stringify([esmInputs, classicInputs]);
    if (contexts?.key === key) return contexts;
    await disposeContexts();
    const esbuild = await import('esbuild');
    const next: NonNullable<typeof contexts> = { key };
    if (esmInputs.length) next.esm = await esbuild.context({ ...esbuildOptions(), entryPoints: esmInputs, format: 'esm', splitting: true });
    if (classicInputs.length) next.classic = await esbuild.context({ ...esbuildOptions(), entryPoints: classicInputs, format: 'iife' });
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

  async function rebuild(): Promise<BuildOutput> {
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
    if (disposed) throw new Error('this build context has been disposed');

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
    const checked = checkManifestBytes(manifestBytes, {
      file: 'manifest.json',
      profile: options.profile ?? 'dev',
      newestHostVersion: options.newestHostVersion,
      fileExists: (rel) => existsSync(join(projectDir, rel)) || existsSync(join(projectDir, 'public', rel)),
      where: 'the project',
    });
    errors.push(...checked.errors);
    warnings.push(...checked.warnings);
    const manifest = checked.manifest;
    if (!manifest) return fail();

    // 2. The entry HTML and what it references.
    const htmlPath = manifest.entryPoint;
    watchFiles.add(join(projectDir, htmlPath));
    let html: string;
    try {
      html = await fs.readFile(join(projectDir, htmlPath), 'utf8');
    } catch (err) {
      errors.push(diagnostic('FILE_UNREADABLE', { path: htmlPath, reason: (err as Error).message }, { file: htmlPath }));
      return fail(manifest);
    }
    const refs = findEntries(projectDir, htmlPath, html, errors);
    if (errors.length) return fail(manifest);

    // 3. Bundle (module scripts and stylesheets as ESM with code splitting; classic scripts as IIFE).
    const ctxs = await ensureContexts(refs);
    const [esm, classic] = await Promise.all([runEsbuild(ctxs.esm, errors), runEsbuild(ctxs.classic, errors)]);
    for (const run of [esm, classic]) {
      if (!run) continue;
      warnings.push(...run.warnings);
      for (const input of Object.keys(run.metafile.inputs)) if (!input.includes(':')) watchFiles.add(join(projectDir, input));
    }
    if (errors.length) return fail(manifest);

    // 4. Outputs by package path; external source maps set aside.
    const files = new Map<string, { data: Uint8Array; source: string }>();
    const sourcemaps = new Map<string, Uint8Array>();
    const outPrefix = `${OUT}/`;
    const metafile: NonNullable<BuildOutput['metafile']> = { inputs: {}, outputs: {} };
    const entryOutput = new Map<string, { js?: string; css?: string }>(); // key: kind + input
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
          const slot = `${kind === 'classic' ? 'classic' : 'esm'}:${out.entryPoint}`;
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
    const htmlDir = posix.dirname(htmlPath);
    const href = (pkgPath: string) => (htmlDir === '.' ? pkgPath : posix.relative(htmlDir, pkgPath));
    const edits: HtmlEdit[] = [];
    for (const ref of refs) {
      const out = entryOutput.get(`${ref.kind === 'classic' ? 'classic' : 'esm'}:${ref.input}`);
      const a = attr(ref.tag, ref.attribute)!;
      const built = ref.kind === 'style' ? out?.css : out?.js;
      if (!built) {
        // An entry that bundles to nothing (an empty stylesheet): drop the tag rather than point at a missing file.
        edits.push({ start: ref.tag.start, end: ref.tag.end, text: '' });
        continue;
      }
      edits.push({ start: a.valueStart!, end: a.valueEnd!, text: escapeAttribute(href(built)) });
      if (ref.kind !== 'style' && out?.css) {
        // CSS imported from a script becomes its own file: link it before the script.
        edits.push({ start: ref.tag.start, end: ref.tag.start, text: `<link rel="stylesheet" href="${escapeAttribute(href(out.css))}">` });
      }
    }
    const rewritten = new TextEncoder().encode(applyEdits(html, edits));

    // 6. public/ as is, then the HTML and manifest.json; one name rule for everything.
    const publicFiles = await listPublicFiles(projectDir, errors);
    const entries: { name: string; data: Uint8Array; source: string }[] = [];
    entries.push({ name: 'manifest.json', data: manifestBytes, source: 'manifest.json' });
    entries.push({ name: htmlPath, data: rewritten, source: htmlPath });
    for (const [name, f] of files) entries.push({ name, data: f.data, source: `${name} (bundle output)` });
    await Promise.all(
      publicFiles.map(async (p) => {
        watchFiles.add(p.absolute);
        entries.push({ name: p.name, data: await fs.readFile(p.absolute), source: p.source });
      }),
    );
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
      for (const [name, f] of files) if (/\.(?:js|css)$/.test(name)) code.set(name, decoder.decode(f.data));
      const lint = lintBundle({ manifest, projectDir, code, inputs: Object.keys(metafile.inputs) });
      errors.push(...lint.errors);
      warnings.push(...lint.warnings);
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

  return {
    rebuild,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await disposeContexts();
    },
  };
}
