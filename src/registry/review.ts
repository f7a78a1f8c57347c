import { MiniappError } from '../core/errors/index.js';
import { requireRole, type RegistryContext } from './context.js';
import type { Actor, ReleaseRecord, VersionRecord, VersionStatus } from './types.js';

export interface ReviewView {
  id: string;
  version: string;
  status: VersionStatus;
  reason?: string;
  reviewer?: string;
  partner: string;
  signer: { keyId: string; partner: string; revoked: boolean };
  manifest: VersionRecord['manifest'];
  sha256: string;
  size: number;
  publishedAt: string;
  /** What this version asks for beyond (or no longer asks for compared with) the last release. */
  permissionChanges: { since?: string; added: string[]; removed: string[] };
  conformance?: VersionRecord['conformance'];
  releases: Array<Pick<ReleaseRecord, 'channel' | 'state'> & { percent: number }>;
  yanked: boolean;
}

export const subjectOf = (v: { appId: string; version: string }) => `${v.appId}@${v.version}`;

/** "com.acme.app@1.2.0" → its parts; a usage error for anything else. */
export function parseSubject(subject: string): { appId: string; version: string } {
  const at = subject.lastIndexOf('@');
  if (at <= 0 || at === subject.length - 1) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: `${JSON.stringify(subject)} is not <app id>@<version>` });
  return { appId: subject.slice(0, at), version: subject.slice(at + 1) };
}

async function versionFor(ctx: RegistryContext, actor: Actor, appId: string, version: string): Promise<VersionRecord> {
  const v = await ctx.store.version(appId, version);
  // A partner sees only its own versions; another's is as absent as a missing one.
  if (!v || (actor.role === 'partner' && v.partnerId !== actor.partnerId)) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'version', name: `${appId}@${version}` });
  return v;
}

export async function listSubmissions(ctx: RegistryContext, actor: Actor, filter: { status?: VersionStatus; appId?: string } = {}): Promise<ReviewView[]> {
  requireRole(actor, ['reviewer', 'partner'], 'list submissions');
  const partnerId = actor.role === 'partner' ? actor.partnerId : undefined;
  const versions = await ctx.store.versions({ ...filter, partnerId });
  return Promise.all(versions.map((v) => view(ctx, v)));
}

export async function showSubmission(ctx: RegistryContext, actor: Actor, appId: string, version: string): Promise<ReviewView> {
  requireRole(actor, ['reviewer', 'partner'], 'see submissions');
  return view(ctx, await versionFor(ctx, actor, appId, version));
}

async function view(ctx: RegistryContext, v: VersionRecord): Promise<ReviewView> {
  const [releases, key] = await Promise.all([ctx.store.releases(v.appId), ctx.store.key(v.keyId)]);
  const last = releases.find((r) => r.version !== v.version && (r.state === 'active' || r.state === 'paused'));
  const before = last ? ((await ctx.store.version(v.appId, last.version))?.manifest.permissions ?? []) : [];
  const now = v.manifest.permissions;
  return {
    id: v.appId,
    version: v.version,
    status: v.status,
    reason: v.reason,
    reviewer: v.reviewer,
    partner: v.partnerId,
    signer: { keyId: v.keyId, partner: key?.partnerId ?? v.partnerId, revoked: !!key?.revokedAt },
    manifest: v.manifest,
    sha256: v.sha256,
    size: v.size,
    publishedAt: new Date(v.createdAt).toISOString(),
    permissionChanges: { since: last?.version, added: now.filter((p) => !before.includes(p)), removed: before.filter((p) => !now.includes(p)) },
    conformance: v.conformance,
    releases: releases.filter((r) => r.version === v.version).map((r) => ({ channel: r.channel, state: r.state, percent: r.rollout / 100 })),
    yanked: v.yankedAt !== undefined,
  };
}

/** approve or reject: only reviewers, only a submitted version, and (by default) never one's own partner's. */
export async function decideSubmission(ctx: RegistryContext, actor: Actor, appId: string, version: string, decision: { approve: boolean; reason?: unknown }): Promise<ReviewView> {
  requireRole(actor, ['reviewer'], decision.approve ? 'approve versions' : 'reject versions');
  const v = await versionFor(ctx, actor, appId, version);
  const subject = subjectOf(v);
  if (ctx.options.forbidSelfReview !== false && actor.partnerId && actor.partnerId === v.partnerId) {
    throw new MiniappError('REGISTRY_SELF_REVIEW', { reviewer: actor.name, partner: v.partnerId, subject });
  }
  if (v.status !== 'submitted')
    throw new MiniappError('REGISTRY_INVALID_STATE', {
      subject,
      state: v.status,
      action: decision.approve ? 'approve it' : 'reject it',
      why: 'A decided version stays decided: the partner publishes a new version.',
    });
  const reason = typeof decision.reason === 'string' ? decision.reason.trim() : '';
  if (!decision.approve && !reason) throw new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'a rejection needs a reason (--reason), which the partner sees' });
  if (decision.approve) {
    const c = v.conformance?.status;
    if (c === 'pending') throw new MiniappError('REGISTRY_CONFORMANCE_PENDING', { subject });
    if (c === 'failed') throw new MiniappError('REGISTRY_CONFORMANCE_FAILED', { subject, failed: (v.conformance?.failed ?? []).join(', ') });
  }
  const status: VersionStatus = decision.approve ? 'approved' : 'rejected';
  const changed = await ctx.change(
    (ok) => (ok ? { actor: actor.name, action: decision.approve ? 'version.approved' : 'version.rejected', subject, detail: reason ? { reason } : undefined } : []),
    (tx) => tx.reviewVersion(v.appId, v.version, 'submitted', { status, reason: reason || undefined, reviewer: actor.name, at: ctx.now() }),
  );
  if (!changed) throw new MiniappError('REGISTRY_INVALID_STATE', { subject, state: 'already decided', action: 'decide it again' });
  return view(ctx, (await ctx.store.version(v.appId, v.version))!);
}
