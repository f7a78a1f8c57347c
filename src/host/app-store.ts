import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../core/fs/atomic.js';

/**
 * Where a host keeps installed mini-programs:
 *   <appsDir>/<id>/versions/<version>/   the extracted package (0700 directories, 0600 files)
 *   <appsDir>/<id>/state.json           which version is active, the previous one (for rollback) and a
 *                                       staged update waiting for the next launch
 */
export interface AppState {
  id: string;
  active?: string;
  previous?: string;
  /** A verified and extracted update, activated on the next launch. */
  staged?: string;
  /** True until the active version has launched once without crashing (a crash then rolls back). */
  firstLaunchPending?: boolean;
  /** A version that failed its first launch and was rolled back: never staged again. */
  failed?: string;
}

export const appDir = (appsDir: string, id: string) => join(appsDir, id);
export const versionDir = (appsDir: string, id: string, version: string) => join(appsDir, id, 'versions', version);

export async function readAppState(appsDir: string, id: string): Promise<AppState | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(join(appDir(appsDir, id), 'state.json'), 'utf8')) as AppState;
    return value.id === id ? value : undefined;
  } catch {
    return undefined;
  }
}

export async function writeAppState(appsDir: string, state: AppState): Promise<void> {
  await fs.mkdir(appDir(appsDir, state.id), { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(appDir(appsDir, state.id), 'state.json'), JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
}

export async function versionInstalled(appsDir: string, id: string, version: string): Promise<boolean> {
  try {
    return (await fs.stat(join(versionDir(appsDir, id, version), 'manifest.json'))).isFile();
  } catch {
    return false;
  }
}

/** Removes version directories that are neither active, previous nor staged. */
export async function pruneVersions(appsDir: string, state: AppState): Promise<void> {
  const keep = new Set([state.active, state.previous, state.staged].filter(Boolean));
  let names: string[] = [];
  try {
    names = await fs.readdir(join(appDir(appsDir, state.id), 'versions'));
  } catch {
    return;
  }
  for (const name of names) if (!keep.has(name)) await fs.rm(versionDir(appsDir, state.id, name), { recursive: true, force: true });
}
