import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkUrl } from '../src/runtime/host/network-policy.js';
import { launch, type TestApp } from '../src/testing/index.js';
import { tempDir } from './helpers/temp.js';

const APP = new URL('./fixtures/runtime/network', import.meta.url).pathname;

/** A loopback HTTPS server with a certificate made for this run, for *.partner.test. */
function startServer(): Promise<{ server: Server; port: number; ca: string; hits: string[] }> {
  const dir = tempDir('tls');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=partner.test',
      '-addext',
      'subjectAltName=DNS:partner.test,DNS:api.partner.test,DNS:*.partner.test,DNS:a.b.partner.test',
    ],
    { stdio: 'ignore' },
  );
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const hits: string[] = [];
  const server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
    hits.push(`${req.headers.host}${req.url}`);
    if (req.url === '/redirect-out') res.writeHead(302, { location: 'https://evil.example/stolen' }).end();
    else if (req.url === '/redirect-in') res.writeHead(302, { location: 'https://cdn.partner.test/ok' }).end();
    else if (req.url === '/redirect-port') res.writeHead(301, { location: 'https://api.partner.test:8443/ok' }).end();
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${req.headers.host}`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, ca: cert, hits })));
}

let server: Awaited<ReturnType<typeof startServer>>;
let app: TestApp;
const probe = (url: string, api = 'fetch') => (app.window as unknown as { probe(u: string, a: string): Promise<string> }).probe(url, api);

beforeAll(async () => {
  server = await startServer();
  app = await launch(APP, { network: 'live', ca: server.ca, connect: () => ({ host: '127.0.0.1', port: server.port }) });
});
afterAll(async () => {
  await app?.close();
  server?.server.close();
});

describe('network allowlist against a loopback HTTPS server (--network live)', () => {
  it.each([
    ['https://api.partner.test/ok', 'ok api.partner.test'],
    ['https://cdn.partner.test/ok', 'ok cdn.partner.test'],
    ['https://a.b.partner.test/ok', 'ok a.b.partner.test'],
    ['https://API.Partner.TEST/ok', 'ok api.partner.test'],
    ['https://api.partner.test:443/ok', 'ok api.partner.test'],
    ['https://api.partner.test/redirect-in', 'ok cdn.partner.test'],
  ])('%s is allowed', async (url, body) => {
    expect(await probe(url)).toBe(`200 ${body}`);
  });

  it.each([
    ['http://api.partner.test/ok', 'only https'],
    ['https://api.partner.test:8443/ok', 'port'],
    ['https://127.0.0.1/ok', 'IP literal'],
    ['https://2130706433/ok', 'IP literal'],
    ['https://0x7f.1/ok', 'IP literal'],
    ['https://[::1]/ok', 'IP literal'],
    ['https://api.partner.test.evil.com/ok', 'not in allowedDomains'],
    ['https://api.partner.test%2eevil.com/ok', 'not in allowedDomains'],
    ['https://evilpartner.test/ok', 'not in allowedDomains'],
    ['https://partner.test/ok', 'not in allowedDomains'],
    ['https://api.partner.test./ok', 'dot'],
    ['https://api.p\u0430rtner.test/ok', 'look-alike'],
    ['https://api.partner.test/redirect-out', 'not in allowedDomains'],
    ['https://api.partner.test/redirect-port', 'port'],
  ])('%s is refused with DOMAIN_NOT_ALLOWED (%s)', async (url, reason) => {
    const before = app.violations.length;
    expect(await probe(url)).toBe('DOMAIN_NOT_ALLOWED');
    const v = app.violations[before]!;
    expect(v.reason).toContain(reason);
    expect(server.hits.some((h) => h.startsWith('evil') || h.includes('8443'))).toBe(false);
  });

  it.each(['fetch', 'xhr'])('refuses user information in %s, and the report does not repeat the password', async (api) => {
    const before = app.violations.length;
    expect(await probe('https://user:secret@api.partner.test/ok', api)).toBe(api === 'fetch' ? 'DOMAIN_NOT_ALLOWED' : 'error');
    await app.settle();
    expect(app.violations[before]).toMatchObject({ api, url: 'https://***@api.partner.test/ok' });
    expect(app.violations[before]?.reason).toContain('user information');
    expect(server.hits.every((h) => !h.includes('user'))).toBe(true);
  });

  it('checks every redirect hop: the refused hop is reported, the request never reaches it', async () => {
    const before = app.violations.length;
    await probe('https://api.partner.test/redirect-out');
    expect(app.violations[before]).toMatchObject({ url: 'https://evil.example/stolen', hop: 1 });
  });

  it('applies to XMLHttpRequest and WebSocket too', async () => {
    expect(await probe('https://evil.example/x', 'xhr')).toBe('blocked');
    expect(await probe('https://api.partner.test/ok', 'xhr')).toBe('200 ok api.partner.test');
    expect(await probe('wss://evil.example/socket', 'websocket')).toBe('closed DOMAIN_NOT_ALLOWED');
    expect(await probe('ws://api.partner.test/socket', 'websocket')).toBe('closed DOMAIN_NOT_ALLOWED');
    expect(app.violations.map((v) => v.api)).toContain('websocket');
  });
});

describe('synchronous loads, which the guest serves from the package only', () => {
  it('records a classic script or a synchronous XHR outside allowedDomains as a violation, with its api', async () => {
    const before = app.violations.length;
    const script = app.document.createElement('script');
    script.src = 'https://evil.example/lib.js';
    app.document.body.appendChild(script);
    expect(await probe('https://evil.example/data', 'xhr-sync')).toBe('403');
    await app.settle();
    expect(app.violations.slice(before)).toEqual([
      { api: 'script', url: 'https://evil.example/lib.js', reason: 'host evil.example is not in allowedDomains', hop: 0 },
      { api: 'xhr', url: 'https://evil.example/data', reason: 'host evil.example is not in allowedDomains', hop: 0 },
    ]);
    expect(server.hits.some((h) => h.startsWith('evil'))).toBe(false);
  });

  it('refuses one inside allowedDomains for being synchronous, and says which kind it was', async () => {
    const before = { violations: app.violations.length, errors: app.errors.length };
    expect(await probe('https://api.partner.test/data', 'xhr-sync')).toBe('403');
    const script = app.document.createElement('script');
    script.src = 'https://api.partner.test/lib.js';
    app.document.body.appendChild(script);
    await app.settle();
    expect(app.violations.length).toBe(before.violations);
    expect(app.errors.slice(before.errors).map((e) => [e.kind, e.message])).toEqual([
      ['resource', 'https://api.partner.test/data was not loaded: a synchronous XMLHttpRequest reaches only the package (make it asynchronous, or use fetch)'],
      ['resource', 'https://api.partner.test/lib.js was not loaded: a classic <script src> loads from the package only (bundle it, or use an async or module script)'],
    ]);
  });
});

describe('network modes', () => {
  it('answers from fixtures by default, and refuses everything with --network off', async () => {
    const fixtures = {
      network: [
        { url: 'https://api.partner.test/rates', json: { eur: 1.1 } },
        { url: 'https://api.partner.test/moved', status: 302, headers: { Location: 'https://evil.example/' } },
        { url: 'https://api.partner.test/broken', status: 302, headers: { Location: 'https://[' } },
      ],
    };
    const withFixtures = await launch(APP, { fixtures });
    const p = (url: string) => (withFixtures.window as unknown as { probe(u: string): Promise<string> }).probe(url);
    expect(await p('https://api.partner.test/rates')).toBe('200 {"eur":1.1}');
    expect(await p('https://api.partner.test/unknown')).toBe('NO_FIXTURE');
    expect(await p('https://api.partner.test/moved')).toBe('DOMAIN_NOT_ALLOWED');
    // a redirect to no URL at all is a network error, not a request left unanswered
    expect(await p('https://api.partner.test/broken')).toBe('NETWORK_ERROR');
    await withFixtures.settle();
    await withFixtures.close();
    const off = await launch(APP, { network: 'off', fixtures });
    expect(await (off.window as unknown as { probe(u: string): Promise<string> }).probe('https://api.partner.test/rates')).toBe('NETWORK_OFF');
    await off.close();
  });
});

describe('checkUrl parses once and decides on the parsed URL', () => {
  it.each([
    ['https://api.partner.test\\@evil.com/', true],
    ['https://evil.com\\@api.partner.test/', false],
    ['https://api.partner.test#@evil.com', true],
    ['https://evil.com#@api.partner.test', false],
    ['https://api.partner.test?@evil.com', true],
    ['javascript:alert(1)', false],
    ['data:text/plain,hi', false],
    ['//api.partner.test/x', true],
    ['https://xn--pi-7kc.partner.test.evil/', false],
  ])('%s → %s', (url, allowed) => {
    const verdict = checkUrl(url, ['api.partner.test'], { base: 'https://app.miniapp.localhost/' });
    expect(verdict.allowed).toBe(allowed);
    if (verdict.allowed) expect(verdict.url.hostname).toBe('api.partner.test');
  });
});
