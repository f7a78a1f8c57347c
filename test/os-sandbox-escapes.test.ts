import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { homedir, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroup, detectJail, sandboxCgroupMb, startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { toolchainPath } from '../src/core/toolchain.js';

/**
 * The OS layer on its own. Each entry here is a "guest that got process": it runs in a real sandbox
 * process inside the jail, with Node's permission model OFF (as if every JavaScript layer had been
 * escaped), and uses every Node API it likes. It must gain nothing of the host, and the host and a
 * second sandbox must stay alive. (On a machine without bubblewrap these tests are skipped: the
 * isolation level then says so, see isolation.test.ts.)
 */
const jail = detectJail();
const d = jail.ok ? describe : describe.skip;

const open: Sandbox[] = [];
let dir: string;
let bystander: Sandbox;
const bystanderEcho: unknown[] = [];
let tcp: Server;
let tcpHits = 0;
let udp: Socket;
let udpHits = 0;
const secretDir = mkdtempSync(join(tmpdir(), 'miniapp-host-secret-'));
const secretFile = join(secretDir, 'secret.txt');

function entry(name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return file;
}

function start(file: string, init: unknown = {}, onMessage?: (m: unknown) => void, limits = {}): Sandbox {
  const s = startSandbox({ entry: file, init, readPaths: [`${dir}/*`], onMessage, limits, checkIntervalMs: 50, withoutPermissionModel: true });
  open.push(s);
  return s;
}

const firstMessage = (s: Sandbox, got: unknown[]) =>
  new Promise<unknown>((resolve, reject) => {
    const poll = setInterval(() => {
      if (got.length) {
        clearInterval(poll);
        resolve(got.shift());
      }
    }, 10);
    void s.exited.then((e) => {
      clearInterval(poll);
      if (!got.length) reject(new Error(`sandbox stopped: ${e.reason} ${e.detail ?? ''}`));
      else resolve(got.shift());
    });
  });

async function bystanderAlive(): Promise<void> {
  bystander.send({ ping: Date.now() });
  expect(await firstMessage(bystander, bystanderEcho)).toMatchObject({ echo: { ping: expect.any(Number) } });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'miniapp-jail-test-'));
  // World-readable, so that a root host runs the jail as nobody (the guest's uid then maps to nobody).
  chmodSync(dir, 0o755);
  writeFileSync(secretFile, 'host secret');
  process.env.MINIAPP_TEST_SECRET = 'do-not-leak-this';
  tcp = createServer((c) => {
    tcpHits++;
    c.destroy();
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  udp = createSocket('udp4');
  udp.on('message', () => udpHits++);
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  if (!jail.ok) return;
  bystander = start(entry('echo', 'export function start(channel) { channel.onMessage((m) => channel.send({ echo: m })); }'), {}, (m) => bystanderEcho.push(m));
  await bystander.ready;
});

afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  tcp.close();
  udp.close();
  delete process.env.MINIAPP_TEST_SECRET;
  rmSync(dir, { recursive: true, force: true });
  rmSync(secretDir, { recursive: true, force: true });
});

const HOSTILE = `
import fs from 'node:fs';
import util from 'node:util';
import dns from 'node:dns';
import cp from 'node:child_process';
export async function start(channel, init) {
  const r = {};
  const attempt = async (name, fn) => { try { r[name] = 'ALLOWED:' + String(await fn()).slice(0, 200); } catch (e) { r[name] = e.code || e.name || String(e); } };
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  r.uid = process.getuid();
  r.pid = process.pid;
  r.ppid = process.ppid;
  r.capEff = /CapEff:\\s+(\\w+)/.exec(status)[1];
  r.noNewPrivs = /NoNewPrivs:\\s+(\\d)/.exec(status)[1];
  r.seccomp = /Seccomp:\\s+(\\d)/.exec(status)[1];
  r.env = Object.keys(process.env);
  r.root = fs.readdirSync('/').sort();
  r.procPids = fs.readdirSync('/proc').filter((x) => /^\\d+$/.test(x));
  await attempt('passwd', () => fs.readFileSync('/etc/passwd', 'utf8'));
  await attempt('home', () => fs.readdirSync(init.home));
  await attempt('hostFile', () => fs.readFileSync(init.hostFile, 'utf8'));
  await attempt('writeToolchain', () => { fs.writeFileSync(init.toolchainFile, 'x'); return 'written'; });
  await attempt('writeTmp', () => { fs.writeFileSync('/tmp/planted-by-guest', 'x'); return 'tmp'; });
  await attempt('killHost', () => process.kill(init.hostPid, 'SIGKILL'));
  await attempt('inspectHost', () => process.kill(init.hostPid, 'SIGUSR1'));
  await attempt('killBystander', () => process.kill(init.bystanderPid, 'SIGKILL'));
  await attempt('shell', () => cp.execFileSync('/bin/sh', ['-c', 'id']));
  const { TCP, TCPConnectWrap, constants } = process.binding('tcp_wrap');
  const rawTcp = (host, port) => new Promise((resolve, reject) => {
    const h = new TCP(constants.SOCKET);
    const req = new TCPConnectWrap();
    req.oncomplete = (status) => { h.close(); status === 0 ? resolve('connected') : reject(Object.assign(new Error(), { code: util.getSystemErrorName(status) })); };
    const err = h.connect(req, host, port);
    if (err) { h.close(); reject(Object.assign(new Error(), { code: util.getSystemErrorName(err) })); }
  });
  await attempt('rawTcpHostLoopback', () => rawTcp('127.0.0.1', init.tcpPort));
  if (init.externalIp) await attempt('rawTcpExternal', () => rawTcp(init.externalIp, init.tcpPort));
  const { UDP, SendWrap } = process.binding('udp_wrap');
  const rawUdp = (host, port) => new Promise((resolve, reject) => {
    const u = new UDP();
    const req = new SendWrap();
    req.oncomplete = (status) => { u.close(); status < 0 ? reject(Object.assign(new Error(), { code: util.getSystemErrorName(status) })) : resolve('sent (' + status + ')'); };
    const err = u.send(req, [Buffer.from('leak')], 1, port, host, true);
    if (err < 0) { u.close(); reject(Object.assign(new Error(), { code: util.getSystemErrorName(err) })); }
    else if (err > 0) { u.close(); resolve('sent'); }
  });
  await attempt('rawUdpHostLoopback', () => rawUdp('127.0.0.1', init.udpPort));
  if (init.externalIp) await attempt('rawUdpExternal', () => rawUdp(init.externalIp, init.udpPort));
  await attempt('dnsResolver', () => new Promise((resolve, reject) => {
    const resolver = new dns.Resolver({ timeout: 300, tries: 1 });
    resolver.setServers(['127.0.0.1:' + init.udpPort]);
    resolver.resolve4('exfiltrate.example', (err, a) => (err ? reject(err) : resolve(a)));
  }));
  await attempt('ownInspector', async () => { const inspector = await import('node:inspector'); inspector.open(0, '127.0.0.1'); const url = inspector.url(); inspector.close(); return url; });
  channel.send(r);
}
`;

d('the OS sandbox holds against a guest that got process', () => {
  it('sees no host file, user, process, environment variable or network, and cannot write outside its tmpfs', async () => {
    const got: unknown[] = [];
    const externalIp = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    const s = start(
      entry('hostile', HOSTILE),
      {
        home: homedir(),
        hostFile: secretFile,
        toolchainFile: toolchainPath('dist', 'sandbox', 'child.cjs'),
        hostPid: process.pid,
        bystanderPid: bystander.pid,
        tcpPort: (tcp.address() as { port: number }).port,
        udpPort: (udp.address() as { port: number }).port,
        externalIp,
      },
      (m) => got.push(m),
    );
    const r = (await firstMessage(s, got)) as Record<string, unknown>;
    expect(s.isolation.level).toBe('os-sandbox');
    // Its own user and PID namespace: uid 65534, pid 1, no parent, no capabilities, no new privileges, seccomp filtering.
    expect(r).toMatchObject({ uid: 65534, pid: 1, ppid: 0, capEff: '0000000000000000', noNewPrivs: '1', seccomp: '2' });
    // Only its own processes exist for it: the host, the bystander and every other process are not there.
    expect(r.procPids).toEqual(['1']);
    expect(r.env).toEqual([]);
    // The filesystem holds what node needs and nothing else: no /etc, /home, /root, /work.
    expect(r.root).toEqual(expect.arrayContaining(['dev', 'proc', 'tmp']));
    for (const hidden of ['etc', 'home', 'root', 'var', 'boot']) expect(r.root).not.toContain(hidden);
    expect(r).toMatchObject({ passwd: 'ENOENT', home: 'ENOENT', hostFile: 'ENOENT', killHost: 'ESRCH', inspectHost: 'ESRCH', killBystander: 'ESRCH', shell: 'ENOENT' });
    expect(r.writeToolchain).toMatch(/^(EROFS|EACCES)$/);
    // Its /tmp is its own tmpfs: what it writes there never reaches the host's.
    expect(r.writeTmp).toBe('ALLOWED:tmp');
    expect(existsSync('/tmp/planted-by-guest')).toBe(false);
    // Raw handles work, but only inside its own network namespace: nothing reaches the host's loopback or any network.
    expect(r.rawTcpHostLoopback).toBe('ECONNREFUSED');
    if (externalIp) expect(r.rawTcpExternal).toMatch(/^(ENETUNREACH|EHOSTUNREACH|EACCES)$/);
    if (externalIp) expect(r.rawUdpExternal).toMatch(/^(ENETUNREACH|EHOSTUNREACH|EACCES)$/);
    expect(r.dnsResolver).not.toMatch(/^ALLOWED/);
    // An inspector it opens on itself is only its own process, on its own loopback.
    await new Promise((res) => setTimeout(res, 200));
    expect(tcpHits).toBe(0);
    expect(udpHits).toBe(0);
    expect(process.env.MINIAPP_TEST_SECRET).toBe('do-not-leak-this');
    await bystanderAlive();
  });

  it('a guest that forges heartbeats while it spins is stopped for CPU, measured by the host', async () => {
    const s = start(
      entry(
        'spin',
        `
        import fs from 'node:fs';
        export function start() {
          setTimeout(() => {
            let last = 0;
            for (;;) {
              const now = Date.now();
              if (now - last > 20) { last = now; fs.writeSync(3, JSON.stringify({ type: 'pong', seq: 0, memory: { rss: 1, heapUsed: 1, external: 1, arrayBuffers: 0 }, timers: 0 }) + '\\n'); }
            }
          }, 50);
        }
      `,
      ),
    );
    await s.ready;
    const t0 = Date.now();
    const exit = await s.exited;
    expect(exit).toMatchObject({ reason: 'CPU_LIMIT', detail: expect.stringMatching(/measured by the host/) });
    expect(Date.now() - t0).toBeLessThan(8000);
    await bystanderAlive();
  });

  it('a guest that forges its memory reports is stopped at its memory limit by the host reading the process', async () => {
    const s = start(
      entry(
        'hog',
        `
        export function start() {
          process.memoryUsage = () => ({ rss: 1, heapUsed: 1, heapTotal: 1, external: 1, arrayBuffers: 0 });
          globalThis.keep = [];
          setTimeout(function grow() { if (keep.length < 30) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); setTimeout(grow, 30); } }, 20);
        }
      `,
      ),
      {},
      undefined,
      { memoryMb: 32 },
    );
    await s.ready;
    expect(await s.exited).toMatchObject({ reason: 'MEMORY_LIMIT', detail: expect.stringMatching(/resident memory/) });
    await bystanderAlive();
  });

  it.skipIf(!detectCgroup().ok)('a guest that allocates faster than the host measures is stopped by the kernel at its cgroup ceiling', async () => {
    // The host looks once a minute here: only the kernel can stop 4 GB allocated in one synchronous turn.
    const s = startSandbox({
      entry: entry(
        'burst',
        `
        export function start(channel) {
          channel.onMessage(() => { const keep = []; for (let i = 0; i < 4096; i++) keep.push(Buffer.alloc(1 << 20, 1)); channel.send('kept ' + keep.length); });
        }
      `,
      ),
      readPaths: [`${dir}/*`],
      limits: { memoryMb: 32 },
      checkIntervalMs: 60_000,
      withoutPermissionModel: true,
    });
    open.push(s);
    const said: unknown[] = [];
    s.onMessage((m) => said.push(m));
    await s.ready;
    s.send('go');
    const exit = await s.exited;
    expect(exit).toMatchObject({ reason: 'MEMORY_LIMIT', detail: expect.stringMatching(new RegExp(`cgroup memory ceiling of ${sandboxCgroupMb(32)} MB`)) });
    expect(said).toEqual([]);
    await bystanderAlive();
  });

  it('a guest that writes an endless message to its channel is stopped before the host buffers it', async () => {
    const s = start(
      entry(
        'endless',
        `
        import fs from 'node:fs';
        export function start() {
          const chunk = Buffer.alloc(1024 * 1024, 0x61);
          let sent = 0;
          // Without yielding (the sandbox's own heartbeat answers would end the line), retrying a full pipe.
          const write = () => { while (sent < 40 * chunk.length) { try { sent += fs.writeSync(3, chunk); } catch (e) { if (e.code !== 'EAGAIN') throw e; } } };
          setTimeout(write, 20);
        }
      `,
      ),
      {},
      undefined,
      // Writing one endless line blocks its heartbeat too: a long busy limit lets the size cap be what strikes.
      { busyMs: 20_000 },
    );
    await s.ready;
    const before = process.memoryUsage().rss;
    expect(await s.exited).toMatchObject({ reason: 'MESSAGE_FLOOD', detail: expect.stringMatching(/single message over 16 MB/) });
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
    await bystanderAlive();
  });

  it('a guest that writes a line that is not JSON to its channel stops only itself', async () => {
    const s = start(entry('notjson', `import fs from 'node:fs';\nexport function start() { setTimeout(() => fs.writeSync(3, 'GET / HTTP/1.1\\n'), 20); }`));
    await s.ready;
    expect(await s.exited).toMatchObject({ reason: 'CRASHED', detail: 'the sandbox sent a line that is not a JSON message' });
    await bystanderAlive();
  });

  it('a guest that writes lines the host cannot handle stops only itself', async () => {
    const s = start(
      entry(
        'garbage',
        `
        import fs from 'node:fs';
        export function start() { setTimeout(() => { fs.writeSync(3, 'null\\n{"type":"message"}\\n{"type":"pong","seq":1}\\n'); }, 20); }
      `,
      ),
    );
    await s.ready;
    expect(await s.exited).toMatchObject({ reason: 'CRASHED', detail: expect.stringMatching(/message the host could not handle/) });
    await bystanderAlive();
  });
});
