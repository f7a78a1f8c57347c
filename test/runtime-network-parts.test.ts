import { describe, expect, it } from 'vitest';
import type { NetworkRequest } from '../src/runtime/channel.js';
import { createNetwork, type NetworkAuditEvent, type NetworkFixture, type NetworkOptions, type NetworkViolation } from '../src/runtime/host/network.js';
import { redact, routeHop } from '../src/runtime/host/network-policy.js';
import { followHops, fromFixtures, MAX_REDIRECTS, redirectOf, type Hop } from '../src/runtime/host/network-requests.js';

const APP = 'https://com.example.app.miniapp.localhost';
const policy = { mode: 'fixtures' as const, allowedDomains: ['api.partner.test'], appOrigin: APP };
const get = (url: string, over: Partial<NetworkRequest> = {}): NetworkRequest => ({ url, method: 'GET', headers: {}, ...over });
const options = (fixtures: NetworkFixture[], over: Partial<NetworkOptions> = {}): NetworkOptions => ({ ...policy, fixtures, onViolation: () => undefined, ...over });

describe('routeHop: where one hop goes, from its URL alone', () => {
  it.each([
    [`${APP}/data.json`, 'fetch', { to: 'package' }],
    [`${APP}/socket`, 'websocket', { to: 'unsupported' }],
    ['https://api.partner.test/x', 'fetch', { to: 'fixtures' }],
    ['https://api.partner.test/x', 'xhr', { to: 'fixtures' }],
    ['wss://api.partner.test/x', 'websocket', { to: 'unsupported' }],
  ])('%s by %s → %o', (url, api, route) => {
    expect(routeHop(new URL(url), api, policy)).toEqual(route);
  });

  it.each([
    ['http://api.partner.test/x', 'fetch', 'only https'],
    ['https://api.partner.test/x', 'websocket', 'only wss'],
    ['ws://api.partner.test/x', 'websocket', 'only wss'],
    ['https://evil.example/x', 'fetch', 'not in allowedDomains'],
    // the app's origin is its own only over the same scheme and port
    ['http://com.example.app.miniapp.localhost/x', 'fetch', 'only https'],
  ])('%s by %s is refused (%s)', (url, api, reason) => {
    const route = routeHop(new URL(url), api, policy);
    expect(route.to).toBe('refused');
    expect(route.to === 'refused' && route.reason).toContain(reason);
  });

  it('sends what the policy allows where the mode says', () => {
    for (const mode of ['live', 'off', 'fixtures'] as const) expect(routeHop(new URL('https://api.partner.test/'), 'fetch', { ...policy, mode })).toEqual({ to: mode });
    // the package answers whatever the mode
    expect(routeHop(new URL(`${APP}/a.txt`), 'fetch', { ...policy, mode: 'off' })).toEqual({ to: 'package' });
  });
});

describe('redirectOf: a redirect as fetch follows it', () => {
  const answer = (status: number, location?: string): Hop => ({ status, statusText: '', headers: location ? { location } : {}, body: '' });
  const from = new URL('https://api.partner.test/a/b');
  it.each([
    [303, 'POST', { method: 'GET', keepBody: false }],
    [303, 'PUT', { method: 'GET', keepBody: false }],
    [302, 'POST', { method: 'GET', keepBody: false }],
    [301, 'POST', { method: 'GET', keepBody: false }],
    [302, 'PUT', { method: 'PUT', keepBody: true }],
    [307, 'POST', { method: 'POST', keepBody: true }],
    [308, 'POST', { method: 'POST', keepBody: true }],
  ])('%i after %s', (status, method, next) => {
    expect(redirectOf(answer(status, '../c?q=1'), from, method)).toEqual({ url: 'https://api.partner.test/c?q=1', ...next });
  });
  it('is no redirect without a location, or with another status', () => {
    expect(redirectOf(answer(302), from, 'GET')).toBeUndefined();
    expect(redirectOf(answer(200, '/elsewhere'), from, 'GET')).toBeUndefined();
    expect(redirectOf(answer(304, '/elsewhere'), from, 'GET')).toBeUndefined();
  });
});

describe('fromFixtures', () => {
  const fixtures: NetworkFixture[] = [
    { url: 'https://api.partner.test/rates', json: { eur: 1.1 }, headers: { 'X-Rate': 'daily' } },
    { url: 'https://api.partner.test/rates', method: 'post', status: 201, body: 'made' },
    { url: 'https://api.partner.test/files/*', body: 'any file' },
    { url: 'https://API.partner.test/exact', body: 'normalised' },
  ];
  it('matches the method and the exact URL, as parsed, or a prefix ending in *', () => {
    expect(fromFixtures(fixtures, new URL('https://api.partner.test/rates'), 'GET')).toEqual({
      status: 200,
      statusText: '',
      headers: { 'content-type': 'application/json', 'x-rate': 'daily' },
      body: '{"eur":1.1}',
    });
    expect(fromFixtures(fixtures, new URL('https://api.partner.test/rates'), 'POST')).toMatchObject({ status: 201, body: 'made', headers: {} });
    expect(fromFixtures(fixtures, new URL('https://api.partner.test/files/a/b.txt'), 'GET')?.body).toBe('any file');
    expect(fromFixtures(fixtures, new URL('https://api.partner.test/exact'), 'GET')?.body).toBe('normalised');
    expect(fromFixtures(fixtures, new URL('https://api.partner.test/rates?x=1'), 'GET')).toBeUndefined();
    expect(fromFixtures(fixtures, new URL('https://api.partner.test/rates'), 'DELETE')).toBeUndefined();
  });
});

describe('followHops with fixtures', () => {
  const redirect = (url: string, location: string, status = 302, method?: string): NetworkFixture => ({ url, status, headers: { location }, ...(method ? { method } : {}) });

  it('follows allowed redirects, and says the first hop was let through', async () => {
    const out = await followHops(
      'fetch',
      get('https://api.partner.test/old'),
      `${APP}/`,
      options([redirect('https://api.partner.test/old', '/new'), { url: 'https://api.partner.test/new', body: 'here' }]),
    );
    expect(out).toEqual({
      ok: true,
      allowed: 'https://api.partner.test/old',
      response: { url: 'https://api.partner.test/new', status: 200, statusText: '', headers: {}, body: 'here', redirected: true },
    });
  });

  it('refuses a hop outside allowedDomains, at that hop, as a violation', async () => {
    const out = await followHops('fetch', get('https://api.partner.test/out'), `${APP}/`, options([redirect('https://api.partner.test/out', 'https://user:pw@evil.example/x')]));
    expect(out).toEqual({
      ok: false,
      refused: {
        code: 'DOMAIN_NOT_ALLOWED',
        url: 'https://***@evil.example/x',
        reason: 'carries user information (user:password@)',
        hop: 1,
        message: 'https://***@evil.example/x carries user information (user:password@)',
        violation: true,
      },
    });
  });

  it('turns a POST into a GET without its body on a 303', async () => {
    const fixtures = [redirect('https://api.partner.test/form', '/done', 303, 'POST'), { url: 'https://api.partner.test/done', body: 'got it' }];
    const out = await followHops('fetch', get('https://api.partner.test/form', { method: 'post', body: 'a=1' }), `${APP}/`, options(fixtures));
    expect(out).toMatchObject({ ok: true, response: { body: 'got it', redirected: true } });
  });

  it(`stops after ${MAX_REDIRECTS} redirects`, async () => {
    const out = await followHops('fetch', get('https://api.partner.test/loop'), `${APP}/`, options([redirect('https://api.partner.test/loop', '/loop')]));
    expect(out).toMatchObject({
      ok: false,
      refused: { code: 'NETWORK_ERROR', hop: MAX_REDIRECTS + 1, message: `more than ${MAX_REDIRECTS} redirects from https://api.partner.test/loop`, violation: false },
    });
  });

  it('refuses a redirect to no URL at the next hop, as any bad URL', async () => {
    const out = await followHops('fetch', get('https://api.partner.test/broken'), `${APP}/`, options([redirect('https://api.partner.test/broken', 'https://[')]));
    expect(out).toEqual({ ok: false, refused: { code: 'NETWORK_ERROR', url: 'https://[', reason: 'is not a valid URL', hop: 1, message: 'https://[ is not a valid URL', violation: false } });
  });

  it('names what went wrong: a bad URL, the network off, no fixture, a WebSocket', async () => {
    expect(await followHops('fetch', get('https://['), `${APP}/`, options([]))).toMatchObject({
      ok: false,
      refused: { code: 'NETWORK_ERROR', reason: 'is not a valid URL', hop: 0, violation: false },
    });
    expect(await followHops('fetch', get('https://api.partner.test/x'), `${APP}/`, options([], { mode: 'off' }))).toMatchObject({ ok: false, refused: { code: 'NETWORK_OFF', violation: false } });
    expect(await followHops('xhr', get('https://api.partner.test/x'), `${APP}/`, options([]))).toMatchObject({ ok: false, allowed: 'https://api.partner.test/x', error: { code: 'NO_FIXTURE' } });
    expect(await followHops('websocket', get('wss://api.partner.test/s'), `${APP}/`, options([]))).toMatchObject({ ok: false, allowed: 'wss://api.partner.test/s', error: { code: 'NETWORK_ERROR' } });
  });

  it("answers the app's own origin from its package, whatever the mode", async () => {
    const files: Record<string, string> = { 'data/a.json': '{"a":1}' };
    const readAppFile = async (path: string) => (files[path] === undefined ? undefined : new TextEncoder().encode(files[path]));
    const opts = options([], { mode: 'off', readAppFile });
    expect(await followHops('fetch', get('data/a.json'), `${APP}/index.html`, opts)).toMatchObject({
      ok: true,
      response: { status: 200, body: '{"a":1}', headers: { 'content-type': 'application/json' } },
    });
    expect(await followHops('fetch', get('/nothing.txt'), `${APP}/`, opts)).toMatchObject({ ok: true, response: { status: 404 } });
  });
});

describe('createNetwork records each decision once', () => {
  function recorded(over: Partial<NetworkOptions> = {}) {
    const violations: NetworkViolation[] = [];
    const events: NetworkAuditEvent[] = [];
    const fixtures = [
      { url: 'https://api.partner.test/old', status: 301, headers: { location: 'https://api.partner.test/new' } },
      { url: 'https://api.partner.test/new', body: 'new' },
      { url: 'https://api.partner.test/away', status: 302, headers: { location: 'https://evil.example/' } },
    ];
    const network = createNetwork({ ...policy, fixtures, onViolation: (v) => violations.push(v), onDecision: (e) => events.push(e), ...over });
    return { network, violations, events };
  }

  it('records a refusal where it is decided, and a request let through with its first URL and where it ended', async () => {
    const { network, violations, events } = recorded();
    const out = await network.request('fetch', get('https://user:pw@api.partner.test/old'), `${APP}/`);
    // user information is refused by the policy before anything else
    expect(out).toEqual({ ok: false, error: { code: 'DOMAIN_NOT_ALLOWED', message: 'https://***@api.partner.test/old carries user information (user:password@)' } });
    expect(violations).toEqual([{ api: 'fetch', url: 'https://***@api.partner.test/old', reason: 'carries user information (user:password@)', hop: 0 }]);
    const ok = await network.request('fetch', get('https://api.partner.test/old', { method: 'get' }), `${APP}/`);
    expect(ok).toEqual({ ok: true, response: { url: 'https://api.partner.test/new', status: 200, statusText: '', headers: {}, body: 'new', redirected: true } });
    expect(events).toEqual([
      { type: 'network.blocked', api: 'fetch', method: 'GET', url: 'https://***@api.partner.test/old', code: 'DOMAIN_NOT_ALLOWED', reason: 'carries user information (user:password@)', hop: 0 },
      { type: 'network.allowed', api: 'fetch', method: 'GET', url: 'https://api.partner.test/old', status: 200, finalUrl: 'https://api.partner.test/new' },
    ]);
  });

  it('records a redirect out of allowedDomains as blocked at its hop only, and a failure after the policy as allowed with its code', async () => {
    const { network, violations, events } = recorded();
    expect(await network.request('xhr', get('https://api.partner.test/away'), `${APP}/`)).toMatchObject({ ok: false, error: { code: 'DOMAIN_NOT_ALLOWED' } });
    expect(await network.request('fetch', get('https://api.partner.test/none'), `${APP}/`)).toMatchObject({ ok: false, error: { code: 'NO_FIXTURE' } });
    expect(violations).toEqual([{ api: 'xhr', url: 'https://evil.example/', reason: 'host evil.example is not in allowedDomains', hop: 1 }]);
    expect(events).toEqual([
      { type: 'network.blocked', api: 'xhr', method: 'GET', url: 'https://evil.example/', code: 'DOMAIN_NOT_ALLOWED', reason: 'host evil.example is not in allowedDomains', hop: 1 },
      { type: 'network.allowed', api: 'fetch', method: 'GET', url: 'https://api.partner.test/none', code: 'NO_FIXTURE' },
    ]);
  });

  it('refuses a synchronous load: a violation outside allowedDomains, refused for being synchronous inside', () => {
    const { network, violations, events } = recorded();
    expect(network.refusedSync('script', 'https://evil.example/lib.js', 'GET', `${APP}/`)).toBe('violation');
    expect(network.refusedSync('xhr', 'https://api.partner.test/lib.js', 'GET', `${APP}/`)).toBe('synchronous');
    expect(violations).toEqual([{ api: 'script', url: 'https://evil.example/lib.js', reason: 'host evil.example is not in allowedDomains', hop: 0 }]);
    expect(events.map((e) => [e.type, 'code' in e ? e.code : undefined])).toEqual([
      ['network.blocked', 'DOMAIN_NOT_ALLOWED'],
      ['network.blocked', 'SYNC_REQUEST_REFUSED'],
    ]);
  });

  it('builds no audit line without an audit log', async () => {
    const violations: NetworkViolation[] = [];
    const network = createNetwork({ ...policy, fixtures: [{ url: 'https://api.partner.test/x', body: 'x' }], onViolation: (v) => violations.push(v) });
    expect(await network.request('fetch', get('https://api.partner.test/x'), `${APP}/`)).toMatchObject({ ok: true, response: { body: 'x', redirected: false } });
    expect(await network.request('fetch', get('https://evil.example/'), `${APP}/`)).toMatchObject({ ok: false, error: { code: 'DOMAIN_NOT_ALLOWED' } });
    expect(violations).toHaveLength(1);
  });
});

describe('redact', () => {
  it.each([
    ['https://user:secret@api.partner.test/x', 'https://***@api.partner.test/x'],
    ['wss://token@api.partner.test/', 'wss://***@api.partner.test/'],
    ['https://api.partner.test/a@b', 'https://api.partner.test/a@b'],
    ['https://api.partner.test/?q=a@b', 'https://api.partner.test/?q=a@b'],
    ['https://***@api.partner.test/', 'https://***@api.partner.test/'],
  ])('%s → %s', (url, shown) => {
    expect(redact(url)).toBe(shown);
  });
});
