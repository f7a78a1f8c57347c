import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAppState } from '../src/host/app-store.js';
import { openAuditLog } from '../src/host/audit.js';
import { installPackage } from '../src/host/install.js';
import { createHostManager } from '../src/host/manager.js';
import { checkForUpdate } from '../src/host/updates.js';
import { releaseDescriptor } from '../src/signing/descriptor.js';
import { signPackage } from '../src/signing/sign.js';
import { appPackage, registry, tempDir, testKey, writeTemp } from './helpers/host-fixtures.js';

const ID = 'com.partner.loans';
const HOST = '3.4.0';

/** A loopback update feed: GET /mini-programs/{id}/version → descriptor; GET /mini-programs/{id}/{file} → bytes. */
let server: Server;
let feedUrl: string;
let release: { descriptor: object; bytes: Buffer } | undefined;
const requests: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    if (!release) return res.writeHead(404).end();
    if (req.url === `/mini-programs/${ID}/version`) return res.end(JSON.stringify(release.descriptor));
    if (req.url === `/mini-programs/${ID}/app.zip`) return res.end(release.bytes);
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  feedUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

function publish(manifest: Record<string, unknown>, script = 'console.log("v")', options: { key?: ReturnType<typeof testKey>; tamper?: boolean } = {}) {
  const signed = signPackage(appPackage({ id: ID, permissions: ['storage'], ...manifest }, { 'app.js': script }), (options.key ?? testKey()).privateKey, { newestHostVersion: '99.0.0' });
  const descriptor = releaseDescriptor(signed, 'app.zip');
  const bytes = Buffer.from(signed.bytes);
  if (options.tamper) bytes[100] ^= 1;
  release = { descriptor, bytes };
}

async function installed(version: string, script = 'console.log("v")') {
  const dir = tempDir();
  const appsDir = join(dir, 'apps');
  const signed = signPackage(appPackage({ id: ID, version, permissions: ['storage'] }, { 'app.js': script }), testKey().privateKey);
  const report = await installPackage({ source: writeTemp(dir, 'v.zip', signed.bytes), appsDir, hostVersion: HOST, trustStore: registry() });
  expect(report.ok).toBe(true);
  return appsDir;
}

const check = (appsDir: string, audit = openAuditLog()) => checkForUpdate({ feedUrl, id: ID, appsDir, hostVersion: HOST, trustStore: registry(), audit });

describe('updates from a feed', () => {
  it('downloads, verifies and stages a newer version; the next launch activates it and keeps the previous', async () => {
    const appsDir = await installed('1.0.0');
    publish({ version: '1.1.0' });
    const outcome = await check(appsDir);
    expect(outcome).toMatchObject({ status: 'staged', installed: '1.0.0', available: '1.1.0' });
    expect(await readAppState(appsDir, ID)).toMatchObject({ active: '1.0.0', staged: '1.1.0' });
    const audit = openAuditLog();
    const manager = createHostManager({ appsDir, hostVersion: HOST, audit, idleSuspendMs: 0, probationMs: 100 });
    try {
      const app = await manager.launch(ID);
      expect(app.manifest.version).toBe('1.1.0');
      expect(await readAppState(appsDir, ID)).toMatchObject({ active: '1.1.0', previous: '1.0.0' });
      await new Promise((r) => setTimeout(r, 300));
      expect(await readAppState(appsDir, ID)).toMatchObject({ active: '1.1.0', previous: '1.0.0', firstLaunchPending: false });
      expect(audit.events.some((e) => e.type === 'update.activated' && e.to === '1.1.0')).toBe(true);
    } finally {
      await manager.close();
    }
    expect((await check(appsDir)).status).toBe('up-to-date');
  });

  it.each([
    ['a download that does not match its descriptor', { tamper: true }, 'UPDATE_DIGEST_MISMATCH'],
    ['a package signed by an unknown key', { key: testKey(1) }, 'SIGNATURE_UNKNOWN_KEY'],
  ])('refuses %s and keeps the installed version', async (_name, options, code) => {
    const appsDir = await installed('1.0.0');
    publish({ version: '1.2.0' }, undefined, options);
    const outcome = await check(appsDir);
    expect(outcome).toMatchObject({ status: 'refused', code });
    const state = await readAppState(appsDir, ID);
    expect(state).toMatchObject({ active: '1.0.0' });
    expect(state?.staged).toBeUndefined();
  });

  it('answers update-required without downloading when the new version needs a newer host', async () => {
    const appsDir = await installed('1.0.0');
    publish({ version: '2.0.0', minHostVersion: '9.0.0' });
    requests.length = 0;
    const outcome = await check(appsDir);
    expect(outcome).toMatchObject({ status: 'update-required', code: 'HOST_UPDATE_REQUIRED', available: '2.0.0' });
    expect(requests).toEqual([`/mini-programs/${ID}/version`]);
  });

  it('reports a broken feed as a feed error and changes nothing', async () => {
    const appsDir = await installed('1.0.0');
    release = { descriptor: { id: 'com.other.app', version: '9.9.9' }, bytes: Buffer.alloc(0) };
    expect(await check(appsDir)).toMatchObject({ status: 'feed-error', code: 'UPDATE_FEED_FAILED' });
  });

  it('rolls back a new version that crashes on its first launch, and never stages it again', async () => {
    const appsDir = await installed('1.0.0', 'console.log("old")');
    publish({ version: '1.1.0' }, 'for (;;) {}');
    expect((await check(appsDir)).status).toBe('staged');
    const audit = openAuditLog();
    const manager = createHostManager({ appsDir, hostVersion: HOST, audit, idleSuspendMs: 0, limits: { busyMs: 300 }, checkIntervalMs: 50 });
    try {
      const app = await manager.launch(ID);
      expect(app.manifest.version).toBe('1.0.0');
      expect(audit.events.find((e) => e.type === 'update.rolled-back')).toMatchObject({ from: '1.1.0', to: '1.0.0' });
      expect(await readAppState(appsDir, ID)).toMatchObject({ active: '1.0.0', failed: '1.1.0' });
    } finally {
      await manager.close();
    }
    expect((await check(appsDir)).status).toBe('up-to-date');
  });

  it('checks the feed on a schedule while the app runs', async () => {
    const appsDir = await installed('1.0.0');
    release = undefined; // nothing published yet: the launch-time check finds nothing
    const manager = createHostManager({ appsDir, hostVersion: HOST, idleSuspendMs: 0, updates: { feedUrl, trustStore: registry(), intervalMs: 150 } });
    try {
      await manager.launch(ID);
      publish({ version: '1.0.2' });
      const until = Date.now() + 3000;
      while (!(await readAppState(appsDir, ID))?.staged && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(await readAppState(appsDir, ID)).toMatchObject({ active: '1.0.0', staged: '1.0.2' });
    } finally {
      await manager.close();
    }
  });

  it('checks the feed in the background on launch', async () => {
    const appsDir = await installed('1.0.0');
    publish({ version: '1.0.1' });
    const manager = createHostManager({ appsDir, hostVersion: HOST, idleSuspendMs: 0, updates: { feedUrl, trustStore: registry() } });
    try {
      const app = await manager.launch(ID);
      expect(app.manifest.version).toBe('1.0.0');
      expect(await manager.checkUpdate(ID)).toMatchObject({ status: 'staged' });
    } finally {
      await manager.close();
    }
  });
});
