import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAuditLog } from '../src/host/audit.js';
import { tempDir } from './helpers/host-fixtures.js';

describe('audit log', () => {
  it('gives each host run its own file in a directory, one JSON line per event', () => {
    const dir = tempDir();
    for (let run = 0; run < 2; run++) {
      const log = openAuditLog({ path: dir });
      log.record({ type: 'permission.denied', app: 'com.partner.a', method: 'payment.pay' });
      log.close();
      log.close(); // idempotent
    }
    const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    expect(files).toHaveLength(2);
    for (const f of files) {
      const lines = readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
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
    const runs = new Set(readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).run));
    expect(runs.size).toBe(2);
    symlinkSync('/etc/hostname', join(dir, 'link.jsonl'));
    expect(() => openAuditLog({ path: join(dir, 'link.jsonl') })).toThrow(expect.objectContaining({ code: 'AUDIT_LOG_UNWRITABLE', message: expect.stringMatching(/ELOOP/) }));
  });
});
