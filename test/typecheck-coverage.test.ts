import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm run typecheck` checks scripts/ and bench/ file by file (tsconfig.scripts.json: a plain .mjs opts in
// with `// @ts-check`, so the dist/ files a bench imports are not checked with it). No file may stay out.
const root = new URL('..', import.meta.url).pathname;
function* mjs(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* mjs(join(dir, e.name));
    else if (e.name.endsWith('.mjs')) yield join(dir, e.name);
  }
}

describe('typecheck covers every script and benchmark', () => {
  it('every .mjs in scripts/ and bench/ opens with // @ts-check', () => {
    const files = [...mjs(join(root, 'scripts')), ...mjs(join(root, 'bench'))];
    expect(files.length).toBeGreaterThan(15);
    const unchecked = files.filter((f) => !/^(#!.*\n)?\/\/ @ts-check\b/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(unchecked).toEqual([]);
  });
});
