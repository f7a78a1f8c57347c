import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { appPackage, registryJson, signedPackage, tempDir, writeTemp } from './helpers/host-fixtures.js';

describe('miniapp install', () => {
  it('installs a signed package and reports each step as JSON', async () => {
    const dir = tempDir();
    writeTemp(dir, 'registry.json', registryJson());
    writeTemp(dir, 'app.zip', signedPackage());
    const r = await runCli(['install', 'app.zip', '--trust-store', 'registry.json', '--apps-dir', 'apps', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    const out = parseJsonOutput(r.stdout) as { result: { ok: boolean; dir: string; steps: { step: string }[] } };
    expect(out.result.ok).toBe(true);
    expect(out.result.dir).toBe(join(dir, 'apps', 'com.partner.loans', 'versions', '2.3.1'));
    expect(out.result.steps).toHaveLength(9);
  });

  it('refuses an unsigned package with a coded error and exit 1, no stack trace', async () => {
    const dir = tempDir();
    writeTemp(dir, 'registry.json', registryJson());
    writeTemp(dir, 'app.zip', appPackage());
    const r = await runCli(['install', 'app.zip', '--trust-store', 'registry.json', '--apps-dir', 'apps'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('refused: PACKAGE_UNSIGNED');
    expect(r.stdout).toMatch(/app.zip.*error PACKAGE_UNSIGNED/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a --host-version that is not a version as a usage error (exit 2), not an internal error', async () => {
    const dir = tempDir();
    writeTemp(dir, 'registry.json', registryJson());
    writeTemp(dir, 'app.zip', signedPackage());
    const r = await runCli(['install', 'app.zip', '--trust-store', 'registry.json', '--apps-dir', 'apps', '--host-version', 'latest'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error USAGE_ERROR --host-version "latest" is not a host version: MAJOR.MINOR.PATCH, such as 3.2.0');
    expect(r.stdout + r.stderr).not.toMatch(/INTERNAL_ERROR|\n\s+at /);
  });
});
