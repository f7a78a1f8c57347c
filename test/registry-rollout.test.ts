import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BUCKETS, inRollout, rolloutBucket } from '../src/registry/rollout.js';

describe('rollout buckets', () => {
  it('are the first 32 bits of SHA-256(app id \\n version \\n device) mod 10,000, as documented: a device never moves', () => {
    for (let i = 0; i < 500; i++) {
      const device = `device-${i}-${'x'.repeat(i % 7)}`;
      const expected = createHash('sha256').update(`com.partner.shop\n1.2.0\n${device}`).digest().readUInt32BE(0) % BUCKETS;
      expect(rolloutBucket('com.partner.shop', '1.2.0', device)).toBe(expected);
    }
    expect(rolloutBucket('com.partner.shop', '1.2.0', 'ünïcode-device')).toBe(createHash('sha256').update('com.partner.shop\n1.2.0\nünïcode-device').digest().readUInt32BE(0) % BUCKETS);
  });

  it('a device inside a share stays inside every larger one', () => {
    const devices = Array.from({ length: 2000 }, (_, i) => `d${i}`);
    const at = (rollout: number) => new Set(devices.filter((d) => inRollout('com.a', '1.0.0', d, rollout)));
    const quarter = at(2500);
    const sixty = at(6000);
    for (const d of quarter) expect(sixty.has(d)).toBe(true);
    expect(quarter.size / devices.length).toBeGreaterThan(0.22);
    expect(quarter.size / devices.length).toBeLessThan(0.28);
  });
});
