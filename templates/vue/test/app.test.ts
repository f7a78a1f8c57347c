// Runs the app headless against miniapp's mock host: the same permissions, storage, payments and
// error codes as the real host. `npm test` runs these after validating and building the package.
import { afterEach, expect, it } from 'vitest';
import { launch, type TestApp } from 'miniapp/testing';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

it('counts the visit in the host storage', async () => {
  app = await launch('.');
  expect(app.text('#visits')).toBe('1');
  expect(app.callsTo('storage.set')[0]?.params).toEqual({ key: 'visits', value: '1' });
  expect(app.errors).toEqual([]);
});

it('pays and shows the transaction', async () => {
  app = await launch('.');
  await app.click('#pay');
  expect(app.callsTo('payment.pay')[0]?.params).toMatchObject({ amount: 1, currency: 'USD', orderId: expect.stringMatching(/^order-/) });
  expect(app.text('#status')).toMatch(/^Paid \(transaction .+\)$/);
});

it('says so when the user cancels the payment', async () => {
  app = await launch('.');
  app.respond('payment.pay', () => {
    throw { code: 'PAYMENT_CANCELLED', message: 'The user closed the payment sheet' };
  });
  await app.click('#pay');
  expect(app.text('#status')).toBe('Payment cancelled');
});
