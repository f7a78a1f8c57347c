import { defineConfig } from 'vitest/config';

/**
 * Three projects. `unit` imports src/ directly, needs no build and runs in seconds: `npm run
 * test:unit` (or `npm run test:watch`) after an edit. `cli` needs dist/ (the built binary, the
 * sandbox's bundles, the workers) or is slow by design (stress, real jails, a database server):
 * `npm test` builds first and runs all three. `browser` drives Chromium against the dev server.
 * A new test file is a unit test unless it matches a pattern below; one that takes more than a
 * couple of seconds belongs in `slow`.
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
  'test/registry.conformance.test.ts', // the registry runs conformance in the built sandbox
  'test/sandbox.test.ts',
  'test/templates.test.ts',
  'test/test-vectors.test.ts',
];
/** No build needed, but seconds each: they belong with the slow half. */
const slow = [
  'test/serve.robustness.test.ts', // bursts of saves and 1,000-save memory runs against a live server
  'test/serve.hostile.test.ts', // hostile pages flooding the dev server's sockets
  'test/serve.idle-sockets.test.ts', // silent sockets holding the client slots past the 3 s hello deadline
  'test/runtime-testing-api.test.ts', // 100,000-call apps, hangs and idle deadlines
  'test/os-sandbox-escapes.test.ts', // real bubblewrap jails, cgroup ceilings
  'test/registry.test.ts', // a host manager updating and rolling back through a live registry
  'test/registry.postgres.test.ts', // a PostgreSQL server, stopped mid-request
  'test/registry.operations.test.ts', // graceful shutdown with an upload in flight, slow clients
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
      // isolate: false: unit files share one module graph per worker (no test mocks modules), which halves
      // the project's CPU (32 s -> 16 s user, measured on two busy cores).
      { extends: true, test: { name: 'unit', isolate: false, include: ['test/**/*.test.ts'], exclude: [...needsBuild, ...slow, ...browser] } },
      { extends: true, test: { name: 'cli', include: [...needsBuild, ...slow] } },
      { extends: true, test: { name: 'browser', include: browser } },
    ],
  },
});
