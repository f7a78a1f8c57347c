import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppStorage, storageFileName } from '../src/runtime/host/services/storage.js';
import { hostHarness } from './helpers/host.js';
import { tempDir } from './helpers/temp.js';

describe('host storage', () => {
  it('keeps each app in its own namespace: no key reaches another app', async () => {
    const dataDir = tempDir();
    const hostKey = randomBytes(32);
    const a = hostHarness({ dataDir, hostKey, manifest: { id: 'com.app.a', permissions: ['storage'] } });
    const b = hostHarness({ dataDir, hostKey, manifest: { id: 'com.app.b', permissions: ['storage'] } });
    await a.call('storage.set', { key: 'token', value: 'secret-a' });
    for (const key of ['token', 'com.app.a:token', '../com.app.a/token', 'com.app.a/token', '__proto__']) {
      expect(await b.call('storage.get', { key })).toEqual({ ok: true, value: { value: null } });
    }
    expect(await b.call('storage.keys', {})).toEqual({ ok: true, value: { keys: [] } });
    await b.call('storage.clear', {});
    expect(await a.call('storage.get', { key: 'token' })).toEqual({ ok: true, value: { value: 'secret-a' } });
    await a.host.close();
    await b.host.close();
    expect(readdirSync(join(dataDir, 'storage'))).toHaveLength(1);
  });

  it('treats keys as opaque strings ("__proto__", "constructor" are ordinary keys)', async () => {
    const h = hostHarness({ manifest: { permissions: ['storage'] } });
    await h.call('storage.set', { key: '__proto__', value: 'p' });
    await h.call('storage.set', { key: 'constructor', value: 'c' });
    expect(await h.call('storage.get', { key: '__proto__' })).toEqual({ ok: true, value: { value: 'p' } });
    expect(await h.call('storage.keys', {})).toEqual({ ok: true, value: { keys: ['__proto__', 'constructor'] } });
  });

  it('survives a restart of the runtime', async () => {
    const dataDir = tempDir();
    const hostKey = randomBytes(32);
    const first = hostHarness({ dataDir, hostKey, manifest: { permissions: ['storage'] } });
    await first.call('storage.set', { key: 'visits', value: '3' });
    await first.call('storage.set', { key: 'gone', value: 'x' });
    await first.call('storage.remove', { key: 'gone' });
    await first.host.close();
    const second = hostHarness({ dataDir, hostKey, manifest: { permissions: ['storage'] } });
    expect(await second.call('storage.keys', {})).toEqual({ ok: true, value: { keys: ['visits'] } });
    expect(await second.call('storage.get', { key: 'visits' })).toEqual({ ok: true, value: { value: '3' } });
  });

  it('is encrypted at rest: the file reveals neither keys, values nor the app id, and needs the host key', async () => {
    const dataDir = tempDir();
    const hostKey = randomBytes(32);
    const s = new AppStorage({ appId: 'com.secret.app', hostKey, dataDir });
    s.set('card-number', '4111111111111111');
    await s.flush();
    const [file] = readdirSync(join(dataDir, 'storage'));
    expect(file).toBe(storageFileName(hostKey, 'com.secret.app'));
    const bytes = readFileSync(join(dataDir, 'storage', file!));
    for (const secret of ['card-number', '4111111111111111', 'com.secret.app']) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    // Another host key does not even find the file; copied under its name, the file does not decrypt.
    const otherKey = randomBytes(32);
    expect(new AppStorage({ appId: 'com.secret.app', hostKey: otherKey, dataDir }).keys()).toEqual([]);
    writeFileSync(join(dataDir, 'storage', storageFileName(otherKey, 'com.secret.app')), bytes);
    expect(() => new AppStorage({ appId: 'com.secret.app', hostKey: otherKey, dataDir })).toThrow();
    // Another app cannot open it either, even when the file is copied under its name.
    writeFileSync(join(dataDir, 'storage', storageFileName(hostKey, 'com.other.app')), bytes);
    expect(() => new AppStorage({ appId: 'com.other.app', hostKey, dataDir })).toThrow();
    // A flipped bit is detected (GCM tag).
    bytes[bytes.length - 20]! ^= 1;
    writeFileSync(join(dataDir, 'storage', file!), bytes);
    expect(() => new AppStorage({ appId: 'com.secret.app', hostKey, dataDir })).toThrow();
  });

  it('refuses a write over the quota with QUOTA_EXCEEDED and writes nothing', async () => {
    const dataDir = tempDir();
    const hostKey = randomBytes(32);
    // The default quota (10 MiB, checked below) at a hundredth of the scale: the same arithmetic, and a
    // file that takes milliseconds, not a second, to encrypt and write each time.
    const quota = Math.ceil((10 * 1024 * 1024) / 100);
    const h = hostHarness({ dataDir, hostKey, storageQuota: quota, manifest: { permissions: ['storage'] } });
    const chunk = 'x'.repeat(5_000);
    for (let i = 0; i < 20; i++) expect(await h.call('storage.set', { key: `k${i}`, value: chunk })).toMatchObject({ ok: true });
    await h.host.storage.flush();
    const before = readFileSync(join(dataDir, 'storage', storageFileName(hostKey, 'com.example.test')));
    expect(await h.call('storage.set', { key: 'k20', value: chunk })).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED' } });
    expect(await h.call('storage.get', { key: 'k20' })).toEqual({ ok: true, value: { value: null } });
    await h.host.storage.flush();
    expect(readFileSync(join(dataDir, 'storage', storageFileName(hostKey, 'com.example.test'))).length).toBe(before.length);
    // Growing an existing value over the quota leaves the old value in place.
    expect(await h.call('storage.set', { key: 'k9', value: chunk + chunk })).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED' } });
    expect(await h.call('storage.get', { key: 'k9' })).toEqual({ ok: true, value: { value: chunk } });
    // Replacing a value with a smaller one frees space.
    expect(await h.call('storage.set', { key: 'k0', value: 'small' })).toMatchObject({ ok: true });
    expect(await h.call('storage.set', { key: 'k20', value: 'x'.repeat(4_000) })).toMatchObject({ ok: true });
    expect(h.host.storage.quotaBytes).toBe(quota);
  });

  it('holds 10 MiB per app by default: twenty 500 kB values fit, a twenty-first does not', async () => {
    const h = hostHarness({ manifest: { permissions: ['storage'] } });
    expect(h.host.storage.quotaBytes).toBe(10 * 1024 * 1024);
    const chunk = 'x'.repeat(500_000);
    expect(await h.call('storage.set', { key: 'k0', value: chunk })).toMatchObject({ ok: true });
    // the rest straight into the store: 9.5 MB more through the channel is seconds of copying
    for (let i = 1; i < 20; i++) h.host.storage.set(`k${i}`, chunk);
    expect(await h.call('storage.set', { key: 'k20', value: chunk })).toMatchObject({ ok: false, error: { code: 'QUOTA_EXCEEDED' } });
    expect(h.host.storage.keys()).toHaveLength(20);
  });
});
