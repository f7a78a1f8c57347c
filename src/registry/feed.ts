import semverGt from 'semver/functions/gt.js';
import semverValid from 'semver/functions/valid.js';
import { MiniappError } from '../core/errors/index.js';
import type { ReleaseDescriptor } from '../signing/descriptor.js';
import type { RegistryContext } from './context.js';
import { channelOf } from './releases.js';
import { inRollout } from './rollout.js';
import type { Channel, ReleaseRecord } from './types.js';

export interface FeedQuery {
  id: string;
  channel?: string;
  device?: string;
  hostVersion?: string;
  /** The version the device has; at or above the answer: "up to date". */
  installed?: string;
}

export type FeedAnswer =
  | (ReleaseDescriptor & { status: 'available' | 'update-required'; channel: Channel; rollout: number; hostVersion?: string })
  | { status: 'up-to-date'; id: string; version: string; channel: Channel };

interface ChannelState {
  releases: Array<{ release: ReleaseRecord; descriptor: ReleaseDescriptor }>;
  at: number;
}

/**
 * The update feed hosts poll: for one app, channel and device, the release that device gets. A channel's
 * releases are walked newest first: rolled-back, yanked and paused ones are passed over, and an active one
 * is the answer if the device's bucket is inside its rollout; otherwise the walk goes on to the release
 * before it. The answer is the release descriptor hosts already read (package-format.md), with a status:
 * available, update-required (its minHostVersion is above the asking host's) or up-to-date.
 */
export function createFeed(ctx: RegistryContext) {
  const ttl = ctx.options.feedCacheMs ?? 1000;
  const cache = new Map<string, ChannelState>();
  ctx.onChange.add(() => cache.clear());

  async function channelState(id: string, channel: Channel): Promise<ChannelState> {
    const key = `${id}\n${channel}`;
    const hit = cache.get(key);
    const now = Date.now();
    if (hit && now - hit.at < ttl) return hit;
    const live = (await ctx.store.releases(id, channel)).filter((r) => r.state === 'active');
    const releases = [];
    for (const release of live) {
      const v = await ctx.store.version(id, release.version);
      if (v && !v.yankedAt) releases.push({ release, descriptor: v.descriptor });
    }
    const state = { releases, at: now };
    if (ttl > 0) {
      if (cache.size > 10_000) cache.clear();
      cache.set(key, state);
    }
    return state;
  }

  return async function answer(q: FeedQuery): Promise<FeedAnswer> {
    const channel = channelOf(q.channel);
    for (const [name, value] of [['hostVersion', q.hostVersion], ['installed', q.installed]] as const) {
      if (value !== undefined && !semverValid(value)) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `${name}=${JSON.stringify(value)} is not a version such as 3.2.0` });
    }
    if (q.device !== undefined && (q.device.length === 0 || q.device.length > 200)) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'device must be 1 to 200 characters' });
    const { releases } = await channelState(q.id, channel);
    const hit = releases.find(({ release }) => inRollout(q.id, release.version, q.device, release.rollout));
    if (!hit) throw new MiniappError('REGISTRY_NO_RELEASE', { id: q.id, channel });
    const d = hit.descriptor;
    if (q.installed && !semverGt(d.version, q.installed)) return { status: 'up-to-date', id: q.id, version: q.installed, channel };
    const required = q.hostVersion !== undefined && semverGt(d.minHostVersion, q.hostVersion);
    return { ...d, status: required ? 'update-required' : 'available', channel, rollout: hit.release.rollout / 100, ...(q.hostVersion ? { hostVersion: q.hostVersion } : {}) };
  };
}

export type Feed = ReturnType<typeof createFeed>;
