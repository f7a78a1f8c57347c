import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The toolchain's install directory (the one with miniapp's package.json, schema/ and templates/).
 * Found by walking up from this module, because the same code runs from src/ (tests), dist/ (library)
 * and the bundled CLI in dist/cli-bundle/, at different depths.
 */
export function toolchainRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'miniapp') return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the miniapp package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** A path inside the toolchain's install directory, e.g. toolchainPath('schema', 'manifest.schema.json'). */
export const toolchainPath = (...parts: string[]) => join(toolchainRoot(), ...parts);
