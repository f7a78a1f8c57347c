import { createHash } from 'node:crypto';
import semverGt from 'semver/functions/gt.js';
import semverValid from 'semver/functions/valid.js';
import { isMiniappError, MiniappError } from '../core/errors/index.js';
import type { ReleaseDescriptor } from '../signing/descriptor.js';
import { readAppState, writeAppState, pruneVersions, type AppState } from './app-store.js';
import type { AuditLog } from './audit.js';
import { fetchPackageBytes } from './fetch.js';
import { installPackage, type InstallReport } from './install.js';
import type { TrustStore } from './trust-store.js';

export interface UpdateOptions {
  /** Base URL of the feed: GET {feedUrl}/mini-programs/{id}/version answers the release descriptor. */
  feedUrl: string;
  id: string;
  appsDir: string;
  hostVersion: string;
  trustStore: TrustStore;
  audit?: AuditLog;
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
}

export type UpdateStatus = 'up-to-date' | 'staged' | 'update-required' | 'refused' | 'feed-error';

export interface UpdateOutcome {
  id: string;
  status: UpdateStatus;
  installed?: string;
  available?: string;
  code?: string;
  message?: string;
  install?: InstallReport;
}

const MAX_DESCRIPTOR_BYTES = 64 * 1024;

async function fetchDescriptor(url: string, options: UpdateOptions): Promise<ReleaseDescriptor> {
  const bytes = await fetchPackageBytes(url, { maxBytes: MAX_DESCRIPTOR_BYTES, timeoutMs: options.timeoutMs ?? 10_000, signal: options.signal });
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new MiniappError('UPDATE_FEED_FAILED', { id: options.id, reason: 'the release descriptor is not JSON' });
  }
  const d = value as Partial<ReleaseDescriptor>;
  const ok =
    d &&
    d.id === options.id &&
    typeof d.version === 'string' &&
    semverValid(d.version) &&
    typeof d.minHostVersion === 'string' &&
    semverValid(d.minHostVersion) &&
    d.package &&
    typeof d.package.file === 'string' &&
    typeof d.package.size === 'number' &&
    /^[0-9a-f]{64}$/.test(String(d.package.sha256));
  if (!ok) throw new MiniappError('UPDATE_FEED_FAILED', { id: options.id, reason: 'the release descriptor lacks id, version, minHostVersion or package {file, size, sha256}, or is for another app' });
  return d as ReleaseDescriptor;
}

/**
 * The host's update check for one installed app: read the feed's release descriptor, and when it names a
 * newer version, decide before downloading (a newer minHostVersion than the host's is the update-required
 * outcome), download within the declared size, check the SHA-256, then run the whole install pipeline in
 * staging mode. The installed version keeps running; the update is activated on the next launch.
 * Refusals are outcomes (and audit events), never thrown.
 */
export async function checkForUpdate(options: UpdateOptions): Promise<UpdateOutcome> {
  const { id, audit } = options;
  const state = await readAppState(options.appsDir, id);
  const installed = state?.staged ?? state?.active;
  const versionUrl = `${options.feedUrl.replace(/\/+$/, '')}/mini-programs/${encodeURIComponent(id)}/version`;
  const outcome: UpdateOutcome = { id, status: 'feed-error', installed };
  try {
    const descriptor = await fetchDescriptor(versionUrl, options);
    outcome.available = descriptor.version;
    if ((installed && !semverGt(descriptor.version, installed)) || descriptor.version === state?.failed) outcome.status = 'up-to-date';
    else if (semverGt(descriptor.minHostVersion, options.hostVersion)) {
      const e = new MiniappError('HOST_UPDATE_REQUIRED', { minHostVersion: descriptor.minHostVersion, hostVersion: options.hostVersion });
      Object.assign(outcome, { status: 'update-required', code: e.code, message: e.message });
    } else {
      const packageUrl = new URL(descriptor.package.file, versionUrl).href;
      const bytes = await fetchPackageBytes(packageUrl, { maxBytes: Math.min(descriptor.package.size, options.maxBytes ?? Infinity), timeoutMs: options.timeoutMs ?? 60_000, signal: options.signal });
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== descriptor.package.sha256 || bytes.length !== descriptor.package.size) {
        throw new MiniappError('UPDATE_DIGEST_MISMATCH', { id, version: descriptor.version, actual, expected: descriptor.package.sha256 });
      }
      const report = await installPackage({ source: packageUrl, bytes, appsDir: options.appsDir, hostVersion: options.hostVersion, trustStore: options.trustStore, activate: 'stage', audit });
      outcome.install = report;
      if (report.ok && report.id === id) outcome.status = 'staged';
      else Object.assign(outcome, { status: 'refused', code: report.ok ? 'KEY_NOT_AUTHORISED' : report.code, message: report.message });
    }
  } catch (err) {
    if (!isMiniappError(err)) throw err;
    const refused = err.code === 'UPDATE_DIGEST_MISMATCH' || err.code.startsWith('FETCH_TOO');
    Object.assign(outcome, { status: refused ? 'refused' : 'feed-error', code: err.code, message: err.message });
  }
  audit?.record({ type: 'update.check', app: id, status: outcome.status, installed, available: outcome.available, code: outcome.code });
  if (outcome.status === 'staged') audit?.record({ type: 'update.staged', app: id, version: outcome.available });
  return outcome;
}

/** Makes a staged update the active version (on launch), keeping the old one for rollback. */
export async function activateStaged(appsDir: string, id: string, audit?: AuditLog): Promise<AppState | undefined> {
  const state = await readAppState(appsDir, id);
  if (!state?.staged) return state;
  const from = state.active;
  state.previous = state.active;
  state.active = state.staged;
  state.firstLaunchPending = true;
  delete state.staged;
  await writeAppState(appsDir, state);
  await pruneVersions(appsDir, state);
  audit?.record({ type: 'update.activated', app: id, from, to: state.active });
  return state;
}

/** Returns to the previous version after the active one failed its first launch. */
export async function rollBack(appsDir: string, id: string, reason: string, audit?: AuditLog): Promise<AppState | undefined> {
  const state = await readAppState(appsDir, id);
  if (!state?.previous || !state.active) return undefined;
  const failed = state.active;
  state.active = state.previous;
  delete state.previous;
  state.firstLaunchPending = false;
  state.failed = failed;
  await writeAppState(appsDir, state);
  audit?.record({ type: 'update.rolled-back', app: id, from: failed, to: state.active, reason });
  return state;
}
