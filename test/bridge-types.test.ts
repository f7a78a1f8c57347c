import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('TypeScript types derived from the catalogue', () => {
  it('type MiniAppBridge.call end to end: right calls compile, wrong ones are errors (@ts-expect-error)', () => {
    // An unused @ts-expect-error is itself an error, so this fails if a wrong call stops being refused.
    expect(() => execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}test/fixtures/types/tsconfig.json`], { stdio: 'pipe' })).not.toThrow();
  });
});
