import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CATALOG, type MethodName } from '../src/bridge/catalog.js';
import { hostHarness } from './helpers/host.js';

/** A valid call of every method: the table drives granted, denied, invalid and error-code cases. */
const VALID: Record<MethodName, Record<string, unknown>> = {
  'payment.pay': { amount: 12.5, currency: 'EUR', orderId: 'o-1' },
  'payment.refund': { transactionId: 'txn_1' },
  'storage.set': { key: 'k', value: 'v' },
  'storage.get': { key: 'k' },
  'storage.remove': { key: 'k' },
  'storage.clear': {},
  'storage.keys': {},
  'auth.getToken': { scope: 'profile' },
  'location.get': { accuracy: 'fine' },
  'device.info': {},
  'ui.toast': { message: 'hi' },
  'ui.showModal': { title: 'Sure?' },
  'ui.setTitle': { title: 'Shop' },
  'navigation.openMiniProgram': { appId: 'com.other.app' },
  'navigation.close': {},
  'share.open': { title: 'Look', url: 'https://shop.example/p/1' },
  'clipboard.read': {},
  'clipboard.write': { text: 'copied' },
  'camera.scanCode': { formats: ['qr'] },
  'network.status': {},
  'app.getLaunchInfo': {},
  'contacts.pick': { multiple: true },
};

const methods = Object.keys(CATALOG) as MethodName[];
const allPermissions = [...new Set(methods.map((m) => CATALOG[m].permission).filter((p): p is NonNullable<typeof p> => p !== null))];
const ajv = new Ajv({ strict: false });

/** Setup each method needs to succeed with its default handler (a payment to refund, something in the clipboard...). */
async function prepare(method: MethodName, h: ReturnType<typeof hostHarness>, params: Record<string, unknown>) {
  if (method === 'payment.refund') {
    const paid = await h.call('payment.pay', VALID['payment.pay']);
    return { ...params, transactionId: (paid as { value: { transactionId: string } }).value.transactionId };
  }
  if (method === 'clipboard.read') await h.call('clipboard.write', { text: 'x' });
  return params;
}

describe('every catalogue method, table-driven', () => {
  it('covers every method in the table', () => {
    expect(Object.keys(VALID).sort()).toEqual([...methods].sort());
  });

  describe.each(methods)('%s', (method) => {
    const spec = CATALOG[method];

    it('succeeds when the permission is granted, with a result matching its schema', async () => {
      const h = hostHarness({ manifest: { permissions: allPermissions }, installedApps: ['com.other.app'] });
      const params = await prepare(method, h, VALID[method]);
      const out = await h.call(method, params);
      expect(out).toMatchObject({ ok: true });
      const check = ajv.compile(spec.result);
      expect(check((out as { value: unknown }).value), JSON.stringify(check.errors)).toBe(true);
    });

    it.runIf(spec.permission !== null)('fails with PERMISSION_DENIED when the manifest lacks the permission, before any handler runs', async () => {
      const h = hostHarness({ manifest: { permissions: allPermissions.filter((p) => p !== spec.permission) } });
      let ran = false;
      h.host.respond(method, () => {
        ran = true;
        return {};
      });
      const out = await h.call(method, VALID[method]);
      expect(out).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED' } });
      expect(ran).toBe(false);
      expect(h.host.storage.keys()).toEqual([]);
    });

    it('fails with INVALID_PARAMS and the schema path for an unknown param', async () => {
      const h = hostHarness({ manifest: { permissions: allPermissions } });
      const out = await h.call(method, { ...VALID[method], unexpected: 1 });
      expect(out).toEqual({ ok: false, error: expect.objectContaining({ code: 'INVALID_PARAMS', path: '/unexpected' }) });
    });

    it.each([...spec.errors])('can fail with its own code %s', async (code) => {
      const h = hostHarness({ manifest: { permissions: allPermissions } });
      h.host.respond(method, () => {
        throw { code, message: `scripted ${code}` };
      });
      expect(await h.call(method, VALID[method])).toEqual({ ok: false, error: { code, message: `scripted ${code}` } });
    });

    it('turns a code the method does not declare into INTERNAL_ERROR', async () => {
      const h = hostHarness({ manifest: { permissions: allPermissions } });
      h.host.respond(method, () => {
        throw { code: 'NOT_A_CODE_OF_THIS_METHOD', message: 'x' };
      });
      expect(await h.call(method, VALID[method])).toMatchObject({ ok: false, error: { code: 'INTERNAL_ERROR' } });
    });

    it.runIf(spec.permission !== null && (spec.errors as readonly string[]).includes('USER_DENIED'))('fails with USER_DENIED when the user denies consent', async () => {
      const h = hostHarness({ manifest: { permissions: allPermissions }, deny: [spec.permission!] });
      expect(await h.call(method, VALID[method])).toMatchObject({ ok: false, error: { code: 'USER_DENIED' } });
    });
  });
});

describe('error codes the services raise themselves', () => {
  const perms = { manifest: { permissions: allPermissions } };
  it.each([
    ['PAYMENT_CANCELLED', { paymentOutcome: 'cancel' as const }, 'payment.pay', VALID['payment.pay']],
    ['PAYMENT_FAILED', { paymentOutcome: 'fail' as const }, 'payment.pay', VALID['payment.pay']],
    ['TRANSACTION_NOT_FOUND', {}, 'payment.refund', { transactionId: 'txn_unknown' }],
    ['LOCATION_UNAVAILABLE', { location: null }, 'location.get', {}],
    ['APP_NOT_FOUND', {}, 'navigation.openMiniProgram', { appId: 'com.not.installed' }],
    ['CLIPBOARD_EMPTY', {}, 'clipboard.read', {}],
    ['QUOTA_EXCEEDED', { storageQuota: 10 }, 'storage.set', { key: 'k', value: 'more than ten bytes' }],
  ])('%s', async (code, options, method, params) => {
    const h = hostHarness({ ...perms, ...options });
    expect(await h.call(method, params)).toMatchObject({ ok: false, error: { code } });
  });

  it('REFUND_EXCEEDS_PAYMENT when refunding more than was paid', async () => {
    const h = hostHarness(perms);
    const paid = (await h.call('payment.pay', { amount: 10, currency: 'EUR', orderId: 'o' })) as { value: { transactionId: string } };
    expect(await h.call('payment.refund', { transactionId: paid.value.transactionId, amount: 6 })).toMatchObject({ ok: true });
    expect(await h.call('payment.refund', { transactionId: paid.value.transactionId, amount: 4.01 })).toMatchObject({ ok: false, error: { code: 'REFUND_EXCEEDS_PAYMENT' } });
  });
});

describe('payment.pay params', () => {
  const h = hostHarness({ manifest: { permissions: ['payment'] } });
  it.each([
    [{ amount: 0, currency: 'EUR', orderId: 'o' }, '/amount'],
    [{ amount: -1, currency: 'EUR', orderId: 'o' }, '/amount'],
    [{ amount: 1.005, currency: 'EUR', orderId: 'o' }, '/amount'],
    [{ amount: '10', currency: 'EUR', orderId: 'o' }, '/amount'],
    [{ amount: 10, currency: 'eur', orderId: 'o' }, '/currency'],
    [{ amount: 10, currency: 'XXY', orderId: 'o' }, '/currency'],
    [{ amount: 10, currency: 'EUR' }, '/orderId'],
  ])('%j is refused at %s', async (params, path) => {
    expect(await h.call('payment.pay', params)).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', path } });
  });
  it('says why an amount is refused', async () => {
    expect(await h.call('payment.pay', { amount: 1.005, currency: 'EUR', orderId: 'o' })).toMatchObject({ error: { message: '/amount must have at most 2 decimal places' } });
    expect(await h.call('payment.pay', { amount: 10, currency: 'eur', orderId: 'o' })).toMatchObject({
      error: { message: expect.stringMatching(/^\/currency must be equal to one of the allowed values/) },
    });
  });
  it.each([0.01, 0.1 + 0.2 - 0.3 + 1, 19.99, 1_000_000])('%s is a valid amount', async (amount) => {
    expect(await h.call('payment.pay', { amount, currency: 'USD', orderId: 'o' })).toMatchObject({ ok: true });
  });
});

describe('method lookup', () => {
  const h = hostHarness({ manifest: { permissions: ['storage'] } });
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', ' storage.get', 'Storage.get', 'storage.get ', 'storage', '', 'storage.get\u0000'])('%j is METHOD_NOT_FOUND', async (method) => {
    expect(await h.call(method, { key: 'k' })).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
  });
  it('a non-string method is METHOD_NOT_FOUND', async () => {
    expect(await h.call(null, {})).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
    expect(await h.call(42, {})).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
  });
  it('a method newer than the host is METHOD_NOT_FOUND and canIUse says no', async () => {
    const old = hostHarness({ manifest: { permissions: ['contacts', 'clipboard'] }, hostVersion: '3.0.0' });
    expect(await old.call('contacts.pick', {})).toMatchObject({ ok: false, error: { code: 'METHOD_NOT_FOUND' } });
    expect(old.host.canIUse('contacts.pick')).toBe(false);
    expect(old.host.canIUse('clipboard.read')).toBe(true);
    expect(await old.call('clipboard.write', { text: 'a' })).toMatchObject({ ok: true });
  });
  it('params over 1 MiB are INVALID_PARAMS', async () => {
    expect(await h.call('storage.set', { key: 'k', value: 'x'.repeat(1024 * 1024) })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
  });
  it('missing params count as {} and null params are invalid', async () => {
    expect(await h.call('storage.keys')).toMatchObject({ ok: true, value: { keys: [] } });
    expect(await h.call('storage.keys', null)).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
  });
});
