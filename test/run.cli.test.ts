import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonOutput, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

const fixture = (name: string) => new URL(`./fixtures/runtime/${name}`, import.meta.url).pathname;
const CLI_APP = fixture('cli');

/** Each test gets its own data directory and host key file, so runs never share state by accident. */
function sandbox() {
  const dir = tempDir('run-cli');
  return { dir, flags: ['--data-dir', join(dir, 'data'), '--host-key-file', join(dir, 'host.key')] };
}
const lines = (report: { console: Array<{ text: string }> }) => report.console.map((c) => c.text);

describe('miniapp run', () => {
  it.each([
    ['while loading', 'while (true) {}'],
    ['in a timer', 'setTimeout(() => { for (;;) {} }, 10);'],
  ])(
    'stops a script that never yields (%s) at --timeout instead of hanging',
    async (_when, code) => {
      const { dir, flags } = sandbox();
      const app = join(dir, 'spin');
      mkdirSync(app);
      writeFileSync(join(app, 'manifest.json'), JSON.stringify({ id: 'com.example.spin', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }));
      writeFileSync(join(app, 'index.html'), `<!doctype html><script>${code}</script>`);
      const started = performance.now();
      const r = await runCli(['run', app, '--json', '--timeout', '800', ...flags]);
      const wallMs = performance.now() - started;
      const out = parseJsonOutput(r.stdout);
      expect(out.result.stoppedBy).toBe('timeout');
      expect(out.warnings.map((w: { code: string }) => w.code)).toContain('RUN_TIMEOUT');
      // It ran until the timeout, then stopped promptly: not at once, and not after the test's own limit.
      expect(out.result.timings.totalMs).toBeGreaterThanOrEqual(800);
      expect(out.result.timings.totalMs).toBeLessThan(800 + 4000);
      expect(wallMs).toBeLessThan(800 + 8000);
    },
    20_000,
  );

  it('says once, with the hint, that a file the code loads is not in the package', async () => {
    const { dir, flags } = sandbox();
    const app = join(dir, 'missing-image');
    mkdirSync(join(app, 'src'), { recursive: true });
    writeFileSync(join(app, 'manifest.json'), JSON.stringify({ id: 'com.example.missing', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }));
    writeFileSync(join(app, 'index.html'), '<!doctype html><body><script type="module" src="./src/main.js"></script></body>');
    writeFileSync(join(app, 'src/main.js'), "const img = document.createElement('img');\nimg.src = './img/logo.png';\ndocument.body.appendChild(img);\nconsole.log('app started');\n");
    const r = await runCli(['run', app, ...flags], { env: { NO_COLOR: '1' }, timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(r.stdout.match(/RUN_RESOURCE_MISSING/g)).toHaveLength(1);
    expect(r.stdout.match(/img\/logo\.png/g)).toHaveLength(1);
    expect(r.stdout).toMatch(/RUN_RESOURCE_MISSING img\/logo\.png is referenced but not in the package \(hint: /);
    // The rest of the console is still shown.
    expect(r.stdout).toMatch(/console\n\s+log\s+app started/);
    // --json keeps the DOM's own console line: the report is the data, only the human output dedupes.
    const json = parseJsonOutput((await runCli(['run', app, '--json', ...flags], { timeoutMs: 60_000 })).stdout);
    expect(json.errors.filter((e: { code: string }) => e.code === 'RUN_RESOURCE_MISSING')).toHaveLength(1);
    expect(lines(json.result).some((t: string) => t.includes('img/logo.png'))).toBe(true);
  }, 60_000);

  it('runs a directory and prints a JSON report: console, calls with outcome and latency, timings', async () => {
    const { flags } = sandbox();
    const r = await runCli(['run', CLI_APP, '--json', ...flags]);
    const out = parseJsonOutput(r.stdout);
    expect(r.code).toBe(0);
    expect(out.ok).toBe(true);
    expect(out.result.stoppedBy).toBe('idle');
    expect(lines(out.result)).toEqual([
      'location ok {"latitude":52.52,"longitude":13.405,"accuracy":25}',
      expect.stringMatching(/^pay ok /),
      'contacts ok {"contacts":[{"name":"Ada Lovelace","phone":"+441234567890"}]}',
      'runs 1',
      'rates NO_FIXTURE',
    ]);
    expect(out.result.calls[0]).toMatchObject({ method: 'location.get', params: {}, ok: true, latencyMs: expect.any(Number) });
    expect(out.result.timings.firstCallMs).toBeGreaterThan(0);
    expect(out.result.storage.keys).toBe(1);
  });

  it('--deny, --payment, --host-version and --fixtures change what the app sees; storage persists between runs', async () => {
    const { dir, flags } = sandbox();
    await runCli(['run', CLI_APP, '--json', ...flags]);
    const fixtures = join(dir, 'fixtures.json');
    writeFileSync(fixtures, JSON.stringify({ network: [{ url: 'https://api.cli.example/rates', json: { eur: 1 } }] }));
    const r = await runCli(['run', CLI_APP, '--json', ...flags, '--deny', 'geolocation', '--payment', 'cancel', '--host-version', '3.0.0', '--fixtures', fixtures]);
    const out = parseJsonOutput(r.stdout);
    expect(lines(out.result)).toEqual(['location USER_DENIED', 'pay PAYMENT_CANCELLED', 'contacts unavailable', 'runs 2', 'rates 200 {"eur":1}']);
    expect(out.result.hostVersion).toBe('3.0.0');
  });

  it('--record saves every call and --replay answers from it', async () => {
    const { dir, flags } = sandbox();
    const recording = join(dir, 'recordings', 'calls.json'); // a folder that does not exist yet
    await runCli(['run', CLI_APP, ...flags, '--payment', 'fail', '--record', recording]);
    const saved = JSON.parse(readFileSync(recording, 'utf8'));
    expect(saved).toMatchObject({ format: 'miniapp-recording', version: 1, appId: 'com.example.cli' });
    expect(saved.calls.map((c: { method: string }) => c.method)).toEqual(['location.get', 'payment.pay', 'contacts.pick', 'storage.get', 'storage.set']);
    const r = await runCli(['run', CLI_APP, '--json', ...sandbox().flags, '--replay', recording]);
    expect(lines(parseJsonOutput(r.stdout).result)).toContain('pay PAYMENT_FAILED');
  });

  it('prints a human report by default', async () => {
    const r = await runCli(['run', CLI_APP, ...sandbox().flags]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ com\.example\.cli@1\.0\.0 on host 3\.4\.0: stopped by idle/);
    expect(r.stdout).toMatch(/✓ location\.get \{\} → .* ms/);
  });

  it('exits 1 with coded errors for a hostile app, and never hangs', async () => {
    // In the sandbox (the default) its 100,000 bridge calls in one synchronous loop break a limit: the busy
    // loop or the message rate, whichever strikes first on this machine.
    const r = await runCli(['run', fixture('hostile'), '--json', ...sandbox().flags], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    const codes = out.errors.map((e: { code: string }) => e.code);
    // The limit is certain; the load-time errors reach the host only if their messages were handled before
    // the loop started, which depends on the machine's load (the in-process test below asserts them all).
    expect(codes).toContain('APP_LIMIT_EXCEEDED');
    expect(codes.every((c: string) => ['RUN_SCRIPT_ERROR', 'RUN_RESOURCE_MISSING', 'APP_LIMIT_EXCEEDED'].includes(c))).toBe(true);
    expect(out.result).toMatchObject({ stoppedBy: 'limit', exit: { reason: expect.stringMatching(/^(CPU_LIMIT|MESSAGE_FLOOD)$/) }, isolation: { level: 'os-sandbox' } });
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  }, 60_000);

  it('an app stopped at a limit while its page loads still gets its whole report', async () => {
    const r = await runCli(['run', fixture('spin-at-load'), '--json', ...sandbox().flags], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    expect(out.result).toMatchObject({ stoppedBy: 'limit', exit: { reason: 'CPU_LIMIT' }, callCount: 1 });
    expect(out.errors.map((e: { code: string }) => e.code)).toEqual(expect.arrayContaining(['APP_LIMIT_EXCEEDED', 'RUN_SCRIPT_ERROR']));
  }, 60_000);

  it('--unsafe-in-process runs the app in the CLI process, says so loudly, and still reports every coded error', async () => {
    const r = await runCli(['run', fixture('hostile'), '--json', '--unsafe-in-process', ...sandbox().flags], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const out = parseJsonOutput(r.stdout);
    const codes = out.errors.map((e: { code: string }) => e.code);
    expect(codes).toEqual(expect.arrayContaining(['RUN_SCRIPT_ERROR', 'RUN_RESOURCE_MISSING', 'RUN_UNHANDLED_REJECTION']));
    expect(out.result.isolation).toMatchObject({ level: 'in-process', reason: expect.stringContaining('rights of the user') });
    expect(out.warnings.map((w: { code: string }) => w.code)).toContain('RUN_WEAK_ISOLATION');
    expect(r.stderr).toMatch(/WARNING: --unsafe-in-process runs this app with YOUR rights/);
  }, 60_000);

  it.each([
    [['--deny', 'teleport'], 2, 'RUN_OPTION_INVALID'],
    [['--deny', 'storage'], 2, 'RUN_OPTION_INVALID'],
    [['--grant', 'camera', '--deny', 'camera'], 2, 'RUN_OPTION_INVALID'],
    [['--host-version', 'latest'], 2, 'USAGE_ERROR'],
    [['--host-version', '3.1.0-beta'], 2, 'USAGE_ERROR'],
    [['--network', 'wifi'], 2, 'USAGE_ERROR'],
  ])('refuses %j with exit %i', async (extra, code, errorCode) => {
    const r = await runCli(['run', CLI_APP, '--json', ...sandbox().flags, ...extra]);
    expect(r.code).toBe(code);
    expect(parseJsonOutput(r.stdout).errors[0].code).toBe(errorCode);
  });

  it('reports a missing entry point, a missing path and an invalid fixtures file', async () => {
    const { dir, flags } = sandbox();
    const missing = await runCli(['run', fixture('nomain'), '--json', ...flags]);
    expect(missing.code).toBe(1);
    expect(parseJsonOutput(missing.stdout).errors[0]).toMatchObject({ code: 'RUN_ENTRY_POINT_MISSING', file: 'manifest.json' });
    const nothing = await runCli(['run', join(dir, 'nope'), '--json', ...flags]);
    expect(parseJsonOutput(nothing.stdout).errors[0].code).toBe('PATH_NOT_FOUND');
    writeFileSync(join(dir, 'bad.json'), '{"network": 3}');
    const bad = await runCli(['run', CLI_APP, '--json', ...flags, '--fixtures', join(dir, 'bad.json')]);
    expect(parseJsonOutput(bad.stdout).errors[0].code).toBe('RUN_FILE_INVALID');
  });
});
