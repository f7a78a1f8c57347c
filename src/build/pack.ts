import { promises as fs, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { diagnostic, MiniappError, type Diagnostic } from '../core/errors/index.js';
import { assemblePackage, type PackageEntryInput } from './assemble.js';
import { checkManifest, peekEntryPoint } from './manifest-step.js';
import { listPublicFiles } from './public.js';
import type { BuildDiagnostic, BuildOutput } from './types.js';
import { isWebAppManifest } from './web-manifest.js';

// `miniapp pack <dir>`: a folder another bundler built (Vite, webpack, Next's static export, Angular),
// plus a mini-program manifest, into the same package `build` makes, through the same checks. What it
// leaves out is listed with the reason; nothing is dropped without a word.

export interface PackOptions {
  /** The built folder (its files go into the package as they are). */
  dir: string;
  /** The mini-program manifest; default <dir>/manifest.json, or manifest.json in the current folder. */
  manifest?: string;
  cwd: string;
  renameWebManifest?: boolean;
  profile?: 'dev' | 'release';
  newestHostVersion?: string;
  lint?: boolean;
}

export interface OmittedFile {
  path: string;
  reason: string;
}

export interface PackOutput extends Omit<BuildOutput, 'metafile' | 'watchFiles'> {
  /** Files of the folder that are not in the package, and why. */
  omitted: OmittedFile[];
  /** The manifest file used. */
  manifestFile?: string;
}

/** Why a built file stays out of the package, or undefined when it goes in. */
function omissionReason(name: string): string | undefined {
  const segments = name.split('/');
  if (segments.some((s) => s.startsWith('.')))
    return segments.some((s) => s === '.vite' || s === '.next') ? "the bundler's own build metadata, which the app never loads" : 'a hidden file (tooling or editor state), not part of the app';
  if (name.endsWith('.map')) return 'a source map: kept beside the package for symbolicating crashes, not shipped to phones';
  return undefined;
}

/** The mini-program manifest: the one named, else the folder's manifest.json when it is one, else the current folder's. */
async function findManifest(o: PackOptions, dir: string): Promise<string> {
  if (o.manifest) return resolve(o.cwd, o.manifest);
  const inside = join(dir, 'manifest.json');
  const bytes = await fs.readFile(inside).catch(() => undefined);
  if (bytes && !isWebAppManifest(bytes)) return inside;
  return resolve(o.cwd, 'manifest.json');
}

function resolveDir(o: PackOptions): string {
  const dir = resolve(o.cwd, o.dir);
  try {
    if (!statSync(dir).isDirectory()) throw new MiniappError('PACK_NOT_A_DIRECTORY', { path: o.dir });
    return realpathSync(dir);
  } catch (err) {
    if (err instanceof MiniappError) throw err;
    throw new MiniappError('PATH_NOT_FOUND', { path: o.dir }, { cause: err });
  }
}

/** Packs a built folder in memory: the package content, what was left out, and every finding. */
export async function packDirectory(o: PackOptions): Promise<PackOutput> {
  const started = performance.now();
  const dir = resolveDir(o);
  const errors: BuildDiagnostic[] = [];
  const warnings: BuildDiagnostic[] = [];
  const omitted: OmittedFile[] = [];
  const sourcemaps = new Map<string, Uint8Array>();
  const fail = (manifestFile?: string, manifest?: PackOutput['manifest']): PackOutput => ({
    ok: false,
    manifest,
    files: new Map(),
    sourcemaps,
    errors,
    warnings,
    modules: [],
    omitted,
    manifestFile,
    durationMs: performance.now() - started,
  });

  const manifestFile = await findManifest(o, dir);
  const manifestBytes = await fs.readFile(manifestFile).catch((err: NodeJS.ErrnoException) => {
    errors.push(diagnostic(err.code === 'ENOENT' ? 'PACK_MANIFEST_NOT_FOUND' : 'FILE_UNREADABLE', { path: manifestFile, dir: o.dir, reason: err.message }, { file: manifestFile }));
    return undefined;
  });
  if (!manifestBytes) return fail();
  const listErrors: Diagnostic[] = [];
  const listed = await listPublicFiles(dir, listErrors, dir);
  errors.push(...listErrors);
  const entries: PackageEntryInput[] = [];
  const inside = (name: string) => join(dir, name) === manifestFile;
  for (const f of listed) {
    if (inside(f.name)) continue; // the manifest itself, written from its bytes
    const reason = omissionReason(f.name);
    const data = await fs.readFile(f.absolute);
    if (f.name.endsWith('.map') && !reason?.startsWith('a hidden')) sourcemaps.set(f.name, data);
    if (reason) omitted.push({ path: f.name, reason });
    else entries.push({ name: f.name, data, source: f.name });
  }
  const names = new Set(entries.map((e) => e.name));
  const checked = await checkManifest(manifestBytes, o, (rel) => names.has(rel) || rel === 'manifest.json', o.dir);
  errors.push(...checked.errors);
  warnings.push(...checked.warnings);
  const manifest = checked.manifest;
  const htmlPath = peekEntryPoint(manifestBytes);
  if (!manifest || !htmlPath || errors.length) return fail(manifestFile, manifest);
  const htmlEntry = entries.find((e) => e.name === htmlPath)!;
  const html = new TextDecoder().decode(htmlEntry.data);
  const assembled = assemblePackage({ manifest, manifestBytes, htmlPath, html, entries: entries.filter((e) => e !== htmlEntry), lint: o.lint, renameWebManifest: o.renameWebManifest });
  errors.push(...assembled.errors);
  warnings.push(...assembled.warnings);
  const sizes = [...assembled.files].filter(([n]) => /\.(?:m?js|css)$/.test(n)).map(([path, data]) => ({ path, bytes: data.length }));
  return {
    ok: errors.length === 0,
    manifest,
    files: errors.length ? new Map() : assembled.files,
    sourcemaps,
    errors,
    warnings,
    modules: sizes.sort((a, b) => b.bytes - a.bytes),
    omitted: omitted.sort((a, b) => (a.path < b.path ? -1 : 1)),
    manifestFile,
    durationMs: performance.now() - started,
  };
}
