import { promises as fs } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { scanTags } from '../build/index.js';
import { MiniappError } from '../core/errors/index.js';
import { checkManifestBytes } from '../manifest/check.js';
import type { Manifest } from '../manifest/types.js';
import { explainUnsafePackagePath } from '../format/paths.js';

/** What the runtime runs: a checked manifest and the app's files, in memory. */
export interface AppSource {
  manifest: Manifest;
  files: Record<string, Uint8Array>;
  kind: 'directory' | 'project' | 'package';
  root: string;
  warnings: import('../core/errors/index.js').Diagnostic[];
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.miniapp']);
const MAX_FILES = 10_000;
const SOURCE_EXT = new Set(['.ts', '.tsx', '.mts', '.jsx']);

async function readTree(root: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  let count = 0;
  async function walk(dir: string): Promise<void> {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      // Regular files only: links are not followed, so nothing outside the app is ever served.
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) await walk(join(dir, entry.name));
      } else if (entry.isFile()) {
        if (++count > MAX_FILES) throw new MiniappError('RUN_OPTION_INVALID', { option: root, reason: `has more than ${MAX_FILES} files`, fix: 'Run the package directory, not a parent folder.' });
        const full = join(dir, entry.name);
        files[relative(root, full).split(sep).join('/')] = await fs.readFile(full);
      }
    }
  }
  await walk(root);
  return files;
}

/** Local script sources the entry HTML references that need a build (TypeScript, JSX), found by the build's own HTML scanner. */
function sourceScripts(html: string): string[] {
  const found: string[] = [];
  for (const tag of scanTags(html)) {
    const src = tag.name === 'script' ? tag.attributes.find((a) => a.name === 'src')?.value : undefined;
    if (src && !/^[a-z][a-z0-9+.-]*:/i.test(src) && SOURCE_EXT.has(extname(src.split(/[?#]/)[0]!))) found.push(src);
  }
  return found;
}

/**
 * A project (its entry HTML references TypeScript/JSX sources) is built in memory by the same build
 * core as `miniapp build` (development mode: readable names, inline source maps), so what runs is
 * exactly what the package would contain.
 */
async function buildInMemory(root: string, target: string): Promise<{ manifest: Manifest; files: Record<string, Uint8Array>; warnings: AppSource['warnings'] }> {
  const { createBuildContext } = await import('../build/index.js');
  const ctx = createBuildContext({ projectDir: root, mode: 'development', lint: false });
  try {
    const out = await ctx.rebuild();
    const first = out.errors[0];
    if (!out.ok || !out.manifest || first) {
      throw new MiniappError(
        'RUN_BUILD_FAILED',
        { file: first?.file ?? target, reason: first?.message ?? 'the build failed' },
        {
          diagnostics: out.errors,
          location: first ? { file: first.file, line: first.line, column: first.column } : { file: target },
        },
      );
    }
    return { manifest: out.manifest, files: Object.fromEntries(out.files), warnings: out.warnings };
  } finally {
    await ctx.dispose();
  }
}

export interface AppSourceOptions {
  /** Public key file a .zip must be signed with; without it an unsigned (or any signed) package runs, for local work. */
  pubkey?: string;
  /** Host version for the install decision of a signed package (HOST_UPDATE_REQUIRED when too old). */
  hostVersion?: string;
}

/**
 * A .zip package goes the host's way: signature first when a key is given (over bytes nothing has
 * parsed), then the strict reader (structure, names, limits, every CRC), then the manifest rules. The
 * files are held in memory: nothing is written to disk, so no path inside the archive can land anywhere.
 */
async function loadPackageSource(root: string, target: string, cwd: string, options: AppSourceOptions): Promise<AppSource> {
  const [{ readPackage }, { checkPackageManifest }] = await Promise.all([import('../package/reader.js'), import('../package/manifest.js')]);
  const bytes = await fs.readFile(root).catch((err: Error) => {
    throw new MiniappError('FILE_UNREADABLE', { path: target, reason: err.message }, { cause: err });
  });
  if (options.pubkey) {
    const [{ trustPublicKey }, { decidePackage, refusalError }] = await Promise.all([import('../signing/keyring.js'), import('../signing/decision.js')]);
    // The install decision every command shares: the refusal keeps its own code (SIGNATURE_INVALID, ...).
    const decision = await decidePackage(bytes, { trust: await trustPublicKey(options.pubkey, cwd), hostVersion: options.hostVersion, label: target });
    if (!decision.ok) throw refusalError(decision, target);
  }
  const pkg = readPackage(bytes);
  const checked = checkPackageManifest(pkg, target, { profile: 'dev' });
  if (!checked.manifest) throw new MiniappError('RUN_MANIFEST_INVALID', { path: target, count: checked.errors.length }, { diagnostics: checked.errors });
  const files: Record<string, Uint8Array> = {};
  for (const entry of pkg.entries) if (!entry.name.endsWith('/')) files[entry.name] = await pkg.readAsync(entry);
  if (!Object.prototype.hasOwnProperty.call(files, checked.manifest.entryPoint)) {
    throw new MiniappError('RUN_ENTRY_POINT_MISSING', { entryPoint: checked.manifest.entryPoint, where: target }, { location: { file: 'manifest.json', pointer: '/entryPoint' } });
  }
  return { manifest: checked.manifest, files, kind: 'package', root, warnings: checked.warnings };
}

/** Reads what `miniapp run` and `launch` point at: a .zip package, a package directory or a project. */
export async function loadAppSource(target: string, cwd: string, options: AppSourceOptions = {}): Promise<AppSource> {
  const root = resolve(cwd, target);
  let stat;
  try {
    stat = await fs.stat(root);
  } catch (err) {
    throw new MiniappError('PATH_NOT_FOUND', { path: target }, { cause: err });
  }
  if (!stat.isDirectory()) {
    if (target.toLowerCase().endsWith('.zip')) return loadPackageSource(root, target, cwd, options);
    throw new MiniappError('RUN_OPTION_INVALID', { option: target, reason: 'is not a directory or a .zip package', fix: 'Point miniapp run at a .zip package, a project or a package directory.' });
  }
  const manifestBytes = await fs.readFile(join(root, 'manifest.json')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new MiniappError('MANIFEST_NOT_FOUND', { path: target }, { cause: err });
    throw new MiniappError('FILE_UNREADABLE', { path: join(target, 'manifest.json'), reason: err.message }, { cause: err });
  });
  const files = await readTree(root);
  const checked = checkManifestBytes(manifestBytes, { file: 'manifest.json', where: target, profile: 'dev' });
  if (!checked.manifest) {
    throw new MiniappError('RUN_MANIFEST_INVALID', { path: target, count: checked.errors.length }, { diagnostics: checked.errors });
  }
  const manifest = checked.manifest;
  if (explainUnsafePackagePath(manifest.entryPoint) || !Object.prototype.hasOwnProperty.call(files, manifest.entryPoint)) {
    throw new MiniappError('RUN_ENTRY_POINT_MISSING', { entryPoint: manifest.entryPoint, where: target }, { location: { file: 'manifest.json', pointer: '/entryPoint' } });
  }
  const html = Buffer.from(files[manifest.entryPoint]!).toString('utf8');
  // A project that builds with its own Vite (vite.config.*) is built too, whatever its entry script's extension.
  const viteProject = Object.keys(files).some((f) => /^vite\.config\.[cm]?[jt]s$/.test(f));
  if (viteProject || sourceScripts(html).length > 0) return { ...(await buildInMemory(root, target)), kind: 'project', root };
  return { manifest, files, kind: 'directory', root, warnings: checked.warnings };
}
