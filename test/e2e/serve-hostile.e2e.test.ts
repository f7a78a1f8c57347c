import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { binPath } from '../helpers/cli.js';
import { makeProject, until } from '../helpers/serve-fixture.js';
import { CHROMIUM, haveBrowser, launchChromium } from '../helpers/chromium.js';

// Hostile pages in real Chromium against `miniapp serve` as a user starts it (the built binary, with
// --inspect): a page's own scripts (an app's dependency has the token the page carries) and a page on
// another origin try to stop the server, flood it, reach the terminal, or read the token. The server
// must stay up, the other pages keep reloading, the terminal gets escaped text, and each kind of refusal
// is printed once. Needs dist/ (`npm test` builds first).
if (!haveBrowser && !process.env.CI) console.warn(`[serve hostile e2e] skipped: no browser at ${CHROMIUM} (apt-get install chromium to run them)`);

const APP = {
  'index.html': '<!doctype html><html><head><meta charset="utf-8"><title>app</title></head><body><h1 id="title">loading</h1><script type="module" src="./src/main.js"></script></body></html>',
  'src/main.js': "import { message } from './message.js';\ndocument.getElementById('title').textContent = message;\n",
  'src/message.js': "export const message = 'v0';\n",
};

/** What a script in a served page can do with the page's token: its own WebSocket to the server. */
type Attack = { sent: number; closes: number[] };

// Control characters other than the line feed: none may reach the terminal raw.
/** Each test drives Chromium and the CLI at once: on two cores shared with the rest of the suite, minutes. */
const SLOW = 180_000;

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe.runIf(haveBrowser || process.env.CI)('miniapp serve against hostile pages in Chromium', () => {
  let browser: Browser;
  let project: ReturnType<typeof makeProject>;
  let child: ChildProcessWithoutNullStreams;
  let url = '';
  let rawErr = '';
  let rawOut = '';
  let exit: Promise<number | null>;
  let evil: Server;
  let evilUrl = '';
  let token = '';
  let saves = 0;
  const pages: Page[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    project = makeProject(APP);
    child = spawn(process.execPath, [binPath, 'serve', project.dir, '--port', '0', '--inspect'], { env: { ...process.env, NO_COLOR: '1', CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => (rawOut += d));
    child.stderr.on('data', (d) => (rawErr += d));
    exit = new Promise((resolve) => child.on('close', (code) => resolve(code)));
    url = await until(() => /Ctrl-C to stop/.test(rawErr) && /Local:\s+(http:\/\/\S+)/.exec(rawErr)?.[1], 45_000, 'the URL');
    token = /data-miniapp-token="(\w+)"/.exec(await (await fetch(url)).text())![1]!;
    // Another origin (another port): a site the developer has open in another tab.
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><html><body><h1>evil</h1></body></html>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
  }, SLOW);

  afterAll(async () => {
    await browser?.close();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await new Promise<void>((r) => (evil ? evil.close(() => r()) : r()));
    if (process.env.SERVE_HOSTILE_LOG) (await import('node:fs')).writeFileSync(process.env.SERVE_HOSTILE_LOG, rawErr);
    project?.cleanup();
  });

  const openApp = async (at = url): Promise<Page> => {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(at);
    return page;
  };

  /** A save; every page given must show it (they keep reloading, whatever the hostile page did). */
  const saveAndExpectReload = async (watching: Page[]) => {
    const text = `save ${++saves}`;
    project.write('src/message.js', `export const message = '${text}';\n`);
    for (const p of watching) await expect.poll(() => p.textContent('#title'), { timeout: 20_000 }).toBe(text);
  };

  /** Lines of the terminal (stderr) that contain `needle`. */
  const linesWith = (needle: string) => rawErr.split('\n').filter((l) => l.includes(needle));

  it(
    'a page that sends garbage, deep nesting, wrong types, floods and oversized frames does not stop the server',
    async () => {
      const bystanders = [await openApp(), await openApp()];
      for (const p of bystanders) await expect.poll(() => p.textContent('#title')).toBe('v0');
      const hostile = await openApp();
      await expect.poll(() => hostile.textContent('#title')).toBe('v0');
      const result: Attack = await hostile.evaluate(async () => {
        const tag = document.querySelector('script[data-miniapp-token]')!;
        const wsUrl = `ws://${location.host}/__miniapp/ws?token=${tag.getAttribute('data-miniapp-token')}`;
        const open = () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(wsUrl);
            ws.onopen = () => resolve(ws);
            ws.onerror = () => reject(new Error('refused'));
          });
        const closed = (ws: WebSocket) => new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)));
        const out: Attack = { sent: 0, closes: [] };
        const ws = await open();
        const send = (text: string | ArrayBuffer) => {
          ws.send(text);
          out.sent++;
        };
        const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
        for (let i = 0; i < 3; i++) {
          send(`{"type":"bridge-call","call":{"method":"x","outcome":"ok","params":${deep(10_000)}}}`);
          send('not json at all');
          send('[1,2,3]');
          send(JSON.stringify({ type: 'ack', id: 'one' }));
          send(JSON.stringify({ type: 'bridge-call', call: 5 }));
          send(JSON.stringify({ type: 'bridge-call', call: { method: 7, outcome: 'ok' } }));
          send(JSON.stringify({ type: 'runtime-error', error: { kind: 'panic', message: 'x' } }));
          send(JSON.stringify({ type: `new-kind-${i}` }));
          send(JSON.stringify({ type: 'reload', id: 99, hash: 'x' }));
          send(JSON.stringify({ __proto__: { type: 'ack' }, constructor: { prototype: { polluted: true } } }));
          send(new Uint8Array([0xff, 0x00, 0x7b]).buffer);
        }
        // A flood: far more than the 200 messages a second a client may send.
        for (let i = 0; i < 3000; i++) send(JSON.stringify({ type: 'bridge-call', call: { id: `f${i}`, method: 'storage.get', params: { key: 'k' }, outcome: 'ok', latencyMs: 0, startedAt: '' } }));
        // A frame over 1 MB closes its connection (1009), on a socket of its own.
        const big = await open();
        const bigClosed = closed(big);
        big.send('x'.repeat(2 * 1024 * 1024));
        out.closes.push(await bigClosed);
        // Many sockets at once: more than the server's cap (64).
        const many = await Promise.allSettled(Array.from({ length: 80 }, open));
        const opened = many.filter((m) => m.status === 'fulfilled').map((m) => (m as PromiseFulfilledResult<WebSocket>).value);
        out.sent += opened.length;
        for (const s of opened) s.close();
        ws.close();
        return out;
      });
      expect(result.closes).toEqual([1009]);
      // The server is up and the other pages still reload on a save (the hostile one too: its client is intact).
      expect((await fetch(url)).status).toBe(200);
      await saveAndExpectReload([...bystanders, hostile]);
      // Each kind of refusal is printed once, however many times it was sent.
      await until(() => linesWith('ignored a message from a page').length >= 5, 5000, 'the refusal lines');
      const ignored = linesWith('ignored a message from a page');
      expect(new Set(ignored).size).toBe(ignored.length);
      for (const kind of ['nested deeper than 32', 'not JSON', 'not a JSON object', 'ack.id', 'call must be an object', 'call.method', 'error.kind', 'unknown type', 'binary frame', 'messages or']) {
        expect(
          ignored.filter((l) => l.includes(kind)),
          kind,
        ).toHaveLength(1);
      }
      // The oversized frame is named once too.
      expect(linesWith('larger than 1 MB')).toHaveLength(1);
      // The flood's valid calls printed under --inspect stop at the rate limit (200 a second): not 3,000 lines.
      expect(linesWith('bridge storage.get').length).toBeLessThan(1000);
      for (const p of [...bystanders, hostile]) await p.close();
    },
    SLOW,
  );

  it(
    'escapes the terminal sequences in a page’s errors, rejections and bridge calls',
    async () => {
      const page = await openApp();
      await expect.poll(() => page.textContent('#title')).toMatch(/^save /);
      await page.evaluate(() => {
        const esc = '\u001b';
        const title = `${esc}]0;pwned\u0007`;
        const clear = `${esc}[2J${esc}[H`;
        const link = `${esc}]8;;http://evil.example/${esc}\\click${esc}]8;;${esc}\\`;
        setTimeout(() => {
          throw new Error(`render failed${title}${clear}\u009b31m\u202eevil`);
        });
        void Promise.reject(new Error(`fetch failed${link}`));
        const bridge = (window as unknown as { MiniAppBridge: { call(m: string, p: unknown): Promise<unknown> } }).MiniAppBridge;
        void bridge.call(`storage.get${title}`, { key: clear }).catch(() => undefined);
      });
      await until(() => linesWith('uncaught error in the app').length && linesWith('unhandled rejection in the app').length && linesWith('bridge storage.get\\x1b').length, 10_000, 'the three lines');
      expect(rawErr).not.toMatch(CONTROL);
      expect(linesWith('uncaught error in the app')[0]).toContain('render failed\\x1b]0;pwned\\x07\\x1b[2J\\x1b[H\\x9b31m\\u202eevil');
      expect(linesWith('unhandled rejection in the app')[0]).toContain('fetch failed\\x1b]8;;http://evil.example/\\x1b\\click');
      await page.close();
    },
    SLOW,
  );

  it(
    'a page on another origin cannot read the token, open the WebSocket or reload, and is logged once per kind',
    async () => {
      const watcher = await openApp();
      await expect.poll(() => watcher.textContent('#title')).toMatch(/^save /);
      const rebuildsBefore = linesWith('built in').length;
      const evilPage = await browser.newPage();
      pages.push(evilPage);
      await evilPage.goto(evilUrl);
      const seen: string[] = await evilPage.evaluate(async (target) => {
        const found: string[] = [];
        const note = (what: string, text: unknown) => found.push(`${what}: ${String(text).slice(0, 20000)}`);
        for (const path of ['', 'index.html', '__miniapp/', '__miniapp/client.js', 'manifest.json']) {
          try {
            note(`fetch ${path}`, await (await fetch(target + path)).text());
          } catch (e) {
            note(`fetch ${path} refused`, (e as Error).name);
          }
        }
        // The app and the simulator in frames: the documents are another origin's.
        for (const path of ['', '__miniapp/']) {
          const frame = document.createElement('iframe');
          frame.src = target + path;
          document.body.appendChild(frame);
          await new Promise((r) => (frame.onload = r));
          try {
            note(`frame ${path}`, frame.contentDocument?.documentElement.outerHTML ?? 'no document');
          } catch (e) {
            note(`frame ${path} refused`, (e as Error).name);
          }
          // postMessage: nobody there answers requests for the token.
          const answers: unknown[] = [];
          window.addEventListener('message', (e) => answers.push(e.data));
          frame.contentWindow!.postMessage({ type: 'getToken' }, '*');
          frame.contentWindow!.postMessage({ type: 'hello', token: '?' }, '*');
          await new Promise((r) => setTimeout(r, 300));
          note(`answers ${path}`, JSON.stringify(answers));
        }
        // Its WebSocket (with no token, with a guessed one), many times.
        const wsBase = `${target.replace('http', 'ws')}__miniapp/ws`;
        for (let i = 0; i < 20; i++) {
          const code = await new Promise<string>((resolve) => {
            const ws = new WebSocket(i % 2 ? `${wsBase}?token=guess${i}` : wsBase);
            ws.onopen = () => resolve('opened');
            ws.onclose = (e) => resolve(`closed ${e.code}`);
          });
          note('ws', code);
        }
        // A cross-site reload, many times (no-cors: the page cannot read the answer, but the request is sent).
        for (let i = 0; i < 20; i++) await fetch(`${target}__miniapp/reload`, { method: 'POST', mode: 'no-cors' }).catch(() => undefined);
        return found;
      }, url);
      const all = seen.join('\n');
      expect(all).not.toContain(token);
      expect(seen.filter((s) => s.startsWith('fetch ') && !s.includes('refused'))).toEqual([]);
      // A cross-origin frame's document is not there for the embedding page (null, or a SecurityError).
      expect(seen.filter((s) => s.startsWith('frame ') && !s.includes('refused') && !s.endsWith(': no document'))).toEqual([]);
      expect(seen.filter((s) => s.startsWith('answers '))).toEqual(['answers : []', 'answers __miniapp/: []']);
      expect(seen.filter((s) => s === 'ws: opened')).toEqual([]);
      // None of the 20 reloads rebuilt; the refusals are printed once per kind, never with the token.
      await until(() => linesWith('refused /__miniapp/reload').length, 5000, 'the reload refusal');
      await new Promise((r) => setTimeout(r, 300));
      expect(linesWith('built in').length).toBe(rebuildsBefore);
      expect(linesWith('refused /__miniapp/reload')).toHaveLength(1);
      expect(linesWith(`refused /__miniapp/ws`).filter((l) => l.includes(`from ${evilUrl.slice(0, -1)}`))).toHaveLength(1);
      expect(rawErr).not.toContain(token);
      // The developer's own page still reloads.
      await saveAndExpectReload([watcher]);
      await evilPage.close();
      await watcher.close();
    },
    SLOW,
  );

  it(
    'an app in the simulator that posts junk to it and floods its bridge leaves the simulator working',
    async () => {
      const sim = await openApp(`${url}__miniapp/`);
      const app = sim.frameLocator('#app');
      await expect.poll(() => app.locator('#title').textContent()).toMatch(/^(save \d+|v0)$/);
      await expect.poll(() => sim.textContent('#status')).toBe('up to date');
      const frame = sim.frames().find((f) => f !== sim.mainFrame())!;
      await frame.evaluate(async () => {
        const deep = (n: number): unknown => {
          let v: unknown = 1;
          for (let i = 0; i < n; i++) v = [v];
          return v;
        };
        // postMessage to the simulator: fake protocol messages, deep and huge values.
        for (const m of [{ type: 'reload', id: 1 }, { type: 'hello', protocol: 1 }, deep(1000), 'x'.repeat(4 * 1024 * 1024), { __proto__: { polluted: 1 } }]) window.parent.postMessage(m, '*');
        const bridge = (window as unknown as { MiniAppBridge: { call(m: string, p: unknown): Promise<unknown> } }).MiniAppBridge;
        const quiet = (p: Promise<unknown>) => p.catch(() => undefined);
        // Calls whose params are too big or too deep for the wire, and a flood of small ones.
        await quiet(bridge.call('storage.set', { key: 'big', value: 'x'.repeat(3 * 1024 * 1024) }));
        await quiet(bridge.call('storage.set', { key: 'deep', value: deep(2000) }));
        await Promise.all(Array.from({ length: 3000 }, (_, i) => quiet(bridge.call('storage.get', { key: `k${i}` }))));
      });
      // The simulator lists the big calls (bounded), keeps its inspector bounded, and stays connected.
      await expect.poll(() => sim.textContent('#call-count')).toBe('3002');
      expect(await sim.locator('#inspector tbody tr').count()).toBeLessThanOrEqual(1000);
      // The big and deep calls are kept as bounded copies (what the server was sent too).
      const kept = await sim.evaluate(() =>
        (window as unknown as { __miniappSimulator: { calls: { method: string; params: unknown }[] } }).__miniappSimulator.calls
          .filter((c) => c.method === 'storage.set')
          .map((c) => JSON.stringify(c).length),
      );
      expect(kept).toHaveLength(2);
      for (const size of kept) expect(size).toBeLessThan(100_000);
      expect(await sim.evaluate(() => (Object.prototype as Record<string, unknown>).polluted)).toBeUndefined();
      expect((await fetch(url)).status).toBe(200);
      // A save still reaches the app in the frame and the simulator's own status.
      const text = `save ${++saves}`;
      project.write('src/message.js', `export const message = '${text}';\n`);
      await expect.poll(() => app.locator('#title').textContent(), { timeout: 20_000 }).toBe(text);
      await expect.poll(() => sim.textContent('#status')).toBe('up to date');
      // The simulator's socket was never cut off for an oversized frame.
      expect(linesWith('larger than 1 MB')).toHaveLength(1);
      await sim.close();
    },
    SLOW,
  );

  it(
    'a page that holds every client slot with silent sockets: the simulator and a new page still connect and reload',
    async () => {
      const hostile = await openApp();
      await expect.poll(() => hostile.textContent('#title')).toMatch(/^(save \d+|v0)$/);
      // Sockets that open and never speak, more than the cap, kept open (its own client is one slot too).
      const opened = await hostile.evaluate(async () => {
        const tag = document.querySelector('script[data-miniapp-token]')!;
        const wsUrl = `ws://${location.host}/__miniapp/ws?token=${tag.getAttribute('data-miniapp-token')}`;
        const held: WebSocket[] = [];
        (window as unknown as { held: WebSocket[] }).held = held;
        const results = await Promise.all(
          Array.from(
            { length: 80 },
            () =>
              new Promise<boolean>((resolve) => {
                const ws = new WebSocket(wsUrl);
                ws.onopen = () => resolve(true);
                ws.onclose = () => resolve(false);
                held.push(ws);
              }),
          ),
        );
        return results.filter(Boolean).length;
      });
      // Chromium opens a host's WebSockets one at a time: a slow batch already gives its own oldest silent sockets' slots to the later ones.
      expect(opened).toBeGreaterThanOrEqual(63);
      // The simulator (its window and its device frame) and a new tab get in within seconds, by taking silent sockets' slots.
      const sim = await openApp(`${url}__miniapp/`);
      const page = await openApp();
      const text = `save ${++saves}`;
      await new Promise((r) => setTimeout(r, 500));
      project.write('src/message.js', `export const message = '${text}';\n`);
      await expect.poll(() => sim.frameLocator('#app').locator('#title').textContent(), { timeout: 30_000 }).toBe(text);
      await expect.poll(() => page.textContent('#title'), { timeout: 30_000 }).toBe(text);
      await expect.poll(() => hostile.textContent('#title'), { timeout: 30_000 }).toBe(text);
      await expect.poll(() => sim.textContent('#status')).toBe('up to date');
      // Said once in the terminal, however many silent sockets gave way.
      await until(() => linesWith('silent for over').length, 5000, 'the idle line');
      expect(linesWith('silent for over')).toHaveLength(1);
      for (const p of [hostile, sim, page]) await p.close();
    },
    SLOW,
  );

  it(
    'after all of it, stops on Ctrl-C with its summary and the counts of what it refused',
    async () => {
      child.kill('SIGINT');
      expect(await exit).toBe(130);
      expect(rawOut).toMatch(/dev server stopped: \d+ builds?/);
      expect(rawErr).toMatch(/refused or ignored while serving: .*× ignored message: /);
      expect(rawErr).not.toMatch(CONTROL);
      expect(rawErr).not.toContain(token);
    },
    SLOW,
  );
});
