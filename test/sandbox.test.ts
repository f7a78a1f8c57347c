import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { tempDir } from './helpers/temp.js';

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

/** Writes an entry module whose start(channel) body is `body`, and starts a sandbox on it. */
function sandboxWith(body: string, limits = {}, onMessage?: (d: unknown) => void): Sandbox {
  const dir = tempDir('sandbox');
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, `export async function start(channel, init) {\n${body}\n}\n`);
  const s = startSandbox({ entry, readPaths: [`${dir}/*`], limits, onMessage, checkIntervalMs: 50 });
  open.push(s);
  return s;
}

const nextMessage = (s: Sandbox, messages: unknown[]) =>
  new Promise<unknown>((resolve) => {
    const poll = setInterval(() => {
      if (messages.length) {
        clearInterval(poll);
        resolve(messages.shift());
      }
    }, 5);
    s.exited.then(() => clearInterval(poll));
  });

describe('sandbox process', () => {
  it('carries plain-data messages both ways', async () => {
    const got: unknown[] = [];
    const s = sandboxWith('channel.onMessage((d) => channel.send({ echo: d }));', {}, (d) => got.push(d));
    await s.ready;
    s.send({ n: 1, list: [1, 2] });
    expect(await nextMessage(s, got)).toEqual({ echo: { n: 1, list: [1, 2] } });
  });

  it('denies files, processes, workers, the network, the environment and host code generation', async () => {
    const got: unknown[] = [];
    const s = sandboxWith(
      `
      const r = {};
      const attempt = async (name, fn) => { try { await fn(); r[name] = 'ALLOWED'; } catch (e) { r[name] = e.code || e.name; } };
      await attempt('readHostFile', async () => (await import('node:fs')).readFileSync('/etc/hostname'));
      await attempt('writeFile', async () => (await import('node:fs')).writeFileSync('/tmp/miniapp-sandbox-escape', 'x'));
      await attempt('childProcess', async () => (await import('node:child_process')).execSync('true'));
      await attempt('worker', async () => new (await import('node:worker_threads')).Worker('1', { eval: true }));
      await attempt('netConnect', async () => (await import('node:net')).connect(80, '127.0.0.1'));
      await attempt('httpGet', async () => (await import('node:https')).get('https://example.com'));
      await attempt('dnsLookup', async () => (await import('node:dns')).lookup('example.com', () => {}));
      await attempt('fetch', async () => fetch('https://example.com'));
      await attempt('functionConstructor', async () => Function('return process')());
      await attempt('binding', async () => process.binding('fs'));
      r.envKeys = Object.keys(process.env).length;
      channel.send(r);
      `,
      {},
      (d) => got.push(d),
    );
    await s.ready;
    expect(await nextMessage(s, got)).toEqual({
      readHostFile: 'ERR_ACCESS_DENIED',
      writeFile: 'ERR_ACCESS_DENIED',
      childProcess: 'ERR_ACCESS_DENIED',
      worker: 'ERR_ACCESS_DENIED',
      netConnect: 'ERR_SANDBOX_NETWORK',
      httpGet: 'ERR_SANDBOX_NETWORK',
      dnsLookup: 'ERR_SANDBOX_NETWORK',
      fetch: 'ERR_SANDBOX_NETWORK',
      functionConstructor: 'EvalError',
      binding: 'ERR_ACCESS_DENIED',
      envKeys: 0,
    });
  });

  it.each([
    ['a synchronous loop', 'setTimeout(() => { for (;;) {} }, 10);', 'CPU_LIMIT'],
    ['a microtask loop', 'setTimeout(() => { const spin = () => Promise.resolve().then(spin); spin(); }, 10);', 'CPU_LIMIT'],
    [
      'ArrayBuffers (outside the V8 heap)',
      'setTimeout(() => { globalThis.keep = []; const grow = () => { globalThis.keep.push(new Uint8Array(8 * 1024 * 1024).fill(1)); setTimeout(grow, 5); }; grow(); }, 10);',
      'MEMORY_LIMIT',
    ],
    [
      'growing heap',
      'setTimeout(() => { globalThis.keep = []; const grow = () => { for (let i = 0; i < 1e4; i++) globalThis.keep.push({ i, s: "x".repeat(20) + i }); setImmediate(grow); }; grow(); }, 10);',
      'MEMORY_LIMIT',
    ],
    ['a message flood', 'setTimeout(() => { const flood = () => { for (let i = 0; i < 5000; i++) channel.send(i); setImmediate(flood); }; flood(); }, 10);', 'MESSAGE_FLOOD'],
  ])('stops %s with %s', async (_name, body, reason) => {
    // A generous busy limit for the memory cases: GC pauses on a loaded CI machine are not runaways.
    const s = sandboxWith(body, { memoryMb: 64, busyMs: reason === 'CPU_LIMIT' ? 400 : 3000, messagesPerSecond: 2000 });
    await s.ready;
    const exit = await s.exited;
    expect(exit.reason).toBe(reason);
    expect(exit.detail).toBeTruthy();
  });

  it('counts ArrayBuffers once: 40 MB of buffers under a 64 MB limit keeps running and is reported as about 40 MB', async () => {
    // Node's `external` already includes ArrayBuffers; adding `arrayBuffers` again would stop this app at ~32 MB.
    const got: unknown[] = [];
    const s = sandboxWith('setTimeout(() => { globalThis.keep = new Uint8Array(40 * 1024 * 1024).fill(1); channel.send("held"); }, 10);', { memoryMb: 64, busyMs: 3000 }, (d) => got.push(d));
    await s.ready;
    expect(await nextMessage(s, got)).toBe('held');
    // Let a few heartbeats report the memory in use.
    const seen = s.memory().report;
    for (let i = 0; i < 200 && s.memory().report === seen; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    const exited = await Promise.race([s.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 0))]);
    expect(exited).toBeUndefined();
    const mb = s.memory().guestBytes / 1048576;
    expect(mb).toBeGreaterThan(36);
    expect(mb).toBeLessThan(56);
  });

  it('suspends: nothing runs while suspended, and a due timer fires once on resume', async () => {
    const got: unknown[] = [];
    const s = sandboxWith('let n = 0; setInterval(() => channel.send(++n), 20);', {}, (d) => got.push(d));
    await s.ready;
    await new Promise((r) => setTimeout(r, 100));
    s.suspend();
    await new Promise((r) => setTimeout(r, 50));
    const before = got.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(got.length).toBe(before);
    s.resume();
    // The overdue interval fires once (no catch-up burst for the missed ticks); a loaded machine may
    // take a moment to schedule the resumed process, so wait for the first tick rather than a fixed time.
    for (let i = 0; i < 400 && got.length === before; i++) await new Promise((r) => setTimeout(r, 5));
    expect(got.length - before).toBeGreaterThanOrEqual(1);
    expect(got.length - before).toBeLessThanOrEqual(2);
    expect(s.suspended).toBe(false);
  });

  it('close() is idempotent and reports STOPPED', async () => {
    const s = sandboxWith('');
    await s.ready;
    const [a, b] = await Promise.all([s.close(), s.close()]);
    expect(a).toEqual(b);
    expect(a.reason).toBe('STOPPED');
  });

  it('a failing entry never becomes ready and is reported', async () => {
    const s = sandboxWith('throw new Error("boom at load");');
    await expect(s.ready).rejects.toThrow(/sandbox stopped before it was ready/);
    const exit = await s.exited;
    expect(exit.reason).toBe('CRASHED');
    expect(exit.detail).toContain('boom at load');
  });
});

describe('sandbox guest bundle', () => {
  it('is strict code: the directive is its first statement (a shim line before it once made the whole bundle sloppy)', async () => {
    const { readFileSync } = await import('node:fs');
    const { sandboxGuestEntry } = await import('../src/host/guest-sandbox.js');
    expect(readFileSync(sandboxGuestEntry(), 'utf8').split('\n', 1)[0]).toBe('"use strict";');
  });

  it("loads with the code cache the build made (V8 accepts it under the sandboxes' default flags), and not under other flags", async () => {
    const { execFileSync } = await import('node:child_process');
    const { DEFAULT_MEMORY_MB, sandboxHeapMb, sandboxV8Flags } = await import('../src/sandbox/index.js');
    const { sandboxGuestEntry } = await import('../src/host/guest-sandbox.js');
    const probe = (flags: string[]) => {
      const script = `import { loadCommonJsEntry } from ${JSON.stringify(new URL('../dist/sandbox/entry-loader.js', import.meta.url).href)};\nconst r = loadCommonJsEntry(${JSON.stringify(sandboxGuestEntry())});\nconsole.log(JSON.stringify({ rejected: r.cacheRejected, start: typeof r.exports.start }));\nprocess.exit(0);\n`;
      return JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
    };
    expect(probe(sandboxV8Flags(sandboxHeapMb(DEFAULT_MEMORY_MB)))).toEqual({ rejected: false, start: 'function' });
    // Another heap cap (an app given another memory limit) is another flag set: V8 compiles instead.
    expect(probe(sandboxV8Flags(sandboxHeapMb(DEFAULT_MEMORY_MB * 2)))).toEqual({ rejected: true, start: 'function' });
  });
});

describe('sandbox reply wait', () => {
  it('a guest waiting for a reply gets fast and slow replies, in order, and keeps answering heartbeats', async () => {
    const got: Array<{ reply: number }> = [];
    // The guest sends a request, says it expects a reply, and reports each reply it receives.
    const s = sandboxWith(
      `channel.onMessage((m) => { channel.send({ reply: m.n }); if (m.again) { channel.send({ request: m.n + 1 }); channel.expectReply?.(); } });
       channel.send({ request: 0 }); channel.expectReply?.();`,
      {},
      (d) => {
        const m = d as { reply?: number; request?: number };
        if (m.reply !== undefined) got.push({ reply: m.reply });
        if (m.request !== undefined) {
          // Alternate instant answers and answers slower than any wait (the guest goes back to its event loop).
          const answer = () => s.send({ n: m.request, again: m.request! < 5 });
          if (m.request % 2) setTimeout(answer, 30);
          else answer();
        }
      },
    );
    await s.ready;
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (got.length < 6) return;
        clearInterval(poll);
        resolve();
      }, 5);
    });
    expect(got.map((g) => g.reply)).toEqual([0, 1, 2, 3, 4, 5]);
    // The heartbeat kept being answered (a stuck guest would be stopped as a CPU_LIMIT).
    await new Promise((r) => setTimeout(r, 250));
    expect(s.memory().report).toBeDefined();
    expect(await Promise.race([s.exited, new Promise((r) => setTimeout(() => r('running'), 50))])).toBe('running');
  });
});
