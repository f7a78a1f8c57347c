import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConformance, type ConformanceReport } from '../src/host/conformance.js';
import { conformanceJunit } from '../src/host/junit.js';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { scriptApp, type ScriptAppOptions } from './helpers/project.js';

const app = (script: string, options?: ScriptAppOptions) => scriptApp('verdict', script, options);

const failed = (r: ConformanceReport) => Object.fromEntries(r.checks.filter((c) => c.status === 'failed').map((c) => [c.name, c.code]));
const check = (r: ConformanceReport, name: string) => r.checks.find((c) => c.name === name);
// Start-up time is not what these tests are about: a loaded CI machine must not turn them into budget failures.
const CONFORM_FLAGS = ['--host-version', '3.4.0', '--startup-budget', '30000'];
const conform = (target: string) => runConformance({ target, hostVersion: '3.4.0', startupBudgetMs: 30_000 });
const conformCli = async (dir: string) => {
  const r = await runCli(['conformance', dir, ...CONFORM_FLAGS, '--json'], { timeoutMs: 60_000 });
  return { code: r.code, out: parseJsonOutput(r.stdout), stderr: r.stderr };
};

describe('conformance verdicts a CI can trust', () => {
  it('fails an app stopped for CPU after its first bridge call: the phase it stopped in and budget.cpu, exit 1', async () => {
    const dir = app('setTimeout(() => MiniAppBridge.call("storage.set", { key: "k", value: "v" }).then(() => { for (;;); }), 30);');
    const { code, out } = await conformCli(dir);
    expect(code).toBe(1);
    expect(out.ok).toBe(false);
    const report = out.result as ConformanceReport;
    expect(failed(report)['budget.cpu']).toBe('APP_LIMIT_EXCEEDED');
    expect(check(report, 'budget.cpu')!.message).toContain('CPU_LIMIT');
    // The phase in which it was stopped fails; the ones after it are skipped, never passed.
    const lifecycle = report.checks.filter((c) => c.name.startsWith('lifecycle.') && c.name !== 'lifecycle.launch');
    expect(lifecycle.filter((c) => c.status === 'failed').map((c) => c.code)).toEqual(['APP_LIMIT_EXCEEDED']);
    const stoppedAt = lifecycle.findIndex((c) => c.status === 'failed');
    expect(lifecycle.slice(stoppedAt + 1).map((c) => c.status)).toEqual(Array(lifecycle.length - stoppedAt - 1).fill('skipped'));
    expect(lifecycle.slice(stoppedAt + 1).every((c) => c.message === 'the app had already stopped')).toBe(true);
    expect(out.errors.map((e: { code: string }) => e.code)).toContain('APP_LIMIT_EXCEEDED');
  }, 60_000);

  it('fails an app stopped for a timer flood with budget.timers', async () => {
    const r = await conform(app('for (let i = 0; i < 12000; i++) setTimeout(() => {}, 600000);'));
    expect(r.ok).toBe(false);
    expect(failed(r)).toMatchObject({ 'budget.timers': 'APP_LIMIT_EXCEEDED' });
  }, 60_000);

  it('takes navigation.close as a normal exit: conforms, the later phases skipped as closed by the app', async () => {
    const dir = app('setTimeout(() => MiniAppBridge.call("navigation.close", {}), 30);');
    const { code, out } = await conformCli(dir);
    expect(out.errors).toEqual([]);
    expect(code).toBe(0);
    const skipped = (out.result as ConformanceReport).checks.filter((c) => c.status === 'skipped' && c.name.startsWith('lifecycle.'));
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((c) => c.message === 'the app closed itself (navigation.close)')).toBe(true);
  }, 60_000);

  it('also when the app closes itself while its page is loading', async () => {
    const r = await conform(app('MiniAppBridge.call("navigation.close", {});'));
    expect(failed(r)).toEqual({});
    expect(check(r, 'lifecycle.launch')!.status).toBe('passed');
  }, 60_000);

  it('measures and reports the peak memory of the app (sampled while it runs, not 0.0 MB)', async () => {
    // 20 MB held for a moment, then released: the peak is what counts. The guest figure is over the baseline
    // taken at ready, and a GC of the runtime's own garbage after it can take a few MB off (7.6 MB seen for 12).
    const dir = app('window.keep = []; for (let i = 0; i < 20; i++) keep.push(new Uint8Array(1 << 20).fill(i + 1)); setTimeout(() => { keep = null; }, 4000);');
    const r = await runCli(['conformance', dir, ...CONFORM_FLAGS], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const peak = Number(/peak memory ([\d.]+) MB/.exec(r.stdout)?.[1]);
    expect(peak).toBeGreaterThanOrEqual(10);
    expect(peak).toBeLessThan(64);
    const json = parseJsonOutput((await runCli(['conformance', dir, ...CONFORM_FLAGS, '--json'], { timeoutMs: 60_000 })).stdout).result as ConformanceReport;
    expect(json.memory.peakGuestBytes).toBeGreaterThan(10 * 1048576);
    if (process.platform === 'linux') expect(json.memory.peakRssBytes).toBeGreaterThan(json.memory.peakGuestBytes);
  }, 90_000);

  it('fails a call to a method the host does not have with RUN_UNKNOWN_METHOD, not an internal error', async () => {
    const { code, out } = await conformCli(app('MiniAppBridge.call("payment.request", { amount: 1 }).catch(() => {});'));
    expect(code).toBe(1);
    expect(failed(out.result)).toEqual({ 'policy.methods': 'RUN_UNKNOWN_METHOD' });
    expect(check(out.result, 'policy.methods')!.message).toContain('payment.request');
    expect(out.errors.map((e: { code: string }) => e.code)).toEqual(['RUN_UNKNOWN_METHOD']);
  }, 60_000);

  it('checks what a WebView would fetch in the HTML and CSS, statically, with file and line; <a href> is not a fetch', async () => {
    const body = [
      '<a href="https://evil.com/page">a link is navigation</a>',
      '<img src="logo.png" srcset="https://api.partner.com/2x.png 2x, https://cdn.evil.com/3x.png 3x">',
      '<link rel="icon" href="https://icons.evil.com/favicon.ico">',
    ].join('\n');
    const dir = app('', { body, files: { 'logo.png': 'png', 'css/app.css': '.a { color: red }\n.b { background: url("https://img.evil.com/bg.png") }\n' } });
    writeFileSync(join(dir, 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('<body>', '<head><link rel="stylesheet" href="css/app.css"></head><body>'));
    const { code, out } = await conformCli(dir);
    expect(code).toBe(1);
    expect(failed(out.result)).toEqual({ 'policy.static-references': 'DOMAIN_NOT_ALLOWED' });
    const refs = (out.result as ConformanceReport).staticReferences!;
    expect(refs.map((r) => `${r.file}:${r.line} ${r.where} ${r.url}`)).toEqual([
      'css/app.css:2 CSS url() https://img.evil.com/bg.png',
      'index.html:2 <img srcset> https://cdn.evil.com/3x.png',
      'index.html:3 <link rel=icon href> https://icons.evil.com/favicon.ico',
    ]);
    expect(refs.every((r) => /host [\w.]+ is not in allowedDomains/.test(r.reason))).toBe(true);
    expect(out.errors[0]).toMatchObject({ code: 'DOMAIN_NOT_ALLOWED', file: join(dir, 'css/app.css'), line: 2 });
    expect(conformanceJunit(out.result)).toMatch(
      /<testcase classname="miniapp\.conformance\.policy" name="policy\.static-references" time="[\d.]+" file="css\/app\.css" line="2">\s*<failure type="DOMAIN_NOT_ALLOWED"/,
    );
  }, 60_000);

  it('loads the app at the root of its origin: a path-routed app sees location.pathname "/"', async () => {
    const dir = app(`
      if (location.pathname !== '/') throw new Error('launched at ' + location.pathname);
      history.pushState({}, '', '/orders/7');
      if (location.pathname !== '/orders/7') throw new Error('pushState did not route');
    `);
    const r = await conform(dir);
    expect(failed(r)).toEqual({});
  }, 60_000);
});
