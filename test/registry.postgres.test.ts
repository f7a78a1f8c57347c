import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, localPostgres, startTestRegistry } from './helpers/registry.js';
import { registrySuite, seed, shop, publishBytes } from './registry-suite.js';

/** The same suite against a real PostgreSQL server of this run's own (installed by .ci/run in CI). */
const pg = (() => {
  try {
    return localPostgres();
  } catch (err) {
    return { skip: `PostgreSQL would not start: ${(err as Error).message}` };
  }
})();
const skip = 'skip' in pg ? pg.skip : undefined;
if (skip) {
  console.warn(`skipping the PostgreSQL registry suite: ${skip}`);
  if (process.env.CI) throw new Error(`CI must run the PostgreSQL registry suite: ${skip}`);
}

describe.skipIf(!!skip)('registry (PostgreSQL store)', () => {
  afterAll(() => {
    if (!('skip' in pg)) pg.stop();
  });
  registrySuite('postgres', () => ('url' in pg ? pg.url : undefined));

  describe('a database that goes away mid-request', () => {
    it('answers REGISTRY_STORE_UNAVAILABLE, stores nothing, keeps serving, and recovers when it is back', async () => {
      if (!('url' in pg)) return;
      const t = await startTestRegistry('postgres', { pgUrl: pg.url });
      try {
        const tokens = await seed(t);
        const bytes = shop({ version: '1.0.0' });
        pg.halt(); // the database goes away
        try {
          const refused = await publishBytes(t, tokens.acme, bytes);
          expect({ status: refused.status, code: refused.json.errors[0].code }).toEqual({ status: 503, code: 'REGISTRY_STORE_UNAVAILABLE' });
          expect((await api(t.url, '/healthz', undefined)).status).toBe(200);
          expect((await api(t.url, '/readyz', undefined)).status).toBe(503);
          expect((await api(t.url, `/mini-programs/com.partner.shop/version`, undefined)).json.errors[0].code).toBe('REGISTRY_STORE_UNAVAILABLE');
        } finally {
          pg.start();
        }
        expect((await api(t.url, '/readyz', undefined)).status).toBe(200);
        expect((await t.registry.store.versions()).length).toBe(0);
        expect((await publishBytes(t, tokens.acme, bytes)).status).toBe(201);
        expect((await t.registry.store.versions()).length).toBe(1);
      } finally {
        await t.close();
      }
    });
  });
});

describe('PostgreSQL availability', () => {
  it.skipIf(!skip)('says why the PostgreSQL suite was skipped', () => {
    expect(skip).toBeTruthy();
  });
});

beforeAll(() => undefined);
