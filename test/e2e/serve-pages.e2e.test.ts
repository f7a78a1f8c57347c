import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createDevServer, type DevServer, type DevServerEvent } from '../../src/server/index.js';
import { makeProject, until } from '../helpers/serve-fixture.js';
import { CHROMIUM, haveBrowser, launchChromium } from '../helpers/chromium.js';

// Real Chromium against the real server: fast saves, the app's own errors and clock, path-routed apps,
// the simulator's layout. Skipped (with a message) without /usr/bin/chromium outside CI.
if (!haveBrowser && !process.env.CI) console.warn(`[serve e2e] skipped: no browser at ${CHROMIUM} (apt-get install chromium to run them)`);

const ROUTED = {
  'index.html':
    '<!doctype html><html><head><meta charset="utf-8"><title>routed</title></head><body><h1 id="title">loading</h1><button id="go">about</button><button id="deep">deep</button><button id="now">now</button><p id="clock"></p><button id="token">token</button><p id="expired"></p><button id="throw">throw</button><button id="reject">reject</button><script type="module" src="./src/main.js"></script></body></html>',
  'src/main.js': [
    "import { message } from './message.js';",
    'const routes = { "/": "Home", "/about": "About", "/todos/active": "Active todos" };',
    "const render = () => { document.getElementById('title').textContent = (routes[location.pathname] ?? 'Page Not Found') + ' ' + message; };",
    "const go = (path) => { history.pushState({}, '', path); render(); };",
    "document.getElementById('go').onclick = () => go('/about');",
    "document.getElementById('deep').onclick = () => go('/todos/active');",
    "document.getElementById('now').onclick = () => { document.getElementById('clock').textContent = String(Date.now()); };",
    'let token;',
    "document.getElementById('token').onclick = async () => { token = await MiniAppBridge.call('auth.getToken', { scope: 'profile' }); document.getElementById('expired').textContent = String(token.expiresAt <= Date.now()); };",
    "document.getElementById('throw').onclick = () => { throw new Error('render failed in <Todo>'); };",
    "document.getElementById('reject').onclick = () => { Promise.reject(new Error('fetch todos failed')); };",
    'render();',
    '',
  ].join('\n'),
  'src/message.js': "export const message = 'v0';\n",
};

describe.runIf(haveBrowser || process.env.CI)('dev server pages in Chromium', () => {
  let browser: Browser;
  let server: DevServer;
  let project: ReturnType<typeof makeProject>;
  const events: DevServerEvent[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    project = makeProject(ROUTED);
    server = await createDevServer({ projectDir: project.dir, port: 0, onEvent: (e) => events.push(e), ackTimeoutMs: 3000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    project?.cleanup();
  });

  /** A page that records every failed load (a 404 for an old build's script is how a page went blank). */
  const openPage = async (url: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; failures: string[] }> => {
    const page = await browser.newPage({ viewport });
    const failures: string[] = [];
    // The browser's own favicon probe is not the app's.
    page.on('response', (r) => r.status() === 404 && !r.url().endsWith('/favicon.ico') && failures.push(r.url()));
    await page.goto(url);
    return { page, failures };
  };

  it('never loses a save: saves every 10-50 ms while 3 pages reload, every page ends on the last one, none blank', async () => {
    const pages = await Promise.all([openPage(server.url), openPage(server.url), openPage(server.url)]);
    for (const { page } of pages) await expect.poll(() => page.textContent('#title')).toBe('Home v0');
    await until(() => server.state().pages >= 3, 5000, 'the pages to connect');
    let last = 0;
    for (let i = 1; i <= 40; i++) {
      project.write('src/message.js', `export const message = 'save ${i}';\n`);
      last = i;
      await new Promise((r) => setTimeout(r, 10 + ((i * 37) % 41)));
    }
    await server.idle();
    for (const { page, failures } of pages) {
      await expect.poll(() => page.textContent('#title'), { timeout: 20_000 }).toBe(`Home save ${last}`);
      expect(failures).toEqual([]);
    }
    await Promise.all(pages.map((p) => p.page.close()));
  });

  it('a path-routed app sees the launch path / in a tab and in the simulator, and survives a reload at a route', async () => {
    const { page } = await openPage(server.url);
    await expect.poll(() => page.textContent('#title')).toMatch(/^Home /);
    await page.click('#deep');
    await expect.poll(() => page.textContent('#title')).toMatch(/^Active todos /);
    await page.reload();
    await expect.poll(() => page.textContent('#title')).toMatch(/^Active todos /);
    await page.close();
    const sim = await openPage(server.simulatorUrl);
    const app = sim.page.frameLocator('#app');
    await expect.poll(() => app.locator('#title').textContent()).toMatch(/^Home /);
    await app.locator('#go').click();
    await expect.poll(() => app.locator('#title').textContent()).toMatch(/^About /);
    // "Reload app" relaunches as a host does: at /.
    await sim.page.click('#reload-app');
    await expect.poll(() => app.locator('#title').textContent()).toMatch(/^Home /);
    await sim.page.close();
  });

  it('the simulator shows the app’s uncaught errors and unhandled rejections, and the server reports them', async () => {
    const { page } = await openPage(server.simulatorUrl);
    const app = page.frameLocator('#app');
    await expect.poll(() => app.locator('#title').textContent()).toMatch(/^Home /);
    await app.locator('#throw').click();
    await app.locator('#reject').click();
    await expect.poll(() => page.locator('#errors li').count()).toBe(2);
    const texts = await page.locator('#errors li .message').allTextContents();
    expect(texts.join('\n')).toContain('render failed in <Todo>');
    expect(texts.join('\n')).toContain('Unhandled rejection: fetch todos failed');
    expect(await page.isVisible('#app-errors')).toBe(true);
    await until(() => events.filter((e) => e.type === 'runtime-error').length >= 2, 5000, 'the errors reported to the server');
    const kinds = events.filter((e): e is Extract<DevServerEvent, { type: 'runtime-error' }> => e.type === 'runtime-error').map((e) => e.error.kind);
    expect(kinds).toEqual(expect.arrayContaining(['error', 'unhandledrejection']));
    await page.close();
  });

  it('the simulator’s clock moves the app’s Date.now() and the tokens’ expiry together', async () => {
    const { page } = await openPage(server.simulatorUrl);
    const app = page.frameLocator('#app');
    await expect.poll(() => app.locator('#title').textContent()).toMatch(/^Home /);
    await app.locator('#token').click();
    await expect.poll(() => app.locator('#expired').textContent()).toBe('false');
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    const expiresAt = await frame.evaluate(async () => {
      const w = window as unknown as { MiniAppBridge: { call(m: string, p: unknown): Promise<{ expiresAt: number }> } };
      return (await w.MiniAppBridge.call('auth.getToken', { scope: 'profile' })).expiresAt;
    });
    const before = await frame.evaluate(() => Date.now());
    expect(expiresAt).toBeGreaterThan(before);
    await page.click('[data-advance="900000"]');
    await page.click('[data-advance="60000"]');
    const after = await frame.evaluate(() => Date.now());
    expect(after - before).toBeGreaterThanOrEqual(16 * 60_000);
    expect(after - before).toBeLessThan(16 * 60_000 + 30_000);
    // new Date() follows too, and the token issued before is expired by the app's own check.
    expect(await frame.evaluate(() => Math.abs(Date.parse(new Date().toISOString()) - Date.now()))).toBeLessThan(1000);
    expect(await frame.evaluate((e) => e <= Date.now(), expiresAt)).toBe(true);
    await app.locator('#now').click();
    expect(Number(await app.locator('#clock').textContent())).toBeGreaterThanOrEqual(after);
    await page.close();
  });

  it('shows the whole rotated iPad: nothing cut off to the left', async () => {
    const { page } = await openPage(server.simulatorUrl, { width: 1280, height: 800 });
    await page.selectOption('#device', { label: 'iPad mini (768×1024)' });
    await page.click('#rotate');
    const frame = (await page.locator('#frame').boundingBox())!;
    const stage = (await page.locator('.stage').boundingBox())!;
    expect(frame.width).toBeGreaterThan(1024);
    expect(frame.x).toBeGreaterThanOrEqual(stage.x);
    // The right edge is reachable by scrolling the stage.
    const reachable = await page.locator('.stage').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(stage.x + stage.width + reachable).toBeGreaterThanOrEqual(frame.x + frame.width - 1);
    await page.close();
  });
});

describe.runIf(haveBrowser || process.env.CI)('a project that never built, in Chromium', () => {
  it('the overlay does not claim a last good build is served', async () => {
    const browser = await launchChromium();
    const project = makeProject({ 'src/message.js': "export const message = 'never closed;\n" });
    const server = await createDevServer({ projectDir: project.dir, port: 0 });
    try {
      const page = await browser.newPage();
      await page.goto(server.url);
      const overlay = page.locator('miniapp-error-overlay');
      await overlay.waitFor({ state: 'attached', timeout: 10_000 });
      const text = await overlay.evaluate((el) => el.shadowRoot!.textContent);
      expect(text).toContain('No build has succeeded yet');
      expect(text).not.toContain('still served');
      project.write('src/message.js', "export const message = 'fixed now';\n");
      await expect.poll(() => page.textContent('#title'), { timeout: 10_000 }).toBe('fixed now');
    } finally {
      await browser.close();
      await server.close();
      project.cleanup();
    }
  });
});
