import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock, TOKEN_LIFETIME_MS, tokenSigningKey, verifyToken } from '../src/runtime/host/services/tokens.js';
import { hostHarness } from './helpers/host.js';

describe('auth.getToken', () => {
  const setup = () => {
    const clock = new FakeClock(Date.UTC(2030, 5, 1, 12, 0, 0));
    const hostKey = randomBytes(32);
    const h = hostHarness({ clock, hostKey, manifest: { id: 'com.partner.loans', permissions: ['auth'] } });
    return { clock, h, signingKey: tokenSigningKey(hostKey) };
  };

  it('is valid until 14:59.999 and expired at exactly 15:00', async () => {
    const { clock, h, signingKey } = setup();
    const out = (await h.call('auth.getToken', { scope: 'profile' })) as { ok: true; value: { token: string; expiresAt: number; scope: string } };
    expect(out.value.expiresAt).toBe(clock.now() + TOKEN_LIFETIME_MS);
    expect(TOKEN_LIFETIME_MS).toBe(15 * 60 * 1000);
    const check = () => verifyToken(out.value.token, { signingKey, clock, appId: 'com.partner.loans', scope: 'profile' });
    expect(check()).toMatchObject({ valid: true, claims: { sub: 'com.partner.loans', scope: 'profile' } });
    clock.advance(TOKEN_LIFETIME_MS - 1);
    expect(check().valid).toBe(true);
    clock.advance(1);
    expect(check()).toEqual({ valid: false, reason: 'expired' });
  });

  it('is bound to the app id and the scope, and signed by the host', async () => {
    const { h, clock, signingKey } = setup();
    const { value } = (await h.call('auth.getToken', { scope: 'phone' })) as { value: { token: string } };
    expect(verifyToken(value.token, { signingKey, clock, appId: 'com.other.app' })).toEqual({ valid: false, reason: 'wrong-app' });
    expect(verifyToken(value.token, { signingKey, clock, scope: 'email' })).toEqual({ valid: false, reason: 'wrong-scope' });
    expect(verifyToken(value.token, { signingKey: tokenSigningKey(randomBytes(32)), clock })).toEqual({ valid: false, reason: 'bad-signature' });
    const [head, payload, sig] = value.token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'com.other.app' })).toString('base64url');
    expect(verifyToken(`${head}.${forged}.${sig}`, { signingKey, clock })).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyToken('not a token', { signingKey, clock })).toEqual({ valid: false, reason: 'malformed' });
  });

  it('only issues the scopes of the limited set', async () => {
    const { h } = setup();
    expect(await h.call('auth.getToken', { scope: 'admin' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', path: '/scope' } });
  });

  it('two apps on one host get tokens that only verify for themselves', async () => {
    const clock = new FakeClock();
    const hostKey = randomBytes(32);
    const a = hostHarness({ clock, hostKey, manifest: { id: 'com.app.a', permissions: ['auth'] } });
    const { value } = (await a.call('auth.getToken', { scope: 'openid' })) as { value: { token: string } };
    expect(verifyToken(value.token, { signingKey: tokenSigningKey(hostKey), clock, appId: 'com.app.b' }).valid).toBe(false);
    expect(verifyToken(value.token, { signingKey: tokenSigningKey(hostKey), clock, appId: 'com.app.a' }).valid).toBe(true);
  });
});
