import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

describe('CLI conventions', () => {
  it('--version prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--help lists every command and the exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validate <path>');
    expect(r.stdout).toContain('2 usage error');
  });

  it('a command --help prints its options', async () => {
    const r = await runCli(['validate', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--profile <name>');
    expect(r.stdout).toContain('--json');
  });

  it.each([[['frobnicate']], [['validate', 'x', '--no-such-flag']], [['validate', 'x', '--profile', 'prod']]])('usage errors exit 2: %j', async (args) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error/);
  });

  it('options come from miniapp.config.json, then MINIAPP_* variables, then flags', async () => {
    const dir = tempDir('config');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'com.a.b', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: ['localhost'] }));
    // dev by default: loopback allowed.
    expect((await runCli(['validate', 'manifest.json'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 'miniapp.config.json'), JSON.stringify({ profile: 'release' }));
    expect((await runCli(['validate', 'manifest.json'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['validate', 'manifest.json'], { cwd: dir, env: { MINIAPP_PROFILE: 'dev' } })).code).toBe(0);
    expect((await runCli(['validate', 'manifest.json', '--profile', 'release'], { cwd: dir, env: { MINIAPP_PROFILE: 'dev' } })).code).toBe(1);
  });

  it('--verbose logs the resolved options and their config file on stderr; --quiet prints nothing on success', async () => {
    const dir = tempDir('verbose');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id: 'com.a.b', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [], name: 'A' }));
    writeFileSync(join(dir, 'miniapp.config.json'), JSON.stringify({ profile: 'release' }));
    const verbose = await runCli(['validate', 'manifest.json', '--verbose'], { cwd: dir });
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain('miniapp.config.json');
    expect(verbose.stderr).toContain('profile="release"');
    const plain = await runCli(['validate', 'manifest.json'], { cwd: dir });
    expect(plain.stderr).toBe('');
    const quiet = await runCli(['validate', 'manifest.json', '--quiet'], { cwd: dir });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout + quiet.stderr).toBe('');
  });

  it('unknown config keys are rejected with a suggestion', async () => {
    const dir = tempDir('config');
    writeFileSync(join(dir, 'manifest.json'), '{}');
    writeFileSync(join(dir, 'miniapp.config.json'), JSON.stringify({ profil: 'release' }));
    const r = await runCli(['validate', 'manifest.json', '--json'], { cwd: dir });
    expect(r.code).toBe(2);
    const doc = parseJsonOutput(r.stdout);
    expect(doc.errors[0].code).toBe('CONFIG_INVALID');
    expect(doc.errors[0].hint).toContain('"profile"');
  });

  it('colour is off for NO_COLOR and non-TTY, on with FORCE_COLOR', async () => {
    const dir = tempDir('color');
    writeFileSync(join(dir, 'manifest.json'), '{}');
    const plain = await runCli(['validate', 'manifest.json'], { cwd: dir, env: { NO_COLOR: undefined } });
    expect(plain.raw.stdout).not.toContain('\u001b[');
    expect(plain.raw.stdout).toContain('MANIFEST_');
    const { spawnSync } = await import('node:child_process');
    const { binPath } = await import('./helpers/cli.js');
    const forced = spawnSync(process.execPath, [binPath, 'validate', 'manifest.json'], { cwd: dir, env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: '1' }, encoding: 'utf8' });
    expect(forced.stdout).toContain('\u001b[');
    const noColor = spawnSync(process.execPath, [binPath, 'validate', 'manifest.json', '--no-color'], { cwd: dir, env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: '1' }, encoding: 'utf8' });
    expect(noColor.stdout).not.toContain('\u001b[');
  });
});
