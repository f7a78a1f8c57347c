import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionDir } from '../src/host/app-store.js';
import { launchSandboxedApp } from '../src/host/sandboxed-app.js';
import { startSandbox } from '../src/sandbox/index.js';
import { tempDir } from './helpers/host-fixtures.js';
import { NetworkGate } from '../src/host/policy-channel.js';
import { doneOf, testHost, type TestHost } from './helpers/host-apps.js';

let h: TestHost;
beforeAll(async () => {
  h = await testHost({ limits: { busyMs: 1000, memoryMb: 64, messagesPerSecond: 5000 } });
  await h.install(
    'com.partner.bystander',
    `
    window.addEventListener('miniapp:shown', () => {});
    console.log('DONE {}');
  `,
  );
});
afterAll(async () => {
  await h.manager.close();
});

/** The bystander app still answers a bridge call: the host and other apps are unharmed. */
async function bystanderAlive(): Promise<void> {
  const app = await h.manager.launch('com.partner.bystander');
  const r = await Promise.race([app.host.waitForIdle().then(() => 'idle'), new Promise((r) => setTimeout(() => r('stuck'), 3000))]);
  expect(r).toBe('idle');
  expect(await doneOf(app)).toEqual({});
}

describe('per-app limits stop only the offender', () => {
  it.each([
    ['memory in ArrayBuffers', 'window.keep = []; setTimeout(function grow() { keep.push(new ArrayBuffer(8 * 1024 * 1024)); setTimeout(grow, 5); }, 0);', 'MEMORY_LIMIT'],
    [
      // The page reaches the sandbox realm's Object.prototype through a DOM object's prototype chain and
      // makes the heartbeat report no memory: the host's own reading of the process still stops it.
      'memory behind a forged heartbeat',
      `let p = document, top; while (p) { top = p; p = Object.getPrototypeOf(p); }
       top.toJSON = function () { return this && this.type === 'pong' ? { type: 'pong', seq: this.seq, memory: { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }, timers: 0 } : this; };
       window.keep = []; setTimeout(function grow() { if (keep.length < 50) { keep.push(new Uint8Array(8 * 1024 * 1024).fill(1)); setTimeout(grow, 5); } }, 0);`,
      'MEMORY_LIMIT',
    ],
    ['a synchronous loop', 'setTimeout(() => { for (;;) {} }, 0);', 'CPU_LIMIT'],
    ['a microtask loop', 'setTimeout(() => { const spin = () => Promise.resolve().then(spin); spin(); }, 0);', 'CPU_LIMIT'],
    ['a timer flood', 'for (let i = 0; i < 20000; i++) setTimeout(() => {}, 600000);', 'TIMER_FLOOD'],
    // A flood also keeps the event loop busy: on a loaded machine the host's outside measurement of the
    // busy loop may strike before the message rate does. Either way it is stopped at a limit.
    ['a bridge-call flood', "setInterval(() => { for (let i = 0; i < 200; i++) MiniAppBridge.call('device.info', {}).catch(() => {}); }, 0);", 'MESSAGE_FLOOD|CPU_LIMIT'],
  ])('%s', async (_name, script, reason) => {
    const id = `com.partner.hog${reason.toLowerCase().replace(/[_|]/g, '')}${Math.floor(Math.random() * 1e6)}`;
    await h.install(id, script);
    // The limit may strike while the page is still loading (launch rejects) or after (the app exits).
    const exit = await h.manager.launch(id).then(
      (app) => Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running'), 8000))]),
      (err) => ({ reason: err.args?.reason, code: err.code }),
    );
    const coded = expect.stringMatching(new RegExp(`^(${reason})$`));
    expect(exit).toMatchObject({ reason: coded });
    expect(h.audit.events.find((e) => e.type === 'limit.violation' && e.app === id)).toMatchObject({ reason: coded });
    await bystanderAlive();
  });

  it('deep recursion is a reported error inside the app, which keeps running', async () => {
    await h.install(
      'com.partner.recurse',
      `
      function down(n) { return down(n + 1) + 1; }
      setTimeout(() => { down(0); }, 0);
      setTimeout(async () => { const info = await MiniAppBridge.call('device.info', {}); console.log('DONE ' + JSON.stringify({ alive: !!info })); }, 50);
    `,
    );
    const app = await h.manager.launch('com.partner.recurse');
    expect(await doneOf(app)).toEqual({ alive: true });
    expect(app.host.snapshot().errors.some((e) => /Maximum call stack/.test(e.message))).toBe(true);
  });
});

describe('a sandbox that stops before it is ready', () => {
  it('fails the launch with a coded error (APP_CRASHED), not a bare Error', async () => {
    const dir = tempDir();
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, 'export async function start() { throw new Error("boot failed"); }\n');
    const sandbox = startSandbox({ entry, readPaths: [`${dir}/*`] });
    await h.install('com.partner.neverready', 'console.log("DONE {}")');
    const appDir = versionDir(h.appsDir, 'com.partner.neverready', '1.0.0');
    const manifest = JSON.parse(readFileSync(join(appDir, 'manifest.json'), 'utf8'));
    await expect(launchSandboxedApp({ dir: appDir, manifest, hostVersion: '3.4.0', sandbox })).rejects.toMatchObject({ code: 'APP_CRASHED', args: { reason: 'CRASHED' } });
  });
});

describe('lifecycle across apps', () => {
  it('suspends an idle app (nothing of it runs), resumes it, and fires a due timer once', async () => {
    const idle = await testHost({ idleSuspendMs: 200 });
    try {
      await idle.install(
        'com.partner.sleepy',
        `
        window.fired = 0;
        setTimeout(() => { fired++; console.log('FIRED ' + fired); }, 600);
      `,
      );
      const app = await idle.manager.launch('com.partner.sleepy');
      await new Promise((r) => setTimeout(r, 450));
      expect(app.suspended).toBe(true);
      await new Promise((r) => setTimeout(r, 400)); // the timer is now overdue, but the app is frozen
      expect(app.host.snapshot().console.filter((c) => c.text.startsWith('FIRED'))).toHaveLength(0);
      const t0 = performance.now();
      idle.manager.resume('com.partner.sleepy');
      await new Promise((r) => setTimeout(r, 150));
      expect(
        app.host
          .snapshot()
          .console.filter((c) => c.text.startsWith('FIRED'))
          .map((c) => c.text),
      ).toEqual(['FIRED 1']);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(idle.audit.events.map((e) => e.type)).toEqual(expect.arrayContaining(['app.suspend', 'app.resume']));
    } finally {
      await idle.manager.close();
    }
  });

  it('reclaims suspended apps before active ones under memory pressure', async () => {
    const r = await testHost();
    try {
      await r.install('com.partner.front', 'console.log("DONE {}")');
      await r.install('com.partner.back', 'console.log("DONE {}")');
      await r.manager.launch('com.partner.back');
      await r.manager.launch('com.partner.front');
      r.manager.suspend('com.partner.back');
      const total = r.manager.totalMemory();
      expect(Object.keys(total.perApp)).toHaveLength(2);
      // A budget 5 MB under the current total (a sandbox is ~25 MB): closing one app is enough, and it
      // must be the background one.
      const reclaimed = await r.manager.reclaim(total.total - 5 * 1048576);
      expect(reclaimed).toEqual(['com.partner.back']);
      expect(r.manager.get('com.partner.front')).toBeDefined();
    } finally {
      await r.manager.close();
    }
  });

  it('one app opens another only when the host allows the pair, and every decision is audited', async () => {
    const m = await testHost({ messaging: { 'com.partner.a': ['com.partner.b'] } });
    try {
      const opener = (target: string) =>
        `MiniAppBridge.call('navigation.openMiniProgram', { appId: '${target}', path: 'index.html' }).then(() => console.log('DONE {"opened":true}'), (e) => console.log('DONE ' + JSON.stringify({ code: e.code })));`;
      await m.install('com.partner.a', opener('com.partner.b'));
      await m.install('com.partner.b', opener('com.partner.a'));
      const a = await m.manager.launch('com.partner.a');
      const opened = await doneOf(a);
      expect([opened, a.host.snapshot().calls.map((c) => c.error?.message)]).toEqual([{ opened: true }, [undefined]]);
      const b = m.manager.get('com.partner.b')!.app;
      // b was opened by a; b may not open a back, and sees the same answer as for an app that is not there.
      expect(await doneOf(b)).toEqual({ code: 'APP_NOT_FOUND' });
      expect(m.audit.events.filter((e) => e.type.startsWith('message.')).map((e) => `${e.type} ${e.app}->${e.to}`)).toEqual([
        'message.allowed com.partner.a->com.partner.b',
        'message.denied com.partner.b->com.partner.a',
      ]);
    } finally {
      await m.manager.close();
    }
  });
});

describe('shared network cap', () => {
  it('lets at most max requests run at once, the rest start in order as slots free', () => {
    const gate = new NetworkGate(2);
    const started: number[] = [];
    for (let i = 0; i < 5; i++) gate.acquire(() => started.push(i));
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(3);
    gate.release();
    expect(started).toEqual([0, 1, 2]);
    gate.release();
    gate.release();
    gate.release();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(gate.active).toBe(1);
  });
});
