import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { repoRoot, runCli } from './helpers/cli.js';

/**
 * Links the toolchain's own install into a scaffolded app as its node_modules, with `miniapp` pointing at
 * the toolchain itself: what `npm install` gives a partner (the `file:` devDependency), without the network.
 */
function linkDependencies(app: string): void {
  const target = join(app, 'node_modules');
  mkdirSync(target);
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    // Not npm's lock record, nor the toolchain's own Vite/vitest cache (a fresh install has neither).
    if (name !== '.package-lock.json' && name !== '.vite') symlinkSync(join(repoRoot, 'node_modules', name), join(target, name));
  }
  // No trailing slash in the link: vitest would see the toolchain's files under a second path and inline them.
  symlinkSync(resolve(repoRoot), join(target, 'miniapp'), 'dir');
}

/** The test sample of docs/getting-started.md, exactly as a partner copies it. */
function guideSample(): string {
  const guide = readFileSync(join(repoRoot, 'docs/getting-started.md'), 'utf8');
  const block = /```js\n(\/\/ test\/guide\.test\.js\n[\s\S]*?)```/.exec(guide);
  if (!block) throw new Error('docs/getting-started.md has no test/guide.test.js sample');
  return block[1]!;
}

/** The environment a partner's shell has: without what this vitest run sets for its own workers. */
function partnerEnv(): NodeJS.ProcessEnv {
  const own = new Set(['TEST', 'NODE_ENV', 'BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR']);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && !own.has(k)));
}

describe.each(['vanilla', 'react', 'vue', 'svelte'])('the %s template', (template) => {
  it("passes its own tests and the guide's test sample (miniapp/testing, headless against the mock host), as in the template's CI", async () => {
    // A lowercase folder: vitest 4 fails to load happy-dom's "stream/web" from the react app when the
    // path has capitals (mkdtemp's suffix), though the same app passes one folder over.
    const folder = join(tmpdir(), `miniapp-template-${template}-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(folder);
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const app = join(folder, 'app');
    const init = await runCli(['init', app, '--yes', '--template', template, '--id', 'com.partner.sample']);
    expect(init.code).toBe(0);
    linkDependencies(app);
    writeFileSync(join(app, 'test/guide.test.js'), guideSample());
    const vitest = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=dot', '--testTimeout=60000'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...partnerEnv(), CI: '1', NO_COLOR: '1' },
      timeout: 150_000,
    });
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+6 passed \(6\)/);
    expect(vitest.status).toBe(0);
    // Bridge calls are typed from the catalogue: the template type-checks against miniapp/bridge-types.
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.'], { cwd: app, encoding: 'utf8', timeout: 90_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 240_000);
});
