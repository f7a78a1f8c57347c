import { describe, expect, it } from 'vitest';
// The worker loads compiled JavaScript, so this test drives the built runtime (npm test builds first).
import { launchApp } from '../dist/runtime/launch.js';

const SHOP = new URL('./fixtures/runtime/shop', import.meta.url).pathname;

describe('the guest in its own worker thread (same host, same messages, another Channel)', () => {
  it('runs the app, answers its bridge calls and drives its DOM only through messages', async () => {
    const app = await launchApp(SHOP, { isolation: 'worker' });
    await app.host.waitForIdle();
    expect((await app.host.dom('query', '#visits')).value).toMatchObject({ exists: true, text: 'visit 1' });
    await app.host.dom('click', '#pay');
    await app.host.waitForIdle();
    expect((await app.host.dom('query', '#status')).value).toMatchObject({ text: expect.stringMatching(/^paid txn_/) });
    expect(app.host.recorder.calls.map((c) => c.method)).toEqual(['storage.get', 'storage.set', 'payment.pay']);
    expect(() => app.guest.window).toThrow(/isolated/);
    await app.close();
    await app.close();
  });
});
