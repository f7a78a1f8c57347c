import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createDevServer, type DevServer, type DevServerEvent } from '../../src/server/index.js';
import { makeProject, until } from '../helpers/serve-fixture.js';
import { CHROMIUM, haveBrowser, launchChromium } from '../helpers/chromium.js';

// Real Chromium against the real server. Outside CI a machine without /usr/bin/chromium skips these
// tests (with a message); in CI (process.env.CI set) a missing browser fails them.
if (!haveBrowser && !process.env.CI) console.warn(`[serve e2e] skipped: no browser at ${CHROMIUM} (apt-get install chromium to run them)`);

const APP = {
  'index.html':
    '<!doctype html><html><head><meta charset="utf-8"><title>e2e</title></head><body><h1 id="title">loading</h1><button id="pay">Pay</button><p id="out"></p><script type="module" src="./src/main.js"></script></body></html>',
  'src/main.js': [
    "import { message } from './message.js';",
    "document.getElementById('title').textContent = message;",
    "document.getElementById('pay').onclick = async () => {",
    "  const out = document.getElementById('out');",
    "  try { const r = await MiniAppBridge.call('payment.pay', { amount: 5, currency: 'USD', orderId: 'o-1' }); out.textContent = 'paid ' + r.transactionId; }",
    "  catch (e) { out.textContent = 'error ' + e.code; }",
    '};',
    '',
  ].join('\n'),
  'src/message.js': "export const message = 'hello v1';\n",
};

describe.runIf(haveBrowser || process.env.CI)('dev server in Chromium', () => {
  let browser: Browser;
  let server: DevServer;
  let project: ReturnType<typeof makeProject>;
  const events: DevServerEvent[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    project = makeProject(APP);
    server = await createDevServer({ projectDir: project.dir, port: 0, onEvent: (e) => events.push(e), ackTimeoutMs: 5000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    project?.cleanup();
  });

  const openPage = async (url: string): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(url);
    return page;
  };

  it('loads the app, and a mock bridge call works in a plain tab', async () => {
    const page = await openPage(server.url);
    await expect.poll(() => page.textContent('#title')).toBe('hello v1');
    await page.click('#pay');
    await expect.poll(() => page.textContent('#out')).toMatch(/^paid \S+/);
    await until(() => events.some((e) => e.type === 'bridge-call' && e.call.method === 'payment.pay' && e.call.outcome === 'ok'), 5000, 'the call reported to the server');
    await page.close();
  });

  it('reloads the page with the new content after a save, and the reload is acknowledged', async () => {
    const page = await openPage(server.url);
    await expect.poll(() => page.textContent('#title')).toBe('hello v1');
    await page.waitForFunction(() => (window as unknown as { __miniappDevClient?: unknown }).__miniappDevClient);
    await until(() => server.state().clients >= 1, 5000, 'the page to connect');
    const before = events.length;
    project.write('src/message.js', "export const message = 'hello v2';\n");
    await expect.poll(() => page.textContent('#title'), { timeout: 10_000 }).toBe('hello v2');
    const reloaded = await until(() => events.slice(before).find((e): e is Extract<DevServerEvent, { type: 'reloaded' }> => e.type === 'reloaded'), 6000, 'reloaded');
    expect(reloaded.acknowledged).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  it('shows the error overlay on a syntax error and recovers when it is fixed', async () => {
    const page = await openPage(server.url);
    await until(() => server.state().clients >= 1, 5000, 'the page to connect');
    await page.waitForFunction(() => (window as unknown as { __miniappDevClient?: unknown }).__miniappDevClient);
    project.write('src/message.js', "export const message = 'broken;\n");
    const overlay = page.locator('miniapp-error-overlay');
    await overlay.waitFor({ state: 'attached', timeout: 10_000 });
    const text = await overlay.evaluate((el) => el.shadowRoot!.textContent);
    expect(text).toContain('src/message.js:1');
    expect(text).toContain('BUILD_ERROR');
    expect(text).toContain("'broken;");
    // The last good build is still what the page runs.
    expect(await page.textContent('#title')).not.toBe('loading');
    project.write('src/message.js', "export const message = 'recovered';\n");
    await expect.poll(() => page.textContent('#title'), { timeout: 10_000 }).toBe('recovered');
    expect(await page.locator('miniapp-error-overlay').count()).toBe(0);
    await page.close();
  });

  it('runs the app in the simulator: controls script the mock, the inspector lists calls, a recording is saved', async () => {
    const page = await openPage(server.simulatorUrl);
    const app = page.frameLocator('#app');
    await app.locator('#title').filter({ hasText: /\S/ }).waitFor();
    await expect.poll(() => app.locator('#title').textContent()).not.toBe('loading');
    await app.locator('#pay').click();
    await expect.poll(() => app.locator('#out').textContent()).toMatch(/^paid/);
    await page.selectOption('#payment-outcome', 'cancel');
    await app.locator('#pay').click();
    await expect.poll(() => app.locator('#out').textContent()).toBe('error PAYMENT_CANCELLED');
    const rows = page.locator('#inspector tbody tr[data-method="payment.pay"]');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).getAttribute('data-outcome')).toBe('error');
    expect(await rows.nth(0).locator('td.outcome').textContent()).toContain('PAYMENT_CANCELLED');
    expect(await rows.nth(1).locator('td.params').textContent()).toContain('"orderId":"o-1"');
    expect(Number(await rows.nth(1).locator('td.latency').textContent())).toBeGreaterThanOrEqual(0);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
    const chunks: Buffer[] = [];
    for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
    const recording = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    expect(recording).toMatchObject({ format: 'miniapp-recording', version: 1, appId: 'com.example.devapp' });
    expect(recording.calls.map((c: { ok: boolean }) => c.ok)).toEqual([true, false]);
    await page.close();
  });

  it('reconnects a page and the simulator to a restarted server (a new process has a new token): the page reloads', async () => {
    const own = makeProject(APP);
    let restarted: DevServer | undefined;
    const first = await createDevServer({ projectDir: own.dir, port: 0 });
    try {
      const page = await openPage(first.url);
      const simulator = await openPage(first.simulatorUrl);
      await expect.poll(() => page.textContent('#title')).toBe('hello v1');
      await expect.poll(() => simulator.textContent('#status')).toBe('up to date');
      await until(() => first.state().clients >= 3, 5000, 'the page, the simulator and its frame to connect');
      await first.close();
      await expect.poll(() => simulator.textContent('#status')).toBe('disconnected, retrying…');
      own.write('src/message.js', "export const message = 'after restart';\n");
      restarted = await createDevServer({ projectDir: own.dir, port: first.port });
      expect(restarted.token).not.toBe(first.token);
      await expect.poll(() => page.textContent('#title'), { timeout: 10_000 }).toBe('after restart');
      await expect.poll(() => simulator.textContent('#status'), { timeout: 10_000 }).toBe('up to date');
      await until(() => restarted!.state().clients >= 3, 10_000, 'the page, the simulator and its frame to reconnect');
      await page.close();
      await simulator.close();
    } finally {
      await first.close();
      await restarted?.close();
      own.cleanup();
    }
  });

  it('refuses a WebSocket from a foreign Origin even with the token', async () => {
    const foreign: Server = createServer((_req, res) => res.end('<!doctype html><title>other site</title>'));
    await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()));
    const port = (foreign.address() as { port: number }).port;
    try {
      const page = await openPage(`http://127.0.0.1:${port}/`);
      const attempt = (url: string) =>
        page.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(u);
              ws.onopen = () => resolve('open');
              ws.onerror = () => resolve('refused');
            }),
          url,
        );
      const before = events.length;
      expect(await attempt(server.wsUrl)).toBe('refused');
      expect(events.slice(before).some((e) => e.type === 'refused' && /Origin/.test(e.reason))).toBe(true);
      // The same page cannot read the app either: no CORS headers.
      const read = await page.evaluate(
        (u) =>
          fetch(u).then(
            () => 'read',
            () => 'blocked',
          ),
        server.url,
      );
      expect(read).toBe('blocked');
      await page.close();
      // Same origin with the token connects; same origin without it does not.
      const own = await openPage(server.url);
      expect(
        await own.evaluate(
          (u) =>
            new Promise((r) => {
              const ws = new WebSocket(u);
              ws.onopen = () => r('open');
              ws.onerror = () => r('refused');
            }),
          server.wsUrl,
        ),
      ).toBe('open');
      expect(
        await own.evaluate(
          (u) =>
            new Promise((r) => {
              const ws = new WebSocket(u);
              ws.onopen = () => r('open');
              ws.onerror = () => r('refused');
            }),
          server.wsUrl.replace(/token=\w+/, 'token=wrong'),
        ),
      ).toBe('refused');
      await own.close();
    } finally {
      await new Promise((r) => foreign.close(r));
    }
  });
});
