import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../src/host/audit.js';
import { doneOf, testHost } from './helpers/host-apps.js';
import { tempDir } from './helpers/host-fixtures.js';

describe('audit log', () => {
  it('gives each host run its own file in a directory, one JSON line per event', () => {
    const dir = tempDir();
    for (let run = 0; run < 2; run++) {
      const log = openAuditLog({ path: dir });
      log.record({ type: 'permission.denied', app: 'com.partner.a', method: 'payment.pay', permission: 'payment', code: 'PERMISSION_DENIED' });
      log.close();
      log.close(); // idempotent
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(files).toHaveLength(2);
    for (const f of files) {
      const lines = readFileSync(join(dir, f), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.type)).toEqual(['host.start', 'permission.denied', 'host.stop']);
      expect(lines.map((l) => l.seq)).toEqual([1, 2, 3]);
      expect(new Set(lines.map((l) => l.run)).size).toBe(1);
    }
  });

  it('appends runs to one file, and refuses to follow a planted link', () => {
    const dir = tempDir();
    const file = join(dir, 'audit.jsonl');
    openAuditLog({ path: file }).close();
    openAuditLog({ path: file }).close();
    const runs = new Set(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).run),
    );
    expect(runs.size).toBe(2);
    symlinkSync('/etc/hostname', join(dir, 'link.jsonl'));
    expect(() => openAuditLog({ path: join(dir, 'link.jsonl') })).toThrow(expect.objectContaining({ code: 'AUDIT_LOG_UNWRITABLE', message: expect.stringMatching(/ELOOP/) }));
  });

  it('records what the network policy of a sandboxed app decided, once per request: method, status or code', async () => {
    const fixtures = {
      network: [
        { url: 'https://api.partner.com/rates', json: { eur: 1.1 } },
        { url: 'https://api.partner.com/orders', method: 'POST', status: 201, json: {} },
      ],
    };
    const h = await testHost({ appOptions: { network: 'fixtures', fixtures } });
    try {
      await h.install(
        'com.partner.netaudit',
        `
        (async () => {
          await fetch('https://api.partner.com/rates');
          await new Promise((resolve) => { const x = new XMLHttpRequest(); x.open('POST', 'https://api.partner.com/orders'); x.onloadend = resolve; x.send('{}'); });
          await fetch('https://evil.com/x').catch(() => {});
          console.log('DONE {}');
        })();
      `,
      );
      await doneOf(await h.manager.launch('com.partner.netaudit'));
      const network = h.audit.events.filter((e) => e.type.startsWith('network.') && e.app === 'com.partner.netaudit');
      expect(network).toEqual([
        expect.objectContaining({ type: 'network.allowed', api: 'fetch', method: 'GET', url: 'https://api.partner.com/rates', status: 200 }),
        expect.objectContaining({ type: 'network.allowed', method: 'POST', url: 'https://api.partner.com/orders', status: 201 }),
        expect.objectContaining({ type: 'network.blocked', method: 'GET', url: 'https://evil.com/x', code: 'DOMAIN_NOT_ALLOWED', reason: 'host evil.com is not in allowedDomains', hop: 0 }),
      ]);
    } finally {
      await h.manager.close();
    }
  });
});
