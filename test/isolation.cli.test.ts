import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectJail } from '../src/sandbox/index.js';
import { binPath, parseJsonOutput, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

/**
 * What `miniapp run` and `miniapp conformance` promise about isolation: the OS sandbox by default, the
 * isolation named in every report, a loud warning where it is weaker, conformance refusing to run
 * without it unless told. MINIAPP_NO_OS_SANDBOX=1 makes this machine look like one without bubblewrap.
 */
const jailed = detectJail().ok;
const NO_JAIL = { MINIAPP_NO_OS_SANDBOX: '1' };

function app(script: string, manifest: Record<string, unknown> = {}) {
  const dir = tempDir('iso');
  const root = join(dir, 'app');
  mkdirSync(root);
  writeFileSync(
    join(root, 'manifest.json'),
    JSON.stringify({ id: 'com.partner.iso', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['device'], allowedDomains: [], ...manifest }),
  );
  writeFileSync(join(root, 'index.html'), `<!doctype html><p id="out"></p><script>${script}</script>`);
  return { dir, root, flags: ['--data-dir', join(dir, 'data'), '--host-key-file', join(dir, 'host.key')] };
}

// A page that tries every way the issue lists to get at the user's environment and files from `run`.
const SNOOP = `
  const r = {};
  const tries = {
    constructorChain: () => this.constructor.constructor('return process')().env.MINIAPP_CI_SECRET,
    windowChain: () => window.constructor.constructor('return process')().env.MINIAPP_CI_SECRET,
    bufferDeprecation: () => { Object.defineProperty(Object.getPrototypeOf(Object.getPrototypeOf(document)), 'noDeprecation', { get() { return this.env && this.env.MINIAPP_CI_SECRET; } }); return window.Buffer(1); },
    fileUrl: () => fetch('file:///etc/passwd').then((res) => res.text()),
    fileUrlHome: () => fetch('file://${homedir()}/.bashrc').then((res) => res.text()),
  };
  (async () => {
    for (const [name, fn] of Object.entries(tries)) {
      try { r[name] = 'GOT:' + String(await fn()).slice(0, 60); } catch (e) { r[name] = e && (e.code || e.name) || String(e); }
    }
    console.log('SNOOP ' + JSON.stringify(r));
  })();
`;

describe('isolation of miniapp run', () => {
  it.runIf(jailed)(
    'runs a package in the OS sandbox by default, says so, and the app reaches neither the environment nor the files of the user',
    async () => {
      const a = app(SNOOP);
      const r = await runCli(['run', a.root, '--json', ...a.flags], { env: { MINIAPP_CI_SECRET: 'ci-signing-key-123' }, timeoutMs: 60_000 });
      expect(r.stdout).not.toContain('ci-signing-key-123');
      expect(r.stderr).not.toContain('ci-signing-key-123');
      const out = parseJsonOutput(r.stdout);
      expect(out.result.isolation.level).toBe('os-sandbox');
      const snoop = JSON.parse(out.result.console.find((c: { text: string }) => c.text.startsWith('SNOOP ')).text.slice(6));
      for (const [name, outcome] of Object.entries(snoop)) expect([name, outcome]).toEqual([name, expect.not.stringMatching(/^GOT:/)]);
      expect(out.warnings.map((w: { code: string }) => w.code)).not.toContain('RUN_WEAK_ISOLATION');
      // The human report names the isolation too.
      const human = await runCli(['run', a.root, ...a.flags], { timeoutMs: 60_000 });
      expect(human.stdout).toMatch(/isolation: os-sandbox/);
    },
    90_000,
  );

  it('without the OS sandbox, run says so loudly in the report and on stderr, and conformance refuses with a coded error', async () => {
    const a = app("MiniAppBridge.call('device.info', {}).then(() => console.log('ok'));");
    const r = await runCli(['run', a.root, '--json', ...a.flags], { env: NO_JAIL, timeoutMs: 60_000 });
    const out = parseJsonOutput(r.stdout);
    expect(out.result.isolation).toEqual({ level: 'process', reason: expect.stringContaining('MINIAPP_NO_OS_SANDBOX') });
    expect(out.warnings.map((w: { code: string }) => w.code)).toContain('RUN_WEAK_ISOLATION');
    expect(r.stderr).toMatch(/WARNING: no OS sandbox here/);

    const c = await runCli(['conformance', a.root, '--profile', 'dev', '--json'], { env: NO_JAIL, cwd: a.dir, timeoutMs: 60_000 });
    expect(c.code).toBe(1);
    expect(parseJsonOutput(c.stdout).errors[0]).toMatchObject({ code: 'ISOLATION_UNAVAILABLE' });
    const allowed = await runCli(['conformance', a.root, '--profile', 'dev', '--json', '--allow-weak-isolation'], { env: NO_JAIL, cwd: a.dir, timeoutMs: 60_000 });
    const report = parseJsonOutput(allowed.stdout);
    expect(report.result.isolation).toMatchObject({ level: 'process', reason: expect.stringContaining('MINIAPP_NO_OS_SANDBOX') });
    expect(allowed.stderr).toMatch(/WARNING: no OS sandbox here/);
  }, 120_000);

  it.runIf(jailed)(
    'conformance states the OS sandbox it ran under',
    async () => {
      const a = app("MiniAppBridge.call('device.info', {}).then(() => console.log('ok'));");
      const c = await runCli(['conformance', a.root, '--profile', 'dev', '--json'], { cwd: a.dir, timeoutMs: 60_000 });
      expect(parseJsonOutput(c.stdout).result.isolation.level).toBe('os-sandbox');
    },
    90_000,
  );

  it('the CLI running an app never opens an inspector on SIGUSR1', async () => {
    const a = app("setTimeout(() => console.log('late'), 2500);");
    const child = spawn(process.execPath, [binPath, 'run', a.root, '--json', ...a.flags], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    // Once the app is launching, the sandbox code (and its signal guard) is loaded.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (stderr.includes('launching')) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGUSR1');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/Debugger listening/);
    expect(code).toBe(0);
    expect(parseJsonOutput(stdout).result.console.map((c: { text: string }) => c.text)).toContain('late');
  }, 60_000);
});
