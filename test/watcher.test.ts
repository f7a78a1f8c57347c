import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchProject, type ProjectWatcher } from '../src/server/watcher.js';
import { until } from './helpers/serve-fixture.js';
import { tempDir } from './helpers/temp.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function watched(layout: Record<string, string> = {}) {
  const dir = tempDir('watch');
  for (const [name, text] of Object.entries(layout)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const changes: string[] = [];
  const errors: Error[] = [];
  const watcher: ProjectWatcher = await watchProject(
    dir,
    (p) => changes.push(p),
    (e) => errors.push(e),
  );
  await watcher.ready;
  cleanup.push(
    () => rmSync(dir, { recursive: true, force: true }),
    () => watcher.close(),
  );
  const seen = (path: string) => until(() => changes.includes(path), 5000, `a change of ${path}`);
  return { dir, changes, errors, watcher, seen };
}

describe('project watcher', () => {
  it('reports saves in nested folders by project-relative path', async () => {
    const { dir, seen, errors } = await watched({ 'manifest.json': '{}', 'src/a/b/deep.js': '1' });
    writeFileSync(join(dir, 'src/a/b/deep.js'), '2');
    await seen('src/a/b/deep.js');
    writeFileSync(join(dir, 'manifest.json'), '{"x":1}');
    await seen('manifest.json');
    expect(errors).toEqual([]);
  });

  it('watches folders created after start, and folders renamed into place, at any depth', async () => {
    const { dir, seen, changes } = await watched({ 'src/main.js': '1' });
    mkdirSync(join(dir, 'src/new/inner'), { recursive: true });
    await seen('src/new');
    // The inner folder may have been made before the new folder was watched: it is found by listing.
    await until(
      async () => {
        writeFileSync(join(dir, 'src/new/inner/x.js'), String(Math.random()));
        return changes.includes('src/new/inner/x.js');
      },
      5000,
      'a change inside a new nested folder',
    );
    renameSync(join(dir, 'src/new'), join(dir, 'src/moved'));
    await seen('src/moved');
    await until(
      async () => {
        writeFileSync(join(dir, 'src/moved/inner/y.js'), String(Math.random()));
        return changes.includes('src/moved/inner/y.js');
      },
      5000,
      'a change inside a renamed folder',
    );
  });

  it('reports deleted files and folders and ignores dependencies, VCS and editor temp files', async () => {
    const { dir, seen, changes } = await watched({ 'src/gone/x.js': '1', 'src/keep.js': '1', 'node_modules/dep/index.js': '1', '.git/HEAD': 'x' });
    rmSync(join(dir, 'src/gone'), { recursive: true });
    await seen('src/gone');
    writeFileSync(join(dir, 'node_modules/dep/index.js'), '2');
    writeFileSync(join(dir, '.git/HEAD'), 'y');
    writeFileSync(join(dir, 'src/keep.js~'), 'backup');
    writeFileSync(join(dir, 'src/keep.js'), '2');
    await seen('src/keep.js');
    expect(changes.filter((c) => c.includes('node_modules') || c.startsWith('.git') || c.endsWith('~'))).toEqual([]);
  });

  it('watches files the build read outside the project, and stops everything on close', async () => {
    const shared = tempDir('watch-shared');
    cleanup.push(() => rmSync(shared, { recursive: true, force: true }));
    writeFileSync(join(shared, 'lib.js'), '1');
    writeFileSync(join(shared, 'other.js'), '1');
    const { dir, watcher, changes } = await watched({ 'src/main.js': '1' });
    watcher.add([join(shared, 'lib.js')]);
    writeFileSync(join(shared, 'other.js'), '2');
    writeFileSync(join(shared, 'lib.js'), '2');
    await until(() => changes.some((c) => c.endsWith('/lib.js') && c.startsWith('..')), 5000, 'a change outside the project');
    expect(changes.filter((c) => c.endsWith('other.js'))).toEqual([]);
    await watcher.close();
    const before = changes.length;
    writeFileSync(join(dir, 'src/main.js'), '2');
    await new Promise((r) => setTimeout(r, 200));
    expect(changes.length).toBe(before);
  });
});
