import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openFileBlobStore } from '../src/registry/blobs.js';
import { createRegistry, operator } from '../src/registry/registry.js';
import { startRegistryServer, type RegistryServer } from '../src/registry/server.js';
import { createSqlStore } from '../src/registry/sql-store.js';
import { openSqliteDb } from '../src/registry/sqlite.js';
import { api, startTestRegistry, type TestRegistry } from './helpers/registry.js';
import { publishBytes, seed, shop } from './registry-suite.js';

// A conformance run in flight when its registry process dies leaves the version `pending` in the store:
// nothing would ever finish it, and approval waits for a verdict. These runs can be run again.

/** A second registry process over the same embedded store (the one that starts after the first died). */
async function reopen(dir: string, conformance = true): Promise<RegistryServer> {
  const registry = createRegistry({ store: await createSqlStore(openSqliteDb(join(dir, 'registry.db'))), blobs: await openFileBlobStore(dir), conformance, conformanceStartupBudgetMs: 30_000 });
  return startRegistryServer({ registry });
}

describe('conformance runs left pending', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });

  async function leftPending(): Promise<{ first: TestRegistry; tokens: Awaited<ReturnType<typeof seed>> }> {
    const first = await startTestRegistry('embedded');
    const tokens = await seed(first);
    expect((await publishBytes(first, tokens.acme, shop({ version: '1.0.0' }))).status).toBe(201);
    // What the store holds when the process died mid-run: the verdict still pending.
    await first.registry.store.change((tx) => tx.setConformance('com.partner.shop', '1.0.0', { status: 'pending' }));
    await first.close();
    return { first, tokens };
  }

  it('re-runs every pending run on request (reviewer), audits it, and the verdict lets the version be approved', async () => {
    const { first, tokens } = await leftPending();
    const server = await reopen(first.dir);
    open.push(server);
    const approveEarly = await api(server.url, '/api/submissions/com.partner.shop@1.0.0/approve', tokens.reviewer, {});
    expect(approveEarly.json.errors[0].code).toBe('REGISTRY_CONFORMANCE_PENDING');

    expect((await api(server.url, '/api/conformance/pending', tokens.acme, {})).json.errors[0].code).toBe('REGISTRY_FORBIDDEN');
    const rerun = await api(server.url, '/api/conformance/pending', tokens.reviewer, {});
    expect(rerun.status).toBe(202);
    expect(rerun.json.result).toEqual([{ id: 'com.partner.shop', version: '1.0.0' }]);
    // Asked again while it runs: not queued twice.
    expect((await api(server.url, '/api/conformance/pending', tokens.reviewer, {})).json.result).toEqual([]);
    await server.registry.conformance.idle();

    const shown = await api(server.url, '/api/submissions/com.partner.shop@1.0.0', tokens.reviewer);
    expect(shown.json.result.conformance).toMatchObject({ status: 'passed' });
    const actions = (await server.registry.auditLog(operator('t'))).map((e) => `${e.action} ${e.subject}`);
    expect(actions).toEqual(expect.arrayContaining(['conformance.requeued com.partner.shop@1.0.0', 'conformance.passed com.partner.shop@1.0.0']));
    expect(actions.indexOf('conformance.requeued com.partner.shop@1.0.0')).toBeLessThan(actions.indexOf('conformance.passed com.partner.shop@1.0.0'));
    expect((await api(server.url, '/api/submissions/com.partner.shop@1.0.0/approve', tokens.reviewer, {})).status).toBe(200);
    // Nothing is left pending now.
    expect((await api(server.url, '/api/conformance/pending', tokens.reviewer, {})).json.result).toEqual([]);
  }, 120_000);

  it('re-runs one version by name; refuses unknown versions, decided ones, and a registry without conformance', async () => {
    const { first, tokens } = await leftPending();
    const off = await reopen(first.dir, false);
    const refusedOff = await api(off.url, '/api/submissions/com.partner.shop@1.0.0/conformance', tokens.reviewer, {});
    expect(refusedOff.json.errors[0]).toMatchObject({ code: 'REGISTRY_INVALID_STATE' });
    await off.close();

    const server = await reopen(first.dir);
    open.push(server);
    expect((await api(server.url, '/api/submissions/com.partner.shop@9.9.9/conformance', tokens.reviewer, {})).json.errors[0].code).toBe('REGISTRY_NOT_FOUND');
    const one = await api(server.url, '/api/submissions/com.partner.shop@1.0.0/conformance', tokens.reviewer, {});
    expect(one.status).toBe(202);
    expect(one.json.result).toEqual([{ id: 'com.partner.shop', version: '1.0.0' }]);
    await server.registry.conformance.idle();
    expect((await api(server.url, '/api/submissions/com.partner.shop@1.0.0', tokens.reviewer)).json.result.conformance.status).toBe('passed');
    expect((await api(server.url, '/api/submissions/com.partner.shop@1.0.0/reject', tokens.reviewer, { reason: 'no' })).status).toBe(200);
    const decided = await api(server.url, '/api/submissions/com.partner.shop@1.0.0/conformance', tokens.reviewer, {});
    expect(decided.json.errors[0]).toMatchObject({ code: 'REGISTRY_INVALID_STATE' });
  }, 120_000);
});
