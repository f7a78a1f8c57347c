import { hash } from 'node:crypto';

/** Rollout shares are counted in hundredths of a percent. */
export const BUCKETS = 10_000;

/**
 * A device's bucket for one release: the first 32 bits of SHA-256(app id, version, device id) modulo
 * 10,000. It depends on nothing else (not the time, not the order of requests, not the registry process),
 * so a device is in or out of a staged release for good, and as the share grows the devices already in
 * stay in: the feed never flips one back and forth.
 */
export function rolloutBucket(appId: string, version: string, device: string): number {
  // One-shot hash (Node >= 20.12): half the cost of a Hash object, on the feed's path for every device.
  const digest = hash('sha256', `${appId}\n${version}\n${device}`, 'buffer');
  return digest.readUInt32BE(0) % BUCKETS;
}

/** Whether a device receives a release rolled out to `rollout` hundredths of a percent. */
export function inRollout(appId: string, version: string, device: string | undefined, rollout: number): boolean {
  if (rollout >= BUCKETS) return true;
  if (device === undefined || rollout <= 0) return false;
  return rolloutBucket(appId, version, device) < rollout;
}

/** 12.5 (percent) → 1250 (buckets); undefined for anything that is not a percentage in (0, 100]. */
export function percentToRollout(percent: unknown): number | undefined {
  const n = typeof percent === 'string' && percent.trim() !== '' ? Number(percent) : percent;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 100) return undefined;
  const buckets = Math.round(n * 100);
  return buckets > 0 ? buckets : undefined;
}
