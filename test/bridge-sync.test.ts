import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG, PERMISSIONS, SCHEMA_KEYWORDS, type JsonSchema, type MethodName } from '../src/bridge/catalog.js';
import { renderBridgeDocs, renderBridgeTypes, renderMockData } from '../src/bridge/generate.js';
import { methodPermission, methodSince } from '../src/bridge/permissions.js';
import { compareHostVersions } from '../src/bridge/version.js';
import { NEWEST_HOST_VERSION } from '../src/manifest/host-versions.js';
import type { Manifest } from '../src/manifest/types.js';
// The browser mock is plain JS; it is imported as it ships.
import { createMockBridge, validate as mockValidate } from '../src/bridge/mock/bridge-mock.js';
import { hostHarness } from './helpers/host.js';

const read = (p: string) => readFileSync(new URL(`../${p}`, import.meta.url), 'utf8');
const methods = Object.keys(CATALOG) as MethodName[];

describe('the catalogue is the one source of truth', () => {
  it('has at least 20 methods, including every one the platform promises', () => {
    expect(methods.length).toBeGreaterThanOrEqual(20);
    for (const m of [
      'payment.pay',
      'payment.refund',
      'storage.set',
      'storage.get',
      'storage.remove',
      'storage.clear',
      'storage.keys',
      'auth.getToken',
      'location.get',
      'device.info',
      'ui.toast',
      'ui.showModal',
      'ui.setTitle',
      'navigation.openMiniProgram',
      'navigation.close',
      'share.open',
      'clipboard.read',
      'clipboard.write',
      'camera.scanCode',
      'network.status',
      'app.getLaunchInfo',
    ]) {
      expect(methods).toContain(m);
    }
  });

  it('docs/bridge.md, src/bridge/types.ts and the mock data are generated from it (run `npm run docs`)', () => {
    expect(read('docs/bridge.md')).toBe(renderBridgeDocs());
    expect(read('src/bridge/types.ts')).toBe(renderBridgeTypes());
    expect(read('src/bridge/mock/catalog-data.js')).toBe(renderMockData());
  });

  it("the manifest schema's permission list is exactly the catalogue's permissions", () => {
    const schema = JSON.parse(read('schema/manifest.schema.json'));
    expect([...schema.properties.permissions.items.enum].sort()).toEqual(Object.keys(PERMISSIONS).sort());
    const used = new Set(methods.map((m) => CATALOG[m].permission).filter(Boolean));
    expect([...used].sort()).toEqual(Object.keys(PERMISSIONS).sort());
  });

  it('the newest host version the toolchain knows is the newest `since` in the catalogue', () => {
    const newest = methods
      .map((m) => CATALOG[m].since)
      .sort(compareHostVersions)
      .pop();
    expect(newest).toBe(NEWEST_HOST_VERSION);
  });

  it('schemas use only the keywords the browser mock implements', () => {
    const walk = (s: JsonSchema, where: string) => {
      for (const key of Object.keys(s)) expect(SCHEMA_KEYWORDS as readonly string[], `${where}: ${key}`).toContain(key);
      for (const [k, sub] of Object.entries(s.properties ?? {})) walk(sub, `${where}/${k}`);
      if (s.items) walk(s.items, `${where}/items`);
    };
    for (const m of methods) {
      walk(CATALOG[m].params, `${m} params`);
      walk(CATALOG[m].result, `${m} result`);
    }
  });

  it('methodPermission and methodSince answer from the catalogue (the build lint uses them)', () => {
    expect(methodPermission('payment.pay')).toBe('payment');
    expect(methodPermission('ui.toast')).toBeUndefined();
    expect(methodPermission('constructor')).toBeUndefined();
    expect(methodSince('contacts.pick')).toBe('3.4.0');
    expect(methodSince('toString')).toBeUndefined();
  });
});

/**
 * Cases the host and the browser mock must answer identically (code and path):
 * [method, params, the manifest's permissions (default: all), the consent the user denies (default: none)].
 */
const CASES: Array<[string, unknown, string[]?, string[]?]> = [
  ['storage.set', { key: 'k', value: 'v' }],
  ['storage.set', { key: '', value: 'v' }],
  ['storage.set', { key: 'k' }],
  ['storage.set', { key: 'k', value: 1 }],
  ['storage.set', { key: 'k', value: 'v', extra: true }],
  ['storage.set', null],
  ['storage.set', []],
  ['storage.get', { key: 'x'.repeat(513) }],
  ['payment.pay', { amount: 1.234, currency: 'EUR', orderId: 'o' }],
  ['payment.pay', { amount: 0, currency: 'EUR', orderId: 'o' }],
  ['payment.pay', { amount: 5, currency: 'ZZZ', orderId: 'o' }],
  ['payment.pay', { amount: 5, currency: 'EUR', orderId: 'o' }],
  ['payment.pay', { amount: 5, currency: 'EUR', orderId: 'o' }, []],
  ['location.get', {}, ['geolocation']],
  ['location.get', {}, ['geolocation'], ['geolocation']],
  ['payment.pay', { amount: 5, currency: 'EUR', orderId: 'o' }, undefined, ['payment']],
  ['storage.get', { key: 'k' }, undefined, ['geolocation']],
  ['location.get', { accuracy: 'exact' }],
  ['camera.scanCode', { formats: ['qr', 'qr'] }],
  ['camera.scanCode', { formats: [] }],
  ['camera.scanCode', { formats: ['qr', 'bogus'] }],
  ['share.open', { title: 'x', url: 'http://plain.example' }],
  ['navigation.openMiniProgram', { appId: 'Not An Id' }],
  ['ui.toast', { message: 'hi', duration: 100 }],
  ['ui.toast', { message: 'hi', duration: 1000.5 }],
  ['constructor', {}],
  ['__proto__', {}],
  ['Storage.get', { key: 'k' }],
  ['contacts.pick', {}],
];

describe('the browser mock and the host agree call by call', () => {
  const all = Object.keys(PERMISSIONS);
  it.each(CASES)('%s %j %j deny %j', async (method, params, permissions = all, deny = []) => {
    const h = hostHarness({ manifest: { permissions: permissions as Manifest['permissions'] }, deny });
    const hostOut = await h.call(method, params);
    const mock = createMockBridge({ permissions, hostVersion: NEWEST_HOST_VERSION, deny });
    const mockOut = await mock.call(method as MethodName, params as never).then(
      () => ({ ok: true }),
      (e: { code: string; path?: string }) => ({ ok: false, code: e.code, path: e.path }),
    );
    const permission = methodPermission(method as MethodName);
    if (permission && deny.includes(permission) && PERMISSIONS[permission as keyof typeof PERMISSIONS].consent) expect(hostOut).toMatchObject({ ok: false, error: { code: 'USER_DENIED' } });
    if (hostOut.ok) expect(mockOut).toEqual({ ok: true });
    else expect(mockOut).toEqual({ ok: false, code: hostOut.error.code, path: hostOut.error.path });
  });

  it('the mock refuses methods newer than its host version and denied consent', async () => {
    const mock = createMockBridge({ permissions: ['contacts', 'geolocation'], hostVersion: '3.0.0', deny: ['geolocation'] });
    expect(mock.canIUse('contacts.pick')).toBe(false);
    await expect(mock.call('contacts.pick', {})).rejects.toMatchObject({ code: 'METHOD_NOT_FOUND' });
    await expect(mock.call('location.get', {})).rejects.toMatchObject({ code: 'USER_DENIED' });
  });

  it('the mock validator reports the same path as ajv for nested items', () => {
    expect(mockValidate(CATALOG['camera.scanCode'].params, { formats: ['qr', 'bogus'] })).toMatchObject({ path: '/formats/1' });
  });

  it('the mock uses no Node APIs', () => {
    const source = read('src/bridge/mock/bridge-mock.js') + read('src/bridge/mock/catalog-data.js') + read('src/bridge/mock/rules.js');
    expect(source).not.toMatch(/\bfrom\s+['"]node:|require\(|process\.|Buffer\b/);
  });
});
