import { defineConfig } from 'vitest/config';

/**
 * Three projects. `unit` imports src/ directly and needs no build: `npm run test:unit` (or
 * `npm run test:watch`) after an edit. `cli` needs dist/ (the built binary, the sandbox's bundles,
 * the workers): `npm test` builds first. `browser` drives Chromium against the dev server.
 * A new test file is a unit test unless it matches a pattern below.
 */
const needsBuild = [
  'test/**/*.cli.test.ts',
  'test/cli.test.ts',
  'test/conformance.test.ts',
  'test/host-*.test.ts',
  'test/package-reader.test.ts',
  // the built binary, the sandbox and happy-dom as miniapp bundles it (with its patches)
  'test/runtime-verdicts.test.ts',
  'test/verdicts.test.ts',
  'test/sandbox.test.ts',
  'test/templates.test.ts',
  'test/test-vectors.test.ts',
];
const browser = ['test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: CLI tests spawn processes, so keep the worker count small.
    maxWorkers: 2,
    setupFiles: ['test/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...needsBuild, ...browser] } },
      { extends: true, test: { name: 'cli', include: needsBuild } },
      { extends: true, test: { name: 'browser', include: browser } },
    ],
  },
});
