import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runApp } from '../src/runtime/run.js';
import { launch, TOKEN_LIFETIME_MS } from '../src/testing/index.js';
import { tempDir } from './helpers/temp.js';

const fixture = (name: string) => new URL(`./fixtures/runtime/${name}`, import.meta.url).pathname;
const SHOP = fixture('shop');

describe('miniapp/testing launch()', () => {
  it('runs the app: DOM, bridge calls, clicks, scripted responses, consent', async () => {
    const app = await launch(SHOP);
    expect(app.text('#visits')).toBe('visit 1');
    expect(app.calls.map((c) => c.method)).toEqual(['storage.get', 'storage.set']);
    await app.click('#pay');
    expect(app.text('#status')).toMatch(/^paid txn_/);
    expect(app.callsTo('payment.pay')[0]).toMatchObject({ ok: true, params: { amount: 12.5, currency: 'EUR', orderId: 'order-1' } });

    app.respond('payment.pay', () => {
      throw { code: 'PAYMENT_FAILED', message: 'card declined' };
    });
    await app.click('#pay');
    expect(app.text('#status')).toBe('failed PAYMENT_FAILED');
    app.respond('payment.pay', undefined);

    app.deny('geolocation');
    await app.click('#locate');
    expect(app.text('#status')).toBe('location USER_DENIED');
    app.grant('geolocation');
    await app.click('#locate');
    expect(app.text('#status')).toBe('at 52.52');
    await app.close();
    await app.close();
  });

  it('drives the lifecycle (launched, shown, hidden, shown, unloaded)', async () => {
    const app = await launch(SHOP);
    expect(app.text('#lifecycle')).toBe('launched,shown');
    await app.lifecycle('hidden');
    await app.lifecycle('shown');
    expect(app.text('#lifecycle')).toBe('launched,shown,hidden,shown');
    expect((app.window as unknown as { MiniAppBridge: { lifecycleState: string } }).MiniAppBridge.lifecycleState).toBe('shown');
    await app.lifecycle('unloaded');
  });

  it('keeps storage across launches with the same data directory and host key', async () => {
    const options = { dataDir: tempDir('launch'), hostKey: randomBytes(32) };
    const first = await launch(SHOP, options);
    await first.close();
    const second = await launch(SHOP, options);
    expect(second.text('#visits')).toBe('visit 2');
    expect(second.storage.get('visits')).toBe('2');
    await second.close();
  });

  it('gives each app its own localStorage', async () => {
    const a = await launch(SHOP);
    const b = await launch(fixture('network'));
    expect(a.window.localStorage.getItem('seen')).toBe('shop');
    expect(b.window.localStorage.getItem('seen')).toBeNull();
    expect(a.window.location.origin).not.toBe(b.window.location.origin);
    await a.close();
    await b.close();
  });

  it('issues tokens the fake backend verifies, until the fake clock passes 15:00', async () => {
    const app = await launch(SHOP);
    const { token } = await (app.window as unknown as { MiniAppBridge: { call(m: string, p: object): Promise<{ token: string }> } }).MiniAppBridge.call('auth.getToken', { scope: 'profile' });
    expect(app.verifyToken(token, { scope: 'profile' }).valid).toBe(true);
    app.clock.advance(TOKEN_LIFETIME_MS);
    expect(app.verifyToken(token)).toEqual({ valid: false, reason: 'expired' });
    await app.close();
  });

  it('records calls and replays them as scripted responses in a later run', async () => {
    const first = await launch(SHOP);
    first.respond('payment.pay', () => ({ transactionId: 'txn_recorded', status: 'success' }));
    await first.click('#pay');
    const recording = first.recording();
    await first.close();
    expect(recording.calls.map((c) => c.method)).toEqual(['storage.get', 'storage.set', 'payment.pay']);

    const replayed = await launch(SHOP, { replay: recording });
    await replayed.click('#pay');
    expect(replayed.text('#status')).toBe('paid txn_recorded');
    // Answers run out: the host's own handler answers again.
    await replayed.click('#pay');
    expect(replayed.text('#status')).not.toBe('paid txn_recorded');
    await replayed.close();
  });

  it('copies params once before validation: a getter cannot change them after the check', async () => {
    const app = await launch(SHOP);
    let reads = 0;
    const params = {
      get key() {
        reads++;
        return reads === 1 ? 'checked' : 'x'.repeat(10_000);
      },
      value: 'v',
    };
    const bridge = (app.window as unknown as { MiniAppBridge: { call(m: string, p: object): Promise<unknown> } }).MiniAppBridge;
    await bridge.call('storage.set', params);
    expect(reads).toBe(1);
    expect(app.storage.keys()).toContain('checked');
    await app.close();
  });

  it('reports storage written with another host key as RUN_STORAGE_UNREADABLE', async () => {
    const dataDir = tempDir('launch');
    const hostKey = randomBytes(32);
    const first = await launch(SHOP, { dataDir, hostKey });
    await first.close();
    const { readdirSync, writeFileSync, readFileSync } = await import('node:fs');
    const file = join(dataDir, 'storage', readdirSync(join(dataDir, 'storage'))[0]!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(file, bytes);
    await expect(launch(SHOP, { dataDir, hostKey })).rejects.toMatchObject({ code: 'RUN_STORAGE_UNREADABLE' });
  });

  it('builds a project whose entry HTML references TypeScript, in memory', async () => {
    const app = await launch(fixture('project'));
    expect(app.text('#out')).toBe('hello project 0');
    await app.close();
  });

  it('fails with RUN_ENTRY_POINT_MISSING when the entry point is not there', async () => {
    await expect(launch(fixture('nomain'))).rejects.toMatchObject({ code: 'RUN_ENTRY_POINT_MISSING' });
  });
});

describe('bad input ends in a report with codes, never a hang or a crash', () => {
  it('throw at load, missing script, never-settling promise, non-cloneable and 1 MB params, 100,000 calls', async () => {
    const { report, errors } = await runApp(fixture('hostile'), { timeoutMs: 20_000 });
    expect(report.stoppedBy).toBe('idle');
    const codes = errors.map((e) => e.code);
    expect(codes).toContain('RUN_SCRIPT_ERROR');
    expect(codes).toContain('RUN_RESOURCE_MISSING');
    expect(codes).toContain('RUN_UNHANDLED_REJECTION');
    expect(errors.find((e) => e.code === 'RUN_RESOURCE_MISSING')?.message).toContain('missing.js');
    const out = report.console.find((c) => c.text.includes('"loop"'));
    const results = JSON.parse(out!.text);
    // Params are JSON under every isolation: a Proxy of a plain object is read as JSON.stringify reads it
    // (a Vue reactive object is one), a function or a symbol is refused.
    expect(results).toEqual({ function: 'INVALID_PARAMS', symbol: 'INVALID_PARAMS', proxy: 'ok', huge: 'INVALID_PARAMS', loop: 100000 });
    expect(report.callCount).toBe(100_001);
    expect(report.calls.length).toBeLessThan(report.callCount);
  }, 60_000);

  it('settle() gives up on an app that never goes idle', async () => {
    const app = await launch(SHOP, { idleTimeoutMs: 100 });
    app.respond('storage.keys', () => new Promise(() => {}));
    void (app.window as unknown as { MiniAppBridge: { call(m: string): Promise<unknown> } }).MiniAppBridge.call('storage.keys');
    await expect(app.settle()).rejects.toThrow(/not idle/);
    await app.close();
  });

  it('runApp stops it at the timeout with RUN_TIMEOUT', async () => {
    const { report, warnings } = await runApp(fixture('busy'), { timeoutMs: 300 });
    expect(report.stoppedBy).toBe('timeout');
    expect(warnings.map((w) => w.code)).toContain('RUN_TIMEOUT');
  });
});
