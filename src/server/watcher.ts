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
 * What happened at a path: `content` when a file's bytes changed; `entry` when something was created,
 * deleted or renamed there (or the OS could not say which).
 */
export type ChangeKind = 'content' | 'entry';

/** The watches of one project, shared by the tree watch, the watch of files outside it and close(). */
interface WatchState {
  readonly projectDir: string;
  /** One OS watch per folder of the project (one for the whole project where watching is natively recursive). */
  readonly folders: Map<string, FSWatcher>;
  /**
   * The folder each watch began on: a watch follows its folder, so when another folder takes the name
   * (git checkout, rm -rf then mkdir, a folder renamed over) the old watch must be replaced. The inode
   * alone does not tell them apart: a file system reuses a freed inode number at once.
   */
  readonly identities: Map<string, string>;
  /** Files the build read that the tree watch skips, by their folder: a per-file watch would be lost on an editor's atomic save. */
  readonly outside: Map<string, { watcher: FSWatcher; names: Set<string> }>;
  closed: boolean;
  /** Reports a change by project-relative path (nothing once closed). */
  report(path: string, kind?: ChangeKind): void;
  failed(err: unknown): void;
}

const identity = (stat: Stats) => `${stat.ino}:${stat.birthtimeMs}`;

function unwatchTree(state: WatchState, dir: string): void {
  for (const [path, watcher] of state.folders) {
    if (path === dir || path.startsWith(dir + sep)) {
      watcher.close();
      state.folders.delete(path);
      state.identities.delete(path);
    }
  }
}

/** Watches a folder, then lists it for subfolders (in that order, so a folder created meanwhile is not missed). */
async function watchTree(state: WatchState, dir: string): Promise<void> {
  if (state.closed || state.folders.has(dir) || isIgnoredPath(state.projectDir, dir)) return;
  let watcher: FSWatcher;
  try {
    watcher = watch(dir, { persistent: true }, (event, name) => onFolderEvent(state, dir, event, name));
  } catch (err) {
    if (isGone(err)) return;
    return state.failed(err);
  }
  watcher.on('error', (err) => {
    if (state.folders.get(dir) === watcher) unwatchTree(state, dir);
    if (!isGone(err)) state.failed(err);
  });
  state.folders.set(dir, watcher);
  let entries;
  try {
    const [list, stat] = await Promise.all([readdir(dir, { withFileTypes: true }), lstat(dir)]);
    entries = list;
    if (state.folders.get(dir) === watcher) state.identities.set(dir, identity(stat));
  } catch (err) {
    if (isGone(err)) return unwatchTree(state, dir);
    return state.failed(err);
  }
  // Symbolic links are not followed: the build and the server never read through one out of the project.
  await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => watchTree(state, join(dir, e.name))));
}

/** A create, delete or rename in a folder: start watching a new folder, stop watching a gone one. */
function settle(state: WatchState, path: string): void {
  lstat(path)
    .then(
      (stat) => {
        const known = state.identities.get(path);
        if (known !== undefined && (!stat.isDirectory() || identity(stat) !== known)) unwatchTree(state, path);
        if (stat.isDirectory() && !state.folders.has(path)) return watchTree(state, path);
      },
      (err: unknown) => {
        if (isGone(err)) unwatchTree(state, path);
        else state.failed(err);
      },
    )
    .catch(state.failed);
}

/** One event of a folder's watch: reported at once (no file-system call), a folder entry settled after. */
function onFolderEvent(state: WatchState, dir: string, event: string, name: string | Buffer | null): void {
  if (state.closed) return;
  if (name === null) {
    // The OS dropped the detail (an overflowing queue): something in this folder changed.
    state.report(dir);
    settle(state, dir);
    return;
  }
  const path = join(dir, String(name));
  if (isIgnoredPath(state.projectDir, path)) return;
  state.report(path, event === 'change' ? 'content' : 'entry');
  if (event === 'rename' && !NATIVE_RECURSIVE) settle(state, path);
}

/** Watches one file the build read that the tree watch skips, through a watch of its folder. */
function watchOutside(state: WatchState, p: string): void {
  const skipped = relative(state.projectDir, p).startsWith('..') || isIgnoredPath(state.projectDir, p);
  if (!skipped || p.split(sep).includes('node_modules')) return;
  const dir = dirname(p);
  const known = state.outside.get(dir);
  if (known) return void known.names.add(basename(p));
  try {
    const names = new Set([basename(p)]);
    const forget = () => {
      watcher.close();
      if (state.outside.get(dir)?.watcher === watcher) state.outside.delete(dir);
    };
    const watcher = watch(dir, { persistent: true }, (_event, name) => {
      if (name === null) return;
      // A file the build read: any event there (an editor's atomic save is a rename) is a content change.
      if (names.has(String(name))) state.report(join(dir, String(name)), 'content');
      // The folder itself was deleted or moved away (the OS names it): its watch is dead or follows it,
      // so it is dropped, and the rebuild this starts watches the files again where the build finds them.
      if (String(name) === basename(dir)) {
        forget();
        state.report(dir);
      }
    });
    watcher.on('error', (err) => {
      forget();
      if (!isGone(err)) state.failed(err);
    });
    state.outside.set(dir, { watcher, names });
  } catch (err) {
    if (!isGone(err)) state.failed(err);
  }
}

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
export async function watchProject(projectDir: string, onChange: (path: string, kind: ChangeKind) => void, onError: (error: Error) => void): Promise<ProjectWatcher> {
  const state: WatchState = {
    projectDir,
    folders: new Map(),
    identities: new Map(),
    outside: new Map(),
    closed: false,
    report: (path, kind = 'entry') => {
      if (!state.closed) onChange(relative(projectDir, path).split(sep).join('/') || '.', kind);
    },
    failed: (err) => {
      if (!state.closed) onError(err instanceof Error ? err : new Error(String(err)));
    },
  };

  let ready: Promise<void>;
  if (NATIVE_RECURSIVE) {
    const watcher = watch(projectDir, { persistent: true, recursive: true }, (event, name) => onFolderEvent(state, projectDir, event, name));
    watcher.on('error', state.failed);
    state.folders.set(projectDir, watcher);
    ready = Promise.resolve();
  } else {
    ready = watchTree(state, projectDir);
  }

  return {
    ready,
    add(paths) {
      for (const p of paths) watchOutside(state, p);
    },
    async close() {
      state.closed = true;
      for (const w of state.folders.values()) w.close();
      for (const o of state.outside.values()) o.watcher.close();
      state.folders.clear();
      state.outside.clear();
    },
  };
}
