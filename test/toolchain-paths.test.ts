import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url).pathname;
function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* walk(join(dir, e.name));
    else if (e.name.endsWith('.ts')) yield join(dir, e.name);
  }
}

describe('toolchain files are found through toolchainPath()', () => {
  it('no module resolves a sibling file relative to import.meta.url (it breaks inside the CLI bundle)', () => {
    // The same module runs from src/ (tests), dist/ (library) and dist/cli-bundle/chunks/ (CLI), so a
    // path relative to import.meta.url points at a different place in each. Workers, vendored bundles
    // and data files are located with toolchainPath('dist', ...) instead.
    const offenders: string[] = [];
    for (const file of walk(src)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/new URL\(\s*['"`](\.{1,2}\/[^'"`]+)['"`]\s*,\s*import\.meta\.url\s*\)/g)) {
        offenders.push(`${relative(src, file)}: ${m[1]}`);
      }
    }
    // server/assets.ts tries that path first and falls back to toolchainPath candidates.
    expect(offenders.filter((o) => !o.startsWith('server/assets.ts'))).toEqual([]);
  });
});
