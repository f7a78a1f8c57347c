import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doneOf, testHost, type TestHost } from './helpers/host-apps.js';

let h: TestHost;
beforeAll(async () => {
  h = await testHost();
});
afterAll(async () => {
  await h.manager.close();
});

describe('a sandboxed app at volume', () => {
  it('gets every one of 2,000 bridge calls answered, in order and in parallel, without being stopped', async () => {
    // 1,000 calls one after another, then 1,000 at once: each answer is checked against its own call.
    await h.install(
      'com.partner.busy',
      `
      (async () => {
        let wrong = 0;
        for (let i = 0; i < 500; i++) {
          await MiniAppBridge.call('storage.set', { key: 'k' + i, value: 'v' + i });
          const got = await MiniAppBridge.call('storage.get', { key: 'k' + i });
          if (got.value !== 'v' + i) wrong++;
        }
        const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => MiniAppBridge.call('storage.get', { key: 'k' + (i % 500) })));
        answers.forEach((got, i) => { if (got.value !== 'v' + (i % 500)) wrong++; });
        console.log('DONE ' + JSON.stringify({ wrong, answered: 1000 + answers.length }));
      })();
    `,
    );
    const app = await h.manager.launch('com.partner.busy');
    expect(await doneOf(app, 20_000)).toEqual({ wrong: 0, answered: 2000 });
    // The host counts every call and keeps the first 500 (its memory per app is bounded); none was refused.
    const { calls, counts } = app.host.snapshot();
    expect(counts.calls).toBe(2000);
    expect(calls.length).toBe(500);
    expect(calls.every((c) => c.ok)).toBe(true);
    expect(app.host.recorder.refused.size).toBe(0);
  }, 40_000);
});
