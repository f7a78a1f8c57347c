import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

/**
 * Links the toolchain's own install into a scaffolded app as its node_modules, with `miniapp` pointing at
 * the toolchain itself: what `npm install` gives a partner (the `file:` devDependency), without the network.
 */
function linkDependencies(app: string): void {
  const target = join(app, 'node_modules');
  mkdirSync(target);
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '.package-lock.json') symlinkSync(join(repoRoot, 'node_modules', name), join(target, name));
  }
  symlinkSync(repoRoot, join(target, 'miniapp'), 'dir');
}

describe.each(['vanilla', 'react'])('the %s template', (template) => {
  it("passes its own tests (miniapp/testing, headless against the mock host), as in the template's CI", async () => {
    const app = join(tempDir(`template-${template}`), 'app');
    const init = await runCli(['init', app, '--yes', '--template', template, '--id', 'com.partner.sample']);
    expect(init.code).toBe(0);
    linkDependencies(app);
    const vitest = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=dot'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
      timeout: 90_000,
    });
    expect(vitest.stdout + vitest.stderr).toMatch(/Tests\s+3 passed \(3\)/);
    expect(vitest.status).toBe(0);
    // Bridge calls are typed from the catalogue: the template type-checks against miniapp/bridge-types.
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', '.'], { cwd: app, encoding: 'utf8', timeout: 90_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 120_000);
});
