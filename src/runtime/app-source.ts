import { promises as fs } from 'node:fs';
import { extname, join, posix, relative, resolve, sep } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { checkManifestBytes } from '../manifest/check.js';
import type { Manifest } from '../manifest/types.js';
import { explainUnsafePackagePath } from '../package/paths.js';

/** What the runtime runs: a checked manifest and the app's files, in memory. */
export interface AppSource {
  manifest: Manifest;
  files: Record<string, Uint8Array>;
  kind: 'directory' | 'project';
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

/** Local script sources the entry HTML references that need a build (TypeScript, JSX). */
function sourceScripts(html: string): string[] {
  const found: string[] = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["'][^>]*>/gi)) {
    const src = m[1]!;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(src) && SOURCE_EXT.has(extname(src.split(/[?#]/)[0]!))) found.push(src);
  }
  return found;
}

/**
 * Builds the TypeScript/JSX scripts the entry HTML references, in memory, and points the HTML at the
 * output. (The build command's createBuildContext will take over this step once it lands.)
 */
async function buildInMemory(root: string, manifest: Manifest, files: Record<string, Uint8Array>, html: string, scripts: string[]): Promise<void> {
  const esbuild = await import('esbuild');
  const entryDir = posix.dirname(manifest.entryPoint);
  let rewritten = html;
  for (const [i, src] of scripts.entries()) {
    const rel = posix.normalize(posix.join(entryDir, src.startsWith('/') ? src.slice(1) : src));
    let result;
    try {
      result = await esbuild.build({
        entryPoints: [join(root, rel)],
        bundle: true,
        write: false,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        logLevel: 'silent',
        absWorkingDir: root,
      });
    } catch (err) {
      const first = (err as { errors?: Array<{ text: string; location?: { file: string; line: number; column: number } }> }).errors?.[0];
      throw new MiniappError('RUN_BUILD_FAILED', { file: rel, reason: first ? first.text : (err as Error).message }, {
        cause: err,
        location: first?.location ? { file: first.location.file, line: first.location.line, column: first.location.column + 1 } : { file: rel },
      });
    }
    const out = `__miniapp_build/${i}-${posix.basename(rel).replace(/\.[^.]+$/, '')}.js`;
    files[out] = result.outputFiles[0]!.contents;
    const outRel = posix.relative(entryDir, out);
    rewritten = rewritten.replace(new RegExp(`(<script\\b[^>]*\\bsrc\\s*=\\s*["'])${src.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(["'])`), `$1${outRel}$2`);
  }
  files[manifest.entryPoint] = Buffer.from(rewritten);
}

/** Reads what `miniapp run` and `launch` point at: a package directory or a project. */
export async function loadAppSource(target: string, cwd: string): Promise<AppSource> {
  const root = resolve(cwd, target);
  let stat;
  try {
    stat = await fs.stat(root);
  } catch (err) {
    throw new MiniappError('PATH_NOT_FOUND', { path: target }, { cause: err });
  }
  if (!stat.isDirectory()) {
    if (target.toLowerCase().endsWith('.zip')) throw new MiniappError('RUN_ZIP_UNSUPPORTED', { path: target });
    throw new MiniappError('RUN_OPTION_INVALID', { option: target, reason: 'is not a directory', fix: 'Point miniapp run at a project or package directory.' });
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
  const scripts = sourceScripts(html);
  if (scripts.length > 0) await buildInMemory(root, manifest, files, html, scripts);
  return { manifest, files, kind: scripts.length > 0 ? 'project' : 'directory', root, warnings: checked.warnings };
}
