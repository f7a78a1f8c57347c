import { request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as WsSocket } from 'ws';
import { createDevServer, createMemoryChannel, LIMITS, parseClientMessage, type DevServer, type DevServerEvent } from '../src/server/index.js';
import { createServedBuilds, RETAINED_BYTES } from '../src/server/served-builds.js';
import { MANIFEST, makeProject, until } from './helpers/serve-fixture.js';

type Project = ReturnType<typeof makeProject>;
const open: { server?: DevServer; project?: Project; sockets?: WsSocket[] }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const s of o.sockets ?? []) s.terminate();
    await o.server?.close();
    o.project?.cleanup();
  }
});

async function start(options: Partial<Parameters<typeof createDevServer>[0]> = {}, files: Record<string, string> = {}) {
  const project = makeProject(files);
  const events: DevServerEvent[] = [];
  const server = await createDevServer({ projectDir: project.dir, port: 0, onEvent: (e) => events.push(e), ackTimeoutMs: 2000, ...options });
  const entry = { server, project, sockets: [] as WsSocket[] };
  open.push(entry);
  const { WebSocket } = await import('ws');
  /** A connected page (or the simulator with role): resolves after hello, keeps every message. */
  const connect = async (role = '') => {
    const ws = new WebSocket(server.wsUrl + (role ? `&role=${role}` : ''));
    entry.sockets.push(ws);
    const messages: { type: string; [k: string]: unknown }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    return { ws, messages };
  };
  return { server, project, events, connect };
}

const call = (params: unknown, method = 'storage.get') => ({ type: 'bridge-call', call: { id: 'c1', method, params, outcome: 'ok', latencyMs: 1, startedAt: new Date().toISOString() } });
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const status = (url: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });

describe('messages from a hostile page', () => {
  it('survives a 20 KB bridge-call nested 10,000 levels deep: dropped, not relayed, the server keeps serving', async () => {
    const { server, events, connect } = await start({ watch: false });
    const attacker = await connect();
    const inspector = await connect('simulator');
    const text = `{"type":"bridge-call","call":{"id":"x","method":"storage.get","outcome":"ok","latencyMs":1,"startedAt":"now","params":${nested(10_000)}}}`;
    expect(text.length).toBeGreaterThan(20_000);
    attacker.ws.send(text);
    attacker.ws.send(JSON.stringify(call({ key: 'after' })));
    await until(() => inspector.messages.some((m) => m.type === 'bridge-call'), 5000, 'the valid call after the attack');
    expect(inspector.messages.filter((m) => m.type === 'bridge-call')).toHaveLength(1);
    expect(events.find((e) => e.type === 'rejected')).toMatchObject({ reason: expect.stringMatching(/nested deeper than 32/) });
    expect(await status(server.url)).toBe(200);
  });

  it('closes a connection that sends a frame over 1 MB with 1009, and keeps the others', async () => {
    const { server, connect } = await start({ watch: false });
    const big = await connect();
    const other = await connect();
    const closed = new Promise<number>((resolve) => big.ws.once('close', (code) => resolve(code)));
    big.ws.send(JSON.stringify(call({ blob: 'x'.repeat(LIMITS.maxFrameBytes + 10) })));
    expect(await closed).toBe(1009);
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    await until(() => server.state().clients === 1, 3000, 'the big sender gone');
  });

  it('fuzz: random and adversarial frames never throw, and what passes is bounded and serialisable', () => {
    const adversarial = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((params) => JSON.stringify(call(params))),
      fc.anything().map((v) => {
        try {
          return JSON.stringify({ type: 'bridge-call', call: v }) ?? '';
        } catch {
          return '';
        }
      }),
      fc.integer({ min: 1, max: 3000 }).map((n) => `{"type":"bridge-call","call":{"method":"m","outcome":"ok","params":${nested(n)}}}`),
      fc.integer({ min: 1, max: 3000 }).map((n) => `{"type":"ack","id":1,"x":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`),
      fc.constantFrom(
        '{"type":"ack","id":1e400}',
        '{"type":"ack","id":-1}',
        '{"type":"__proto__","__proto__":{"polluted":1}}',
        '{"type":"bridge-call","call":{"method":"m","outcome":"ok","params":{"__proto__":{"polluted":1}}}}',
        '"\\u0000"',
        '[]',
        'null',
        '{"type":"runtime-error","error":{"kind":"error","message":"\\u001b]0;pwned\\u0007"}}',
      ),
      fc.record({ type: fc.constantFrom('ack', 'bridge-call', 'runtime-error'), id: fc.anything(), call: fc.anything(), error: fc.anything(), hash: fc.anything() }).map((m) => {
        try {
          return JSON.stringify(m) ?? '';
        } catch {
          return '';
        }
      }),
    );
    fc.assert(
      fc.property(adversarial, (text) => {
        const parsed = parseClientMessage(text);
        if (!parsed.ok) return typeof parsed.reason === 'string';
        const out = JSON.stringify(parsed.message);
        expect(out.length).toBeLessThan(8 * LIMITS.maxFrameBytes);
        expect(({} as { polluted?: number }).polluted).toBeUndefined();
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('fuzz over the wire: 300 random frames from one page, the server answers and relays only valid calls', async () => {
    const { server, connect } = await start({ watch: false });
    const attacker = await connect();
    const inspector = await connect('simulator');
    const frames = fc.sample(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((p) => JSON.stringify(call(p))),
      ),
      { numRuns: 300, seed: 12 },
    );
    let valid = 0;
    for (const [i, f] of frames.entries()) {
      if (parseClientMessage(f).ok && JSON.parse(f).type === 'bridge-call') valid++;
      attacker.ws.send(f);
      // Within the per-second budget (LIMITS.maxMessagesPerSecond): this test is about content, not rate.
      if (i % 150 === 149) await new Promise((r) => setTimeout(r, 1050));
    }
    attacker.ws.send(Buffer.from([0xff, 0xfe, 0x00])); // binary, invalid UTF-8
    attacker.ws.send(JSON.stringify(call({ last: true })));
    await until(() => inspector.messages.filter((m) => m.type === 'bridge-call').length === valid + 1, 10_000, 'every valid call relayed');
    expect(await status(server.url)).toBe(200);
  });

  it('ignores a client over its per-second message budget, and says so', async () => {
    const { events, connect } = await start({ watch: false });
    const flooder = await connect();
    const inspector = await connect('simulator');
    for (let i = 0; i < 600; i++) flooder.ws.send(JSON.stringify(call({ i })));
    await until(() => events.some((e) => e.type === 'rejected' && /messages/.test(e.reason)), 5000, 'the flood noticed');
    await new Promise((r) => setTimeout(r, 300));
    const relayed = inspector.messages.filter((m) => m.type === 'bridge-call').length;
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThanOrEqual(LIMITS.maxMessagesPerSecond * 2);
  });

  it('caps the number of clients (503 on upgrade)', async () => {
    const { server, connect } = await start({ watch: false, maxClients: 3 });
    await Promise.all([connect(), connect(), connect()]);
    const { WebSocket } = await import('ws');
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(server.wsUrl);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
      ws.once('open', () => resolve(101));
    });
    expect(code).toBe(503);
  });

  it('drops relays to a client that stopped reading instead of buffering them without bound', async () => {
    const { server, connect } = await start({ watch: false });
    const sender = await connect();
    const slow = await connect('simulator');
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const rss = process.memoryUsage().rss;
    const payload = { blob: 'y'.repeat(LIMITS.maxStringLength - 10), list: Array.from({ length: 40 }, (_, i) => 'z'.repeat(LIMITS.maxStringLength - 10) + i) };
    const N = 36; // ~24 MB of relays over 3 s, within the sender's per-second budget
    for (let i = 0; i < N; i++) {
      sender.ws.send(JSON.stringify(call(payload)));
      if (i % 12 === 11) await new Promise((r) => setTimeout(r, 1050));
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(process.memoryUsage().rss - rss).toBeLessThan(120 * 1024 * 1024);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise((r) => setTimeout(r, 1500));
    const got = slow.messages.filter((m) => m.type === 'bridge-call').length;
    expect(got).toBeLessThan(N);
    expect(await status(server.url)).toBe(200);
  });
});

describe('reload accounting', () => {
  it('counts pages, not messages, and does not wait for the simulator', async () => {
    const project = makeProject();
    const channel = createMemoryChannel();
    const events: DevServerEvent[] = [];
    const server = await createDevServer({ projectDir: project.dir, port: 0, watch: false, channels: [channel], onEvent: (e) => events.push(e), ackTimeoutMs: 5000 });
    open.push({ server, project });
    const pages = [channel.connect(), channel.connect()];
    channel.connect({ role: 'simulator' });
    const since = pages[0]!.messages.length;
    const t = Date.now();
    await server.reload();
    const reload = await pages[0]!.next('reload', { since });
    // One page acknowledges three times: still one page.
    for (let i = 0; i < 3; i++) pages[0]!.send({ type: 'ack', id: reload.id, hash: reload.hash });
    await new Promise((r) => setTimeout(r, 100));
    expect(events.some((e) => e.type === 'reloaded')).toBe(false);
    pages[1]!.send({ type: 'ack', id: reload.id, hash: reload.hash });
    const done = await until(() => events.find((e): e is Extract<DevServerEvent, { type: 'reloaded' }> => e.type === 'reloaded'), 3000, 'reloaded');
    expect(done).toMatchObject({ acknowledged: 2, sent: 2 });
    expect(Date.now() - t).toBeLessThan(3000); // not the 5 s timeout: the simulator is not waited for
  });

  it('a burst of reloads is reported once, for the build the pages end up on', async () => {
    const project = makeProject();
    const channel = createMemoryChannel();
    const events: DevServerEvent[] = [];
    const server = await createDevServer({ projectDir: project.dir, port: 0, watch: false, channels: [channel], onEvent: (e) => events.push(e), ackTimeoutMs: 3000 });
    open.push({ server, project });
    const pages = Array.from({ length: 4 }, () => channel.connect());
    for (let i = 0; i < 3; i++) {
      project.write('src/message.js', `export const message = 'burst ${i}';\n`);
      await server.reload();
    }
    const last = pages[0]!.messages.filter((m) => m.type === 'reload').pop() as { id: number; hash: string };
    expect(last.hash).toBe(server.state().served!.hash);
    // Pages acknowledge an older reload id, but run the newest build.
    for (const p of pages) p.send({ type: 'ack', id: last.id - 2, hash: last.hash });
    const reports = await until(
      () => {
        const r = events.filter((e) => e.type === 'reloaded');
        return r.length ? r : undefined;
      },
      2500,
      'reloaded',
    );
    expect(reports).toEqual([{ type: 'reloaded', id: last.id, acknowledged: 4, sent: 4 }]);
  });
});

describe('what the server serves and rebuilds for', () => {
  it('answers only after it is ready: requests sent during start-up never hang', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const project = makeProject();
    let answered = 0;
    let stop = false;
    const probes: Promise<void>[] = [];
    const probe = () =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', timeout: 3000 }, (res) => {
          res.resume();
          answered++;
          resolve();
        });
        req.on('timeout', () => reject(new Error('a request during start-up hung')));
        req.on('error', () => resolve()); // refused: not listening yet
        req.end();
      });
    const loop = (async () => {
      while (!stop) {
        probes.push(probe());
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const server = await createDevServer({ projectDir: project.dir, port, watch: false });
    open.push({ server, project });
    await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await loop;
    await Promise.all(probes);
    expect(answered).toBeGreaterThan(0);
  });

  it('does not lose a save made while it starts: a file written during the first build is rebuilt', async () => {
    const project = makeProject();
    let first = true;
    const server = await createDevServer({
      projectDir: project.dir,
      port: 0,
      onEvent: (e) => {
        // The first build is done, the server does not listen yet: the developer saves now.
        if (e.type === 'build' && first) {
          first = false;
          project.write('src/message.js', "export const message = 'saved during start-up';\n");
        }
      },
    });
    open.push({ server, project });
    const served = async () => {
      await server.idle();
      const html = await (await fetch(server.url)).text();
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(html)?.[1];
      return script ? (await (await fetch(server.url + script)).text()).includes('saved during start-up') : false;
    };
    await until(served, 10_000, 'the save made during start-up to be served');
  });

  it('keeps the previous builds’ assets served, so a page that loaded the old HTML still starts', async () => {
    const { server, project } = await start({ watch: false });
    const oldHtml = await (await fetch(server.url)).text();
    const oldBundle = /src="(assets\/main-[^"]+\.js)"/.exec(oldHtml)![1]!;
    project.write('src/message.js', "export const message = 'v2';\n");
    await server.reload();
    const newBundle = /src="(assets\/main-[^"]+\.js)"/.exec(await (await fetch(server.url)).text())![1]!;
    expect(newBundle).not.toBe(oldBundle);
    const old = await fetch(server.url + oldBundle);
    expect(old.status).toBe(200);
    expect(await old.text()).toContain('hello v1');
    expect(server.state().retainedBytes).toBeGreaterThan(0);
  });

  it('holds earlier builds’ assets for a while, within a byte budget', () => {
    let now = 0;
    const builds = createServedBuilds(() => now);
    const build = (n: number, size = 1024) => ({
      manifest: MANIFEST as never,
      hash: `h${n}`,
      files: new Map([
        ['index.html', new Uint8Array(1)],
        [`assets/main-${n}.js`, new Uint8Array(size)],
      ]),
    });
    for (let n = 0; n < 40; n++) builds.serve(build(n)); // a burst: 40 builds within the same second
    expect(builds.file('assets/main-0.js')).toBeDefined();
    now = 31_000;
    builds.serve(build(40));
    expect(builds.file('assets/main-0.js')).toBeUndefined(); // older than 30 s and 8 builds
    expect(builds.file('assets/main-39.js')).toBeDefined();
    for (let n = 41; n < 100; n++) builds.serve(build(n, 1024 * 1024));
    expect(builds.retainedBytes()).toBeLessThanOrEqual(RETAINED_BYTES);
    expect(builds.file('assets/main-98.js')).toBeDefined();
  });

  it('supports Range requests on the package download', async () => {
    const { server } = await start({ watch: false });
    const url = `${server.url}mini-programs/${MANIFEST.id}/package.zip`;
    const full = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const head = await fetch(url, { headers: { Range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-99/${full.length}`);
    const first = new Uint8Array(await head.arrayBuffer());
    const rest = new Uint8Array(await (await fetch(url, { headers: { Range: 'bytes=100-' } })).arrayBuffer());
    expect(Buffer.concat([first, rest]).equals(Buffer.from(full))).toBe(true);
    const tail = await fetch(url, { headers: { Range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(Buffer.from(full.subarray(full.length - 10)))).toBe(true);
    const beyond = await fetch(url, { headers: { Range: `bytes=${full.length + 5}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${full.length}`);
    expect((await fetch(url)).headers.get('accept-ranges')).toBe('bytes');
  });

  it('answers LAN names given in allowedHosts, and still refuses others', async () => {
    const { server } = await start({ watch: false, allowedHosts: ['mylaptop.local', '.lan'] });
    expect(await status(server.url, { Host: `mylaptop.local:${server.port}` })).toBe(200);
    expect(await status(server.url, { Host: `box.lan:${server.port}` })).toBe(200);
    expect(await status(server.url, { Host: `other.local:${server.port}` })).toBe(403);
    expect(await status(server.url, { Host: 'evil.example.com' })).toBe(403);
  });

  it('serves the app for a route of a path-routed app (a reload at /todos/active), not for a missing file', async () => {
    const { server } = await start({ watch: false });
    const route = await fetch(`${server.url}todos/active`, { headers: { Accept: 'text/html' } });
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<h1 id="title">');
    expect((await fetch(`${server.url}missing.js`, { headers: { Accept: 'text/html' } })).status).toBe(404);
    expect((await fetch(`${server.url}todos/active`, { headers: { Accept: 'application/json' } })).status).toBe(404);
  });

  it('does not rebuild for files the build never reads (keys, trust store, JUnit, logs); does for a new module beside the sources', async () => {
    const { server, project, events } = await start();
    await server.idle();
    const builds = () => events.filter((e) => e.type === 'build').length;
    const before = builds();
    project.write('partner.key.pem', '-----BEGIN PRIVATE KEY-----\n');
    project.write('registry.json', '{"partners":[]}');
    project.write('conformance.xml', '<testsuites/>');
    project.write('logs/app.log', 'line\n');
    project.write('.miniapp/apps/x/state.json', '{}');
    await new Promise((r) => setTimeout(r, 400));
    expect(builds()).toBe(before);
    project.write('src/extra.ts', 'export const x = 1;\n');
    await until(() => builds() > before, 5000, 'a rebuild for a new module in src/');
  });

  it('says whether a good build is still served with each build error', async () => {
    const project = makeProject({ 'src/message.js': "export const message = 'never closed;\n" });
    const channel = createMemoryChannel();
    const server = await createDevServer({ projectDir: project.dir, port: 0, channels: [channel] });
    open.push({ server, project });
    const client = channel.connect();
    expect(await client.next('error')).toMatchObject({ served: false });
    project.write('src/message.js', "export const message = 'fixed';\n");
    await client.next('reload');
    const since = client.messages.length;
    project.write('src/message.js', "export const message = 'broken again;\n");
    expect(await client.next('error', { since })).toMatchObject({ served: true });
  });
});
