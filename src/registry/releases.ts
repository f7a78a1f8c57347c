import semverGt from 'semver/functions/gt.js';
import { MiniappError } from '../core/errors/index.js';
import { requireOwner, type RegistryContext } from './context.js';
import { subjectOf } from './review.js';
import { BUCKETS, percentToRollout } from './rollout.js';
import { CHANNELS, type Actor, type Channel, type ReleaseRecord, type VersionRecord } from './types.js';

export interface ReleaseView {
  id: string;
  version: string;
  channel: Channel;
  percent: number;
  state: ReleaseRecord['state'];
}

const viewOf = (r: ReleaseRecord): ReleaseView => ({ id: r.appId, version: r.version, channel: r.channel, percent: r.rollout / 100, state: r.state });

export function channelOf(value: unknown): Channel {
  const channel = (value ?? 'stable') as Channel;
  if (!CHANNELS.includes(channel)) throw new MiniappError('REGISTRY_CHANNEL_INVALID', { channel: value, channels: CHANNELS.join(', ') });
  return channel;
}

function rolloutOf(percent: unknown): number {
  const rollout = percentToRollout(percent ?? 100);
  if (rollout === undefined) throw new MiniappError('REGISTRY_ROLLOUT_INVALID', { percent, reason: 'it is not a percentage above 0 and at most 100' });
  return rollout;
}

/** The release a channel's rollout controls act on: the newest one that is active or paused. */
const current = (releases: ReleaseRecord[]) => releases.find((r) => r.state === 'active' || r.state === 'paused');

/** Releases an approved version to a channel, to a share of devices (default all). */
export async function release(ctx: RegistryContext, actor: Actor, appId: string, version: string, input: { channel?: unknown; percent?: unknown }): Promise<ReleaseView> {
  const channel = channelOf(input.channel);
  const rollout = rolloutOf(input.percent);
  const v = await ctx.store.version(appId, version);
  if (!v) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'version', name: `${appId}@${version}` });
  requireOwner(actor, v.partnerId, 'release it');
  const subject = subjectOf(v);
  if (v.yankedAt) throw new MiniappError('REGISTRY_INVALID_STATE', { subject, state: 'yanked', action: 'release it', why: 'A yanked version is never served again: publish a new version.' });
  if (v.status !== 'approved')
    throw new MiniappError('REGISTRY_INVALID_STATE', {
      subject,
      state: v.status,
      action: 'release it',
      why: 'Only an approved version is released: a reviewer approves it first (`miniapp review approve`).',
    });
  const now = ctx.now();
  const made = await ctx.change(
    () => ({ actor: actor.name, action: 'release.created', subject, detail: { channel, percent: rollout / 100 } }),
    async (tx) => {
      const live = current(await tx.releases(appId, channel));
      if (live && !semverGt(version, live.version)) {
        throw new MiniappError('REGISTRY_INVALID_STATE', {
          subject,
          state: `not newer than ${live.version}, live on ${channel}`,
          action: 'release it',
          why: 'Hosts never install an older version: roll the live release back, or release a newer one.',
        });
      }
      await tx.insertRelease({ appId, version, channel, rollout, state: 'active', createdAt: now, updatedAt: now });
      return (await tx.releases(appId, channel))[0]!;
    },
  );
  return viewOf(made);
}

async function liveRelease(ctx: RegistryContext, actor: Actor, appId: string, channel: Channel, action: string): Promise<{ live: ReleaseRecord; version: VersionRecord }> {
  const live = current(await ctx.store.releases(appId, channel));
  if (!live) throw new MiniappError('REGISTRY_NO_RELEASE', { id: appId, channel });
  const version = (await ctx.store.version(appId, live.version))!;
  requireOwner(actor, version.partnerId, action);
  return { live, version };
}

/** Widens a staged rollout; it never narrows (that would take the release from devices that have it). */
export async function setRollout(ctx: RegistryContext, actor: Actor, appId: string, input: { channel?: unknown; percent?: unknown }): Promise<ReleaseView> {
  const channel = channelOf(input.channel);
  const rollout = rolloutOf(input.percent);
  const { live } = await liveRelease(ctx, actor, appId, channel, 'change its rollout');
  if (rollout < live.rollout) throw new MiniappError('REGISTRY_ROLLOUT_INVALID', { percent: input.percent, reason: `it is below the ${live.rollout / 100}% already rolled out` });
  await ctx.change(
    () => ({ actor: actor.name, action: 'release.rollout', subject: subjectOf(live), detail: { channel, from: live.rollout / 100, to: rollout / 100 } }),
    (tx) => tx.updateRelease(live.id, { rollout, at: ctx.now() }),
  );
  return viewOf({ ...live, rollout });
}

/** pause (no device newly receives it), resume, or rollback (the previous release is served again). */
export async function setReleaseState(ctx: RegistryContext, actor: Actor, appId: string, input: { channel?: unknown }, action: 'pause' | 'resume' | 'rollback'): Promise<ReleaseView> {
  const channel = channelOf(input.channel);
  const { live } = await liveRelease(ctx, actor, appId, channel, `${action} it`);
  const state = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'rolled-back';
  if (action === 'pause' && live.state === 'paused') return viewOf(live);
  if (action === 'resume' && live.state === 'active') return viewOf(live);
  await ctx.change(
    () => ({ actor: actor.name, action: `release.${action}`, subject: subjectOf(live), detail: { channel } }),
    (tx) => tx.updateRelease(live.id, { state, at: ctx.now() }),
  );
  return viewOf({ ...live, state });
}

/** Withdraws a version everywhere: every release of it stops being served; the bytes stay downloadable (immutable URLs). */
export async function yank(ctx: RegistryContext, actor: Actor, appId: string, version: string, reason?: unknown): Promise<{ id: string; version: string; releases: ReleaseView[] }> {
  const v = await ctx.store.version(appId, version);
  if (!v) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'version', name: `${appId}@${version}` });
  requireOwner(actor, v.partnerId, 'yank it');
  const at = ctx.now();
  const touched = await ctx.change(
    () => ({ actor: actor.name, action: 'version.yanked', subject: subjectOf(v), detail: typeof reason === 'string' && reason ? { reason } : undefined }),
    async (tx) => {
      await tx.yankVersion(appId, version, at);
      const mine = (await tx.releases(appId)).filter((r) => r.version === version && r.state !== 'yanked');
      for (const r of mine) await tx.updateRelease(r.id, { state: 'yanked', at });
      return mine.map((r) => ({ ...r, state: 'yanked' as const }));
    },
  );
  return { id: appId, version, releases: touched.map(viewOf) };
}

export async function releasesOf(ctx: RegistryContext, appId: string): Promise<ReleaseView[]> {
  return (await ctx.store.releases(appId)).map(viewOf);
}

export { BUCKETS };
