import { watch, type FSWatcher, type Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';

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
  /**
   * Also watches files the build read that the folder watch skips: outside the project (a shared folder
   * imported by path), or under a folder it ignores (src/.generated, public/.well-known).
   */
  add(paths: string[]): void;
  /** Resolves when every folder is watched, so no change is missed after the server says it is ready. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** Native recursive watching (FSEvents, ReadDirectoryChangesW); on Linux Node emulates it file by file. */
const NATIVE_RECURSIVE = process.platform === 'darwin' || process.platform === 'win32';

const isGone = (err: unknown) => ['ENOENT', 'ENOTDIR', 'EPERM', 'EACCES'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * Watches the whole project folder (sources, public/, manifest.json, the entry HTML), so files and
 * folders that are created, deleted or renamed are seen even before any build reads them. Every event
 * is reported at once, by path; the rebuild loop coalesces bursts and rebuilds from the files as they are.
 *
 * One OS watch per folder (inotify reports changes to the files in a watched folder), never one per file,
 * and a change costs no file-system call: a content change is reported as it comes, and only a
 * create/delete/rename is looked at (one lstat) to start or stop watching a folder. chokidar, used
 * before, re-read the whole folder (readdir and an lstat of every entry) on every event in it, which on
 * a 300-file folder delayed each rebuild by 15-20 ms on 2 cores (bench/serve.bench.mjs).
 */
/**
 * What happened at a path: `content` when a file's bytes changed; `entry` when something was created,
 * deleted or renamed there (or the OS could not say which).
 */
export type ChangeKind = 'content' | 'entry';

export async function watchProject(projectDir: string, onChange: (path: string, kind: ChangeKind) => void, onError: (error: Error) => void): Promise<ProjectWatcher> {
  const folders = new Map<string, FSWatcher>();
  /**
   * The folder each watch began on: a watch follows its folder, so when another folder takes the name
   * (git checkout, rm -rf then mkdir, a folder renamed over) the old watch must be replaced. The inode
   * alone does not tell them apart: a file system reuses a freed inode number at once.
   */
  const identities = new Map<string, string>();
  const identity = (stat: Stats) => `${stat.ino}:${stat.birthtimeMs}`;
  /** Files the build read that the tree watch skips, by their folder: a per-file watch would be lost on an editor's atomic save. */
  const outside = new Map<string, { watcher: FSWatcher; names: Set<string> }>();
  let closed = false;
  const report = (path: string, kind: ChangeKind = 'entry') => {
    if (!closed) onChange(relative(projectDir, path).split(sep).join('/') || '.', kind);
  };
  const failed = (err: unknown) => {
    if (!closed) onError(err instanceof Error ? err : new Error(String(err)));
  };

  const unwatchTree = (dir: string) => {
    for (const [path, watcher] of folders) {
      if (path === dir || path.startsWith(dir + sep)) {
        watcher.close();
        folders.delete(path);
        identities.delete(path);
      }
    }
  };

  /** Watches a folder, then lists it for subfolders (in that order, so a folder created meanwhile is not missed). */
  const watchTree = async (dir: string): Promise<void> => {
    if (closed || folders.has(dir) || isIgnoredPath(projectDir, dir)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (event, name) => onEvent(dir, event, name));
    } catch (err) {
      if (isGone(err)) return;
      return failed(err);
    }
    watcher.on('error', (err) => {
      if (folders.get(dir) === watcher) unwatchTree(dir);
      if (!isGone(err)) failed(err);
    });
    folders.set(dir, watcher);
    let entries;
    try {
      const [list, stat] = await Promise.all([readdir(dir, { withFileTypes: true }), lstat(dir)]);
      entries = list;
      if (folders.get(dir) === watcher) identities.set(dir, identity(stat));
    } catch (err) {
      if (isGone(err)) return unwatchTree(dir);
      return failed(err);
    }
    // Symbolic links are not followed: the build and the server never read through one out of the project.
    await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => watchTree(join(dir, e.name))));
  };

  /** A create, delete or rename in a folder: start watching a new folder, stop watching a gone one. */
  const settle = (path: string) => {
    lstat(path)
      .then(
        (stat) => {
          const known = identities.get(path);
          if (known !== undefined && (!stat.isDirectory() || identity(stat) !== known)) unwatchTree(path);
          if (stat.isDirectory() && !folders.has(path)) return watchTree(path);
        },
        (err: unknown) => {
          if (isGone(err)) unwatchTree(path);
          else failed(err);
        },
      )
      .catch(failed);
  };

  const onEvent = (dir: string, event: string, name: string | Buffer | null) => {
    if (closed) return;
    if (name === null) {
      // The OS dropped the detail (an overflowing queue): something in this folder changed.
      report(dir);
      settle(dir);
      return;
    }
    const path = join(dir, String(name));
    if (isIgnoredPath(projectDir, path)) return;
    report(path, event === 'change' ? 'content' : 'entry');
    if (event === 'rename' && !NATIVE_RECURSIVE) settle(path);
  };

  let ready: Promise<void>;
  if (NATIVE_RECURSIVE) {
    const watcher = watch(projectDir, { persistent: true, recursive: true }, (event, name) => onEvent(projectDir, event, name));
    watcher.on('error', failed);
    folders.set(projectDir, watcher);
    ready = Promise.resolve();
  } else {
    ready = watchTree(projectDir);
  }

  return {
    ready,
    add(paths) {
      for (const p of paths) {
        const skipped = relative(projectDir, p).startsWith('..') || isIgnoredPath(projectDir, p);
        if (!skipped || p.split(sep).includes('node_modules')) continue;
        const dir = dirname(p);
        const known = outside.get(dir);
        if (known) {
          known.names.add(basename(p));
          continue;
        }
        try {
          const names = new Set([basename(p)]);
          const forget = () => {
            watcher.close();
            if (outside.get(dir)?.watcher === watcher) outside.delete(dir);
          };
          const watcher = watch(dir, { persistent: true }, (_event, name) => {
            if (name === null) return;
            // A file the build read: any event there (an editor's atomic save is a rename) is a content change.
            if (names.has(String(name))) report(join(dir, String(name)), 'content');
            // The folder itself was deleted or moved away (the OS names it): its watch is dead or follows it,
            // so it is dropped, and the rebuild this starts watches the files again where the build finds them.
            if (String(name) === basename(dir)) {
              forget();
              report(dir);
            }
          });
          watcher.on('error', (err) => {
            forget();
            if (!isGone(err)) failed(err);
          });
          outside.set(dir, { watcher, names });
        } catch (err) {
          if (!isGone(err)) failed(err);
        }
      }
    },
    async close() {
      closed = true;
      for (const w of folders.values()) w.close();
      for (const o of outside.values()) o.watcher.close();
      folders.clear();
      outside.clear();
    },
  };
}
