import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens from auth.getToken are valid this long. */
export const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
const ISSUER = 'miniapp-host';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface TokenClaims {
  iss: string;
  /** The app the token was issued to. */
  sub: string;
  scope: string;
  /** Issued at, milliseconds since the epoch (JWT uses seconds; the 15-minute edge is exact here). */
  iat: number;
  /** Expires at, milliseconds since the epoch: the token is valid while now < exp. */
  exp: number;
  jti: string;
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** The HMAC key tokens are signed with, derived from the host key (a partner backend gets it from the host operator). */
export function tokenSigningKey(hostKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', hostKey, Buffer.from('miniapp-token-v1'), Buffer.from('auth.getToken'), 32));
}

/** A JWT (HS256) for one app and scope. The app sees only this token, never a user credential. */
export function issueToken(signingKey: Uint8Array, appId: string, scope: string, clock: Clock = systemClock): { token: string; claims: TokenClaims } {
  const iat = clock.now();
  const claims: TokenClaims = { iss: ISSUER, sub: appId, scope, iat, exp: iat + TOKEN_LIFETIME_MS, jti: randomBytes(12).toString('hex') };
  const body = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
  return { token: `${body}.${b64(createHmac('sha256', signingKey).update(body).digest())}`, claims };
}

export type TokenCheck = { valid: true; claims: TokenClaims } | { valid: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-app' | 'wrong-scope' };

export interface VerifyTokenOptions {
  /** The key from tokenSigningKey(hostKey). */
  signingKey: Uint8Array;
  clock?: Clock;
  /** Require the token to be bound to this app id. */
  appId?: string;
  /** Require this scope. */
  scope?: string;
}

/**
 * What a partner backend does with a token: check the signature, the expiry (invalid from exactly
 * 15:00 after issue), and that it was issued to the expected app for the expected scope.
 */
export function verifyToken(token: string, options: VerifyTokenOptions): TokenCheck {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) return { valid: false, reason: 'malformed' };
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', options.signingKey).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, reason: 'bad-signature' };
  let claims: TokenClaims;
  try {
    const h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown };
    if (h.alg !== 'HS256') return { valid: false, reason: 'malformed' };
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
  } catch {
    return { valid: false, reason: 'malformed' };
  }
  if (claims.iss !== ISSUER || typeof claims.exp !== 'number') return { valid: false, reason: 'malformed' };
  if ((options.clock ?? systemClock).now() >= claims.exp) return { valid: false, reason: 'expired' };
  if (options.appId !== undefined && claims.sub !== options.appId) return { valid: false, reason: 'wrong-app' };
  if (options.scope !== undefined && claims.scope !== options.scope) return { valid: false, reason: 'wrong-scope' };
  return { valid: true, claims };
}

/** A clock tests move by hand, to cross the 15-minute edge exactly. */
export class FakeClock implements Clock {
  constructor(private time = Date.UTC(2030, 0, 1)) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): number {
    this.time += ms;
    return this.time;
  }
  set(ms: number): void {
    this.time = ms;
  }
}
