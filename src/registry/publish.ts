import { promises as fs } from 'node:fs';
import semverRcompare from 'semver/functions/rcompare.js';
import { MiniappError, type ErrorCode } from '../core/errors/index.js';
import { decideInstall, type InstallReport } from '../host/index.js';
import { describeRelease } from '../signing/descriptor.js';
import { decodeSignedHeader, SIGNATURE_ALGORITHM } from '../signing/format.js';
import { locateSignature } from '../signing/verify.js';
import { requireRole, type RegistryContext } from './context.js';
import { trustStoreOf } from './partners.js';
import { UniqueViolation } from './sql.js';
import type { Actor, VersionRecord } from './types.js';

/** A finished upload: its bytes in a temp file of the blob store, their digest and size. */
export interface Upload {
  tempPath: string;
  sha256: string;
  size: number;
  /** The same bytes in memory, when the receiver kept them. */
  bytes?: Buffer;
}

export interface PublishResult {
  id: string;
  version: string;
  sha256: string;
  size: number;
  status: VersionRecord['status'];
  /** The same bytes were already published: nothing new was stored. */
  duplicate: boolean;
  keyId: string;
  partner: string;
  /** The install decision, step by step, as a host ran it. */
  steps: InstallReport['steps'];
}

const HIGHEST_HOST = `${Number.MAX_SAFE_INTEGER}.0.0`;

const resultOf = (v: VersionRecord, duplicate: boolean, steps: InstallReport['steps'] = []): PublishResult => ({
  id: v.appId,
  version: v.version,
  sha256: v.sha256,
  size: v.size,
  status: v.status,
  duplicate,
  keyId: v.keyId,
  partner: v.partnerId,
  steps,
});

/**
 * The host's install decision on an upload, before anything is stored: the install pipeline itself
 * (decideInstall, every check installPackage runs, nothing written), on the bytes, against the registry's
 * own trust store, with the newest version this registry has of the app as the "installed" one (so the
 * downgrade step refuses an older one). The host-version step is passed (any host version may be the target).
 */
async function decide(ctx: RegistryContext, bytes: Buffer, sha256: string): Promise<InstallReport> {
  const trustStore = await trustStoreOf(ctx);
  const peek = peekAppId(bytes);
  const installed = peek ? (await ctx.store.versions({ appId: peek })).map((v) => v.version).sort(semverRcompare)[0] : undefined;
  return decideInstall({ source: `upload:${sha256}`, bytes, installed, hostVersion: HIGHEST_HOST, trustStore });
}

/** The app id the signed header names (the decision checks it against the manifest): which versions to compare against. */
function peekAppId(bytes: Buffer): string | undefined {
  try {
    const located = locateSignature(bytes);
    return located ? decodeSignedHeader(located.block.header).id : undefined;
  } catch {
    return undefined; // the decision reports the malformed block
  }
}

function refusal(report: InstallReport): MiniappError {
  const error = new MiniappError(report.code as ErrorCode, {}, { diagnostics: report.diagnostics });
  Object.defineProperty(error, 'message', { value: report.message });
  if (report.hint) Object.defineProperty(error, 'hint', { value: report.hint });
  return error;
}

/**
 * `miniapp publish`: a partner's signed package, decided as a host would decide it, then stored
 * content-addressed (blob renamed into place) and recorded as a submitted version in one transaction.
 * The same bytes again are the same version; other bytes under a published version are refused.
 */
export async function publish(ctx: RegistryContext, actor: Actor, upload: Upload): Promise<{ result: PublishResult; created?: VersionRecord }> {
  try {
    requireRole(actor, ['partner'], 'publish packages');
    if (actor.role !== 'partner' || !actor.partnerId)
      throw new MiniappError('REGISTRY_FORBIDDEN', { role: actor.role, action: 'publish packages', why: 'Publish with the token of the partner whose key signed the package.' });
    const same = (await ctx.store.versionsBySha(upload.sha256)).find((v) => v.partnerId === actor.partnerId);
    if (same) return { result: resultOf(same, true) };
    const bytes = upload.bytes ?? (await fs.readFile(upload.tempPath));
    const report = await decide(ctx, bytes, upload.sha256);
    if (!report.ok) throw refusal(report);
    const manifest = report.manifest!;
    if (report.partner !== actor.partnerId) throw new MiniappError('REGISTRY_FOREIGN_SIGNER', { keyId: report.keyId, signer: report.partner, partner: actor.partnerId });
    const existing = await ctx.store.version(manifest.id, manifest.version);
    if (existing) return { result: sameOrConflict(existing, upload.sha256, report) };
    const located = locateSignature(bytes)!;
    const signature = {
      algorithm: SIGNATURE_ALGORITHM,
      keyId: report.keyId!,
      signedHeader: JSON.stringify(decodeSignedHeader(located.block.header)),
      value: Buffer.from(located.block.signature).toString('base64'),
    };
    const descriptor = describeRelease(manifest, bytes, `${ctx.options.packageBaseUrl ?? '/packages/'}${upload.sha256}.zip`, signature);
    const record: VersionRecord = {
      appId: manifest.id,
      version: manifest.version,
      sha256: upload.sha256,
      size: upload.size,
      partnerId: actor.partnerId,
      keyId: report.keyId!,
      manifest,
      descriptor,
      status: 'submitted',
      conformance: { status: ctx.options.conformance === false ? 'skipped' : 'pending' },
      createdAt: ctx.now(),
    };
    await ctx.blobs.commit(upload.tempPath, upload.sha256);
    try {
      await ctx.change(
        () => ({
          actor: actor.name,
          action: 'version.published',
          subject: `${record.appId}@${record.version}`,
          detail: { sha256: record.sha256, size: record.size, keyId: record.keyId, permissions: manifest.permissions },
        }),
        (tx) => tx.insertVersion(record),
      );
    } catch (err) {
      if (!(err instanceof UniqueViolation)) throw err;
      // A concurrent publish of the same version won the race: the same bytes are that version, others are refused.
      const winner = await ctx.store.version(record.appId, record.version);
      if (!winner) throw err;
      return { result: sameOrConflict(winner, upload.sha256, report) };
    }
    return { result: resultOf(record, false, report.steps), created: record };
  } finally {
    await fs.rm(upload.tempPath, { force: true });
  }
}

function sameOrConflict(existing: VersionRecord, sha256: string, report: InstallReport): PublishResult {
  if (existing.sha256 === sha256) return resultOf(existing, true, report.steps);
  throw new MiniappError('REGISTRY_VERSION_EXISTS', { id: existing.appId, version: existing.version, existing: existing.sha256, sha256 });
}
