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

export type FeedAnswer = (ReleaseDescriptor & { status: 'available' | 'update-required'; channel: Channel; rollout: number }) | { status: 'up-to-date'; id: string; version: string; channel: Channel };

interface Served {
  release: ReleaseRecord;
  descriptor: ReleaseDescriptor;
  /** The answer's JSON text for each status, made once per release: the feed's hot path only picks one. */
  text: { available: string; 'update-required': string };
}

interface ChannelState {
  releases: Served[];
  at: number;
}

/** semver answers for the few distinct versions hosts send, remembered (bounded): the feed asks them on every request. */
function memo<T>(fn: (a: string, b: string) => T): (a: string, b: string) => T {
  const cache = new Map<string, T>();
  return (a, b) => {
    const key = `${a}\n${b}`;
    let v = cache.get(key);
    if (v === undefined) {
      if (cache.size > 5000) cache.clear();
      cache.set(key, (v = fn(a, b)));
    }
    return v;
  };
}
const isVersion = memo((v) => semverValid(v) !== null);
const newer = memo((a, b) => semverGt(a, b));

const textOf = (d: ReleaseDescriptor, channel: Channel, rollout: number, status: 'available' | 'update-required') => JSON.stringify({ ...d, status, channel, rollout: rollout / 100 });

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

  const loading = new Map<string, Promise<ChannelState>>();
  let generation = 0;
  ctx.onChange.add(() => generation++);

  async function load(id: string, channel: Channel): Promise<ChannelState> {
    const started = generation;
    const live = (await ctx.store.releases(id, channel)).filter((r) => r.state === 'active');
    const releases: Served[] = [];
    for (const release of live) {
      const v = await ctx.store.version(id, release.version);
      if (!v || v.yankedAt) continue;
      const d = v.descriptor;
      releases.push({ release, descriptor: d, text: { available: textOf(d, channel, release.rollout, 'available'), 'update-required': textOf(d, channel, release.rollout, 'update-required') } });
    }
    const state = { releases, at: Date.now() };
    // A change made here while this was loading may not be in it: keep it only if none was.
    if (ttl > 0 && started === generation) {
      if (cache.size > 10_000) cache.clear();
      cache.set(`${id}\n${channel}`, state);
    }
    return state;
  }

  /**
   * A channel's live releases, from memory: one load at a time per channel, however many requests
   * ask at once; an expired entry is answered while its refresh runs (a change made through this process
   * clears the cache, so only other processes' changes wait up to feedCacheMs to be seen).
   */
  function channelState(id: string, channel: Channel): Promise<ChannelState> {
    const key = `${id}\n${channel}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttl) return Promise.resolve(hit);
    let pending = loading.get(key);
    if (!pending) {
      pending = load(id, channel).finally(() => loading.delete(key));
      loading.set(key, pending);
    }
    if (hit) {
      pending.catch(() => undefined);
      return Promise.resolve(hit);
    }
    return pending;
  }

  /** The answer as the JSON text the server sends. */
  async function answerText(q: FeedQuery): Promise<string> {
    const channel = channelOf(q.channel);
    for (const [name, value] of [
      ['hostVersion', q.hostVersion],
      ['installed', q.installed],
    ] as const) {
      if (value !== undefined && !isVersion(value, '')) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `${name}=${JSON.stringify(value)} is not a version such as 3.2.0` });
    }
    if (q.device !== undefined && (q.device.length === 0 || q.device.length > 200)) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'device must be 1 to 200 characters' });
    const { releases } = await channelState(q.id, channel);
    const hit = releases.find(({ release }) => inRollout(q.id, release.version, q.device, release.rollout));
    if (!hit) throw new MiniappError('REGISTRY_NO_RELEASE', { id: q.id, channel });
    const d = hit.descriptor;
    if (q.installed && !newer(d.version, q.installed)) return JSON.stringify({ status: 'up-to-date', id: q.id, version: q.installed, channel });
    return hit.text[q.hostVersion !== undefined && newer(d.minHostVersion, q.hostVersion) ? 'update-required' : 'available'];
  }

  const answer = async (q: FeedQuery): Promise<FeedAnswer> => JSON.parse(await answerText(q)) as FeedAnswer;
  return Object.assign(answer, { text: answerText });
}

export type Feed = ReturnType<typeof createFeed>;
