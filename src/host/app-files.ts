import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Reads an installed app's files (regular files only, links not followed) as base64, to hand to its
 * sandbox: the sandbox itself never gets read access to the apps directory.
 */
export async function readAppFiles(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[relative(dir, full).split(sep).join('/')] = (await fs.readFile(full)).toString('base64');
  }
  return files;
}
