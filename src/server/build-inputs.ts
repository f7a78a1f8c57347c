import { basename, dirname, extname, resolve, sep } from 'node:path';
import type { ChangeKind } from './watcher.js';

/** Settings esbuild reads while bundling that are not among a build's inputs. */
const BUILD_SETTINGS = new Set(['tsconfig.json', 'jsconfig.json', 'package.json']);

/** What an import, a stylesheet's url() or the entry HTML can name: anything else is never read by a build. */
const IMPORTABLE = new Set([
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.mts',
  '.cts',
  '.tsx',
  '.css',
  '.json',
  '.html',
  '.htm',
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.webp',
  '.avif',
  '.svg',
  '.ico',
  '.bmp',
  '.woff',
  '.woff2',
  '.ttf',
  '.otf',
  '.eot',
  '.mp3',
  '.mp4',
  '.webm',
  '.wav',
  '.ogg',
]);

export interface BuildInputs {
  /** After every build: what it read (undefined reads when it failed: it may not have got to them all). */
  update(watchFiles: readonly string[] | undefined): void;
  /** Whether a change at this project-relative path can alter the next build. */
  affects(path: string, kind: ChangeKind): boolean;
}

/**
 * Decides which saves rebuild. A file the last good build read, a folder holding one, public/ and the
 * settings esbuild reads always do; a new file does when an import could now resolve to it (an importable
 * extension in a folder the build reads modules from). Everything else (a log, a key `*.pem`, a trust
 * store `registry.json` beside manifest.json, a JUnit report, a zip) never does: written many times a
 * second, it would otherwise keep superseding rebuilds and hold back the reload of the edit that matters.
 * While the build fails, any file of an importable kind may be the missing one, so it rebuilds.
 */
export function createBuildInputs(projectDir: string): BuildInputs {
  let reads: Set<string> | undefined;
  /** Folders on the way to a file read (a folder moved or deleted takes read files with it). */
  let holders = new Set<string>();
  /** Folders the build read a module from, with whether it read a JSON file (other than manifest.json) there. */
  let moduleDirs = new Map<string, boolean>();
  const manifest = resolve(projectDir, 'manifest.json');

  const underRead = (abs: string) => {
    for (let d = dirname(abs); d.length >= projectDir.length && d !== dirname(d); d = dirname(d)) if (reads!.has(d)) return true;
    return false;
  };

  return {
    update(watchFiles) {
      reads = watchFiles ? new Set(watchFiles) : undefined;
      holders = new Set();
      moduleDirs = new Map();
      for (const f of watchFiles ?? []) {
        for (let d = dirname(f); d !== dirname(d) && !holders.has(d); d = dirname(d)) holders.add(d);
        if (f === manifest) continue;
        moduleDirs.set(dirname(f), moduleDirs.get(dirname(f)) === true || extname(f) === '.json');
      }
    },
    affects(path, kind) {
      const abs = resolve(projectDir, path);
      const ext = extname(abs).toLowerCase();
      if (BUILD_SETTINGS.has(basename(abs)) || abs === manifest) return true;
      if (!reads) return IMPORTABLE.has(ext) || ext === '' || abs.startsWith(resolve(projectDir, 'public') + sep);
      if (reads.has(abs) || holders.has(abs) || underRead(abs)) return true;
      if (kind !== 'entry' || !IMPORTABLE.has(ext)) return false;
      const dir = moduleDirs.get(dirname(abs));
      return dir !== undefined && (ext !== '.json' || dir);
    },
  };
}
