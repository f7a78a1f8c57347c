import { basename, join, relative, sep } from 'node:path';

/** Folders that never hold the app's sources (dependencies, outputs, VCS, editors' state). */
const IGNORED_DIRS = new Set(['node_modules', '.git', 'dist', '.miniapp-out', '.cache', 'coverage']);

/** Editors' temporary and backup files: saving through them must not trigger a second rebuild. */
const EDITOR_TEMP = /(?:~|\.swp|\.swx|\.swo|\.tmp|\.bak|#)$|^\.#|^#/;

/** True for paths under the project that a change to can never affect the build. */
export function isIgnoredPath(projectDir: string, path: string): boolean {
  const rel = relative(projectDir, path);
  if (rel === '' || rel.startsWith('..')) return false;
  const parts = rel.split(sep);
  const name = parts[parts.length - 1]!;
  if (parts.some((p) => IGNORED_DIRS.has(p))) return true;
  if (parts.slice(0, -1).some((p) => p.startsWith('.'))) return true;
  if (name === '.DS_Store' || EDITOR_TEMP.test(name)) return true;
  return false;
}

export interface ProjectWatcher {
  /** Also watches files the build read outside the project (a shared folder imported by path). */
  add(paths: string[]): void;
  /** Resolves when the initial scan is done, so no change is missed after the server says it is ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Watches the whole project folder (sources, public/, manifest.json, the entry HTML), so files and
 * folders that are created, deleted or renamed are seen even before any build reads them.
 */
export async function watchProject(projectDir: string, onChange: (path: string) => void, onError: (error: Error) => void): Promise<ProjectWatcher> {
  const { watch } = await import('chokidar');
  const watcher = watch(projectDir, {
    ignoreInitial: true,
    // A save should be seen at once: the rebuild loop already coalesces bursts.
    awaitWriteFinish: false,
    ignored: (path: string) => isIgnoredPath(projectDir, path),
  });
  const watched = new Set<string>();
  const emit = (path: string) => onChange(relative(projectDir, path).split(sep).join('/') || '.');
  for (const event of ['add', 'unlink', 'addDir', 'unlinkDir'] as const) watcher.on(event, emit);
  // Changes come from the raw fs events, not chokidar's "change": chokidar drops a second change of the
  // same file within 50 ms (a throttle with no trailing event), so a quick second save would leave a
  // stale build, and it reports a change only after a stat, late enough to start a second rebuild.
  watcher.on('raw', (event: string, name: string, details: unknown) => {
    const watchedPath = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (event !== 'change' || !name || typeof watchedPath !== 'string') return;
    const path = basename(watchedPath) === name ? watchedPath : join(watchedPath, name);
    if (!isIgnoredPath(projectDir, path)) emit(path);
  });
  watcher.on('error', (e) => onError(e instanceof Error ? e : new Error(String(e))));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  let closed: Promise<void> | undefined;
  return {
    ready,
    add(paths) {
      const outside = paths.filter((p) => relative(projectDir, p).startsWith('..') && !p.split(sep).includes('node_modules') && !watched.has(p));
      for (const p of outside) watched.add(p);
      if (outside.length) watcher.add(outside);
    },
    close() {
      closed ??= watcher.close();
      return closed;
    },
  };
}
