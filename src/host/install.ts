import semverLt from 'semver/functions/lt.js';
import { isMiniappError, MiniappError, type Diagnostic, type ErrorCode } from '../core/errors/index.js';
import type { Manifest, Profile } from '../manifest/types.js';
import { checkPackageManifest } from '../package/manifest.js';
import { readPackage, type ZipPackage } from '../package/reader.js';
import type { PackageLimits } from '../package/limits.js';
import { locateSignature, verifyPackage } from '../signing/verify.js';
import { readAppState, versionDir, versionInstalled, writeAppState, pruneVersions, type AppState } from './app-store.js';
import type { AuditLog } from './audit.js';
import { extractPackage } from './extract.js';
import { fetchPackageBytes } from './fetch.js';
import { keyMaySign, type TrustStore, type TrustedKey } from './trust-store.js';

/** The install pipeline's steps, in the order a host runs them. */
export const INSTALL_STEPS = ['fetch', 'signature', 'structure', 'key-authorised', 'host-version', 'permissions', 'downgrade', 'extract', 'activate'] as const;
export type InstallStepName = (typeof INSTALL_STEPS)[number];

export interface InstallStep {
  step: InstallStepName;
  status: 'passed' | 'failed' | 'skipped';
  /** The refusal code when failed. */
  code?: string;
  message?: string;
  ms: number;
}

export interface InstallOptions {
  /** A package file path or an http(s) URL. */
  source: string;
  /** Where installed apps live (see app-store.ts). */
  appsDir: string;
  hostVersion: string;
  /** The partner registry. Without one, only unsigned installs (allowUnsigned) are possible. */
  trustStore?: TrustStore;
  /**
   * Work-in-progress mode (conformance, local runs): a package without a signature is accepted and the
   * signature steps are reported as skipped. A signed package is still verified when a trust store is given.
   */
  allowUnsigned?: boolean;
  /** What to do once extracted: make it the active version now (default) or stage it for the next launch. */
  activate?: 'now' | 'stage';
  /** Package bytes already fetched (updates download them in the background). */
  bytes?: Buffer;
  profile?: Profile;
  limits?: Partial<PackageLimits>;
  cwd?: string;
  fetch?: { maxBytes?: number; timeoutMs?: number };
  audit?: AuditLog;
  now?: () => number;
  signal?: AbortSignal;
}

export interface InstallReport {
  ok: boolean;
  source: string;
  /** The refusal code when not ok. */
  code?: string;
  message?: string;
  hint?: string;
  steps: InstallStep[];
  id?: string;
  version?: string;
  signed: boolean;
  keyId?: string;
  partner?: string;
  /** The extracted package directory. */
  dir?: string;
  manifest?: Manifest;
  state?: AppState;
  diagnostics?: Diagnostic[];
}

/** The audit line of one install step; every way a host installs (a package, a conformance directory) writes the same. */
export function auditInstallStep(audit: AuditLog | undefined, source: string, app: string | undefined, step: InstallStep): void {
  audit?.record({ type: 'install.step', app, source, ...step });
}

/** The audit line that ends an install: installed, or refused with the failed step's code. */
export function auditInstallVerdict(audit: AuditLog | undefined, v: { source: string; app?: string; version?: string; ok: boolean; code?: string; keyId?: string; partner?: string }): void {
  audit?.record({ type: 'install.verdict', app: v.app, version: v.version, source: v.source, verdict: v.ok ? 'installed' : 'refused', code: v.code, keyId: v.keyId, partner: v.partner });
}

class StepFailure extends Error {
  constructor(readonly error: MiniappError) {
    super(error.message);
  }
}

/**
 * Installs a package as a host does, each step only after the previous one passed: fetch → signature
 * against the trust store → strict structure and manifest → key authorised for this app id →
 * minHostVersion → permissions the partner may use → no downgrade → extract → activate. Nothing of the
 * package is executed here, and nothing is written before every check passed. Refusals are values (the
 * report names the failed step and its code); only internal faults throw.
 */
export async function installPackage(options: InstallOptions): Promise<InstallReport> {
  const now = options.now ?? Date.now;
  const report: InstallReport = { ok: false, source: options.source, steps: [], signed: false };
  const audit = (step: InstallStep) => auditInstallStep(options.audit, options.source, report.id, step);

  const run = async <T>(step: InstallStepName, fn: () => Promise<T> | T): Promise<T> => {
    const started = now();
    try {
      const value = await fn();
      const done: InstallStep = { step, status: 'passed', ms: now() - started };
      report.steps.push(done);
      audit(done);
      return value;
    } catch (err) {
      const error = err instanceof StepFailure ? err.error : isMiniappError(err) ? err : undefined;
      if (!error) throw err;
      const failed: InstallStep = { step, status: 'failed', code: error.code, message: error.message, ms: now() - started };
      report.steps.push(failed);
      audit(failed);
      throw new StepFailure(error);
    }
  };
  const skip = (step: InstallStepName, message: string) => {
    const skipped: InstallStep = { step, status: 'skipped', message, ms: 0 };
    report.steps.push(skipped);
    audit(skipped);
  };

  let deferred: MiniappError | undefined;
  try {
    const bytes = options.bytes ?? (await run('fetch', () => fetchPackageBytes(options.source, { cwd: options.cwd, signal: options.signal, ...options.fetch })));
    if (options.bytes) skip('fetch', 'bytes already downloaded');

    let trusted: TrustedKey | undefined;
    const signed = hasSignature(bytes);
    report.signed = signed;
    let structureChecked = false;
    if (signed && options.trustStore) {
      const store = options.trustStore;
      await run('signature', async () => {
        const keys = new Map([...store.keys].map(([id, k]) => [id, k.key]));
        const outcome = await verifyPackage(bytes, { trust: { keys, keyring: true }, profile: options.profile ?? 'release', newestHostVersion: ANY_HOST_VERSION, limits: options.limits, label: options.source });
        report.keyId = outcome.keyId;
        // verifyPackage checks the signature before it parses anything; a structural or manifest refusal
        // therefore means the signature itself verified, and belongs to the structure step.
        if (!outcome.ok && !STRUCTURE_CODES(outcome.code)) throw asError(outcome);
        trusted = store.keys.get(outcome.keyId!);
        report.partner = trusted?.partner.id;
        if (!outcome.ok) deferred = asError(outcome);
      });
      structureChecked = true;
    } else if (!options.allowUnsigned) {
      await run('signature', () => {
        if (signed) throw new MiniappError('TRUST_STORE_MISSING');
        throw new MiniappError('PACKAGE_UNSIGNED');
      });
    } else {
      skip('signature', signed ? 'signed, but no trust store was given (work-in-progress install)' : 'unsigned package (work-in-progress install)');
    }

    const { pkg, manifest } = await run('structure', async () => {
      if (deferred) throw deferred;
      const p = readPackage(bytes, options.limits);
      if (!structureChecked) await p.checkEntries();
      return { pkg: p, manifest: manifestOf(p, options, report) };
    });
    report.manifest = manifest;
    report.id = manifest.id;
    report.version = manifest.version;

    if (trusted) {
      const key = trusted;
      await run('key-authorised', () => {
        if (!keyMaySign(key, manifest.id)) {
          throw new MiniappError('KEY_NOT_AUTHORISED', { keyId: key.keyId, partner: key.partner.id, id: manifest.id, allowed: key.appIds.join(', ') });
        }
      });
    } else skip('key-authorised', 'no signer to authorise');

    await run('host-version', () => {
      if (semverLt(options.hostVersion, manifest.minHostVersion)) {
        throw new MiniappError('HOST_UPDATE_REQUIRED', { minHostVersion: manifest.minHostVersion, hostVersion: options.hostVersion });
      }
    });

    if (trusted) {
      const partner = trusted.partner;
      await run('permissions', () => {
        const refused = manifest.permissions.find((p) => !partner.permissions.has(p));
        if (refused) throw new MiniappError('PERMISSION_NOT_ALLOWED', { id: manifest.id, permission: refused, partner: partner.id });
      });
    } else skip('permissions', 'no partner registry entry for an unsigned package');

    const state: AppState = (await readAppState(options.appsDir, manifest.id)) ?? { id: manifest.id };
    await run('downgrade', () => {
      if (state.active && semverLt(manifest.version, state.active)) {
        throw new MiniappError('DOWNGRADE', { id: manifest.id, version: manifest.version, installed: state.active });
      }
    });

    const dir = versionDir(options.appsDir, manifest.id, manifest.version);
    if (await versionInstalled(options.appsDir, manifest.id, manifest.version)) skip('extract', `${manifest.version} is already extracted`);
    else {
      await run('extract', async () => {
        try {
          await extractPackage(pkg, dir);
        } catch (err) {
          if (isMiniappError(err)) throw err;
          throw new MiniappError('INSTALL_FAILED', { id: manifest.id, step: 'extracting', reason: (err as Error).message }, { cause: err });
        }
      });
    }
    report.dir = dir;

    await run('activate', async () => {
      if (options.activate === 'stage') {
        if (state.active !== manifest.version) state.staged = manifest.version;
      } else if (state.active !== manifest.version) {
        state.previous = state.active;
        state.active = manifest.version;
        state.firstLaunchPending = true;
        delete state.staged;
      }
      await writeAppState(options.appsDir, state);
      await pruneVersions(options.appsDir, state);
    });
    report.state = state;
    report.ok = true;
  } catch (err) {
    if (!(err instanceof StepFailure)) throw err;
    report.code = err.error.code;
    report.message = err.error.message;
    report.hint = err.error.hint;
    if (err.error.diagnostics.length) report.diagnostics = err.error.diagnostics;
  }
  auditInstallVerdict(options.audit, { source: options.source, app: report.id, version: report.version, ok: report.ok, code: report.code, keyId: report.keyId, partner: report.partner });
  return report;
}

function asError(outcome: { code: string; message: string; hint?: string; diagnostics?: Diagnostic[] }): MiniappError {
  // verifyPackage returns refusals as values; turn one back into the coded error it was.
  const error = new MiniappError(outcome.code as ErrorCode, {}, { diagnostics: outcome.diagnostics });
  Object.defineProperty(error, 'message', { value: outcome.message });
  if (outcome.hint) Object.defineProperty(error, 'hint', { value: outcome.hint });
  return error;
}

/** Whether the package carries a signature block where signing puts it (nothing else is parsed yet). */
function hasSignature(bytes: Buffer): boolean {
  try {
    return locateSignature(bytes) !== undefined;
  } catch {
    return true; // a malformed block: the signature step reports it
  }
}

/**
 * The manifest rule that minHostVersion be a host version this toolchain knows is for authors. A host
 * cannot know the versions released after it: it decides minHostVersion by its own version (the
 * host-version step, HOST_UPDATE_REQUIRED), so its checks accept any newer one.
 */
const ANY_HOST_VERSION = `${Number.MAX_SAFE_INTEGER}.0.0`;

const STRUCTURE_CODES = (code: string) => (code.startsWith('PACKAGE_') && code !== 'PACKAGE_UNSIGNED' && code !== 'PACKAGE_SIGNATURE_BLOCK_MALFORMED') || code.startsWith('MANIFEST_');

function manifestOf(pkg: ZipPackage, options: InstallOptions, report: InstallReport): Manifest {
  const checked = checkPackageManifest(pkg, options.source, { profile: options.profile ?? 'release', newestHostVersion: ANY_HOST_VERSION });
  if (checked.errors.length || !checked.manifest) {
    report.diagnostics = checked.errors;
    const first = checked.errors[0];
    throw new MiniappError('PACKAGE_MANIFEST_INVALID', { count: checked.errors.length, first: first ? `${first.code} ${first.message}` : undefined }, { diagnostics: checked.errors });
  }
  return checked.manifest;
}

