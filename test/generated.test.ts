import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../scripts/generate.mjs';

describe('generated source files (committed and checked: ARCHITECTURE.md)', () => {
  it('each committed copy is what scripts/generate.mjs makes from its source now (run `npm run generate`)', async () => {
    const files: Record<string, string> = await generatedFiles();
    expect(Object.keys(files).sort()).toEqual([
      'src/manifest/generated/manifest-validator.d.ts',
      'src/manifest/generated/manifest-validator.js',
      'src/manifest/generated/manifest.ts',
      'src/runtime/host/generated/params-validators.d.ts',
      'src/runtime/host/generated/params-validators.js',
    ]);
    for (const [path, text] of Object.entries(files)) {
      expect(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'), `${path} is out of date: run npm run generate`).toBe(text);
    }
  });
});
