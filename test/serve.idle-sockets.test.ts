import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket as WsSocket } from 'ws';
import { createDevServer, LIMITS, parseClientMessage, PROTOCOL_VERSION, type DevServer, type DevServerEvent } from '../src/server/index.js';
import { makeProject, until } from './helpers/serve-fixture.js';

/**
 * A hostile page (any script in a served page has the token and the page's Origin) holding the dev
 * server's client slots with sockets that open and never speak, or never finish their handshake: the
 * simulator and a real page must still get in, and get their reloads.
 */
const open: { server: DevServer; cleanup(): void; sockets: (WsSocket | Socket)[] }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const s of o.sockets) 'terminate' in s ? s.terminate() : s.destroy();
    await o.server.close();
    o.cleanup();
  }
});

async function start(options: Partial<Parameters<typeof createDevServer>[0]> = {}) {
  const project = makeProject();
  const events: DevServerEvent[] = [];
  const server = await createDevServer({ projectDir: project.dir, port: 0, onEvent: (e) => events.push(e), ackTimeoutMs: 2000, ...options });
  const entry = { server, cleanup: project.cleanup, sockets: [] as (WsSocket | Socket)[] };
  open.push(entry);
  const { WebSocket } = await import('ws');
  const origin = server.url.replace(/\/$/, '');

  type Attempt = { ws: WsSocket; messages: { type: string; [k: string]: unknown }[]; closeCode?: number } & ({ status: 101 } | { status: number; retryAfter?: string });
  /** One WebSocket from the served page's origin: resolves once it is open (after the server's hello) or refused. */
  const attempt = (o: { role?: string; hello?: boolean } = {}) =>
    new Promise<Attempt>((resolve) => {
      const ws = new WebSocket(server.wsUrl + (o.role ? `&role=${o.role}` : ''), { origin });
      entry.sockets.push(ws);
      const messages: Attempt['messages'] = [];
      const result = { ws, messages } as Attempt;
      ws.on('error', () => undefined);
      ws.on('close', (code) => (result.closeCode = code));
      ws.on('message', (d) => {
        messages.push(JSON.parse(String(d)));
        if (messages.length === 1) resolve(Object.assign(result, { status: 101 }));
      });
      // What the browser client and the simulator do: speak first.
      ws.on('open', () => o.hello && ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION })));
      ws.on('unexpected-response', (req, res) => {
        resolve(Object.assign(result, { status: res.statusCode!, retryAfter: res.headers['retry-after'] }));
        req.destroy();
      });
    });
  /** The browser client's way in: retry with its backoff (250 ms doubling, at most 5 s) until admitted. */
  const realClient = async (role?: string) => {
    const started = Date.now();
    for (let retry = 0; ; retry++) {
      const a = await attempt({ role, hello: true });
      if (a.status === 101) return { ...a, waitedMs: Date.now() - started };
      if (Date.now() - started > 20_000) throw new Error(`still refused after 20 s (${a.status})`);
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * 2 ** retry)));
    }
  };
  return { server, project, events, entry, attempt, realClient };
}

describe('idle sockets cannot lock the real clients out', () => {
  it('a client hello is a protocol message: its version is checked, extra fields dropped', () => {
    expect(parseClientMessage(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, extra: 'x' }))).toEqual({ ok: true, message: { type: 'hello', protocol: PROTOCOL_VERSION } });
    for (const protocol of ['1', -1, 1.5, undefined]) expect(parseClientMessage(JSON.stringify({ type: 'hello', protocol })).ok).toBe(false);
  });

  it(`a page holding all ${LIMITS.maxClients} slots with silent sockets: the simulator and a page still connect and reload`, async () => {
    const { server, project, events, attempt, realClient } = await start();
    const hostile = await Promise.all(Array.from({ length: LIMITS.maxClients + 6 }, () => attempt()));
    const held = hostile.filter((a) => a.status === 101);
    expect(held).toHaveLength(LIMITS.maxClients);
    // Over the cap, with every silent socket still within its deadline: refused, told when to come back.
    const over = hostile.filter((a) => a.status !== 101);
    expect(over.map((a) => a.status)).toEqual(Array(6).fill(503));
    expect(over.every((a) => 'retryAfter' in a && Number(a.retryAfter) >= 1 && Number(a.retryAfter) <= Math.ceil(LIMITS.helloTimeoutMs / 1000))).toBe(true);

    const simulator = await realClient('simulator');
    const page = await realClient();
    expect(simulator.waitedMs).toBeLessThan(LIMITS.helloTimeoutMs + 6000);
    expect(server.state().clients).toBe(LIMITS.maxClients);
    // The two oldest silent sockets gave up their slots, closed with 1008 (policy), and the terminal is told.
    await until(() => held.filter((a) => a.closeCode === 1008).length === 2, 5000, 'two hostile sockets closed with 1008');
    expect(events.filter((e) => e.type === 'refused' && e.kind === 'idle')).toHaveLength(2);

    // The page opens as many again: it can only take the slots of its own silent sockets, never of a client that spoke.
    const again = await Promise.all(Array.from({ length: LIMITS.maxClients }, () => attempt()));
    expect(again.filter((a) => a.status === 101)).toHaveLength(LIMITS.maxClients - 2);
    expect(simulator.ws.readyState).toBe(simulator.ws.OPEN);
    expect(page.ws.readyState).toBe(page.ws.OPEN);

    const since = page.messages.length;
    project.write('src/message.js', "export const message = 'after the attack';\n");
    const reload = await until(() => page.messages.slice(since).find((m) => m.type === 'reload'), 10_000, 'the reload');
    expect(simulator.messages.some((m) => m.type === 'reload' && m.id === reload.id)).toBe(true);
    expect(page.closeCode).toBeUndefined();
  }, 60_000);

  it('sockets that never finish the HTTP handshake take no slot: a page connects at once and reloads', async () => {
    const { server, project, entry, realClient } = await start({ maxClients: 4 });
    const { port } = new URL(server.url);
    const path = new URL(server.wsUrl).pathname + new URL(server.wsUrl).search;
    const half = Array.from({ length: 200 }, (_, i) => {
      const s = tcpConnect(Number(port), '127.0.0.1');
      s.on('error', () => undefined);
      s.resume(); // read what the server sends, so its close is seen
      // Half of them send the start of an upgrade request and stop; the others send nothing at all.
      if (i % 2) s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`);
      entry.sockets.push(s);
      return s;
    });
    await until(() => half.every((s) => !s.connecting), 5000, 'the raw sockets connected');
    const page = await realClient();
    expect(page.waitedMs).toBeLessThan(2000);
    const since = page.messages.length;
    project.write('src/message.js', "export const message = 'still here';\n");
    await until(() => page.messages.slice(since).some((m) => m.type === 'reload'), 10_000, 'the reload');
    // And they do not linger: the server closes a connection that has not sent its headers within 10 s.
    const t = Date.now();
    await until(() => half.every((s) => s.closed), 20_000, 'the half-open sockets closed by the server');
    expect(Date.now() - t).toBeLessThan(15_000);
    expect(page.ws.readyState).toBe(page.ws.OPEN);
  }, 45_000);

  it('with a short hello deadline, a client that never says hello gives way at once to one that does', async () => {
    const { server, attempt, realClient } = await start({ maxClients: 2, helloTimeoutMs: 200 });
    const quiet = await Promise.all([attempt(), attempt()]);
    expect(quiet.map((a) => a.status)).toEqual([101, 101]);
    await new Promise((r) => setTimeout(r, 250));
    const page = await realClient();
    expect(page.waitedMs).toBeLessThan(1000);
    await until(() => quiet[0]!.closeCode === 1008, 3000, 'the oldest silent socket closed');
    expect(quiet[1]!.ws.readyState).toBe(quiet[1]!.ws.OPEN);
    // A client that spoke keeps its slot: once the other silent one is gone, a third is refused.
    await new Promise((r) => setTimeout(r, 250));
    const second = await realClient();
    expect(second.status).toBe(101);
    const third = await attempt({ hello: true });
    expect(third.status).toBe(503);
    expect(server.state().clients).toBe(2);
  }, 30_000);
});
