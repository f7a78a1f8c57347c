import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';

export interface PublicFile {
  /** Package path (relative to public/, forward slashes). */
  name: string;
  /** Project-relative source path, for messages. */
  source: string;
  absolute: string;
}

// Desktop metadata that differs between machines: copying it would break reproducibility.
const IGNORED = new Set(['.DS_Store', 'Thumbs.db', 'desktop.ini']);

/**
 * Lists public/ (copied into the package as is), or another folder given as `root` (Vite's publicDir, a
 * folder `miniapp pack` packages). Symlinks are refused with the file named: a package holds files only,
 * and following a link could pull in anything on the build machine.
 */
export async function listPublicFiles(projectDir: string, errors: Diagnostic[], root = join(projectDir, 'public')): Promise<PublicFile[]> {
  const label = relative(projectDir, root).split(sep).join('/');
  const out: PublicFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && dir === root) return;
      const where = label ? `${label}/${prefix}` : prefix || '.';
      errors.push(diagnostic('FILE_UNREADABLE', { path: where, reason: (err as Error).message }, { file: where }));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const name = prefix + e.name;
      const source = label ? `${label}/${name}` : name;
      if (IGNORED.has(e.name)) continue;
      if (e.isSymbolicLink()) errors.push(diagnostic('BUILD_SYMLINK', { name: source }, { file: source }));
      else if (e.isDirectory()) await walk(join(dir, e.name), `${name}/`);
      else if (e.isFile()) out.push({ name, source, absolute: join(dir, e.name) });
      else errors.push(diagnostic('BUILD_SPECIAL_FILE', { name: source }, { file: source }));
    }
  };
  await walk(root, '');
  return out;
}

/** Lists public/ and reads every file, in listing order. */
export async function readPublicFiles(projectDir: string, errors: Diagnostic[]): Promise<(PublicFile & { data: Uint8Array })[]> {
  const files = await listPublicFiles(projectDir, errors);
  const read = await Promise.all(
    files.map(async (f): Promise<(PublicFile & { data: Uint8Array }) | undefined> => {
      try {
        return { ...f, data: await fs.readFile(f.absolute) };
      } catch (err) {
        errors.push(diagnostic('FILE_UNREADABLE', { path: f.source, reason: (err as Error).message }, { file: f.source }));
        return undefined;
      }
    }),
  );
  return read.filter((f): f is PublicFile & { data: Uint8Array } => f !== undefined);
}
