import semverLt from 'semver/functions/lt.js';
import { isMiniappError, MiniappError, type Diagnostic } from '../core/errors/index.js';
import type { Manifest, Profile } from '../manifest/types.js';
import type { PackageLimits } from '../package/limits.js';
import type { ZipPackage } from '../package/reader.js';
import { newFacts, runDecision, type DecisionOptions, type PackageFacts } from '../signing/decision.js';
import { readAppState, versionDir, versionInstalled, writeAppState, pruneVersions, type AppState } from './app-store.js';
import type { AuditLog } from './audit.js';
import { extractPackage } from './extract.js';
import { fetchPackageBytes } from './fetch.js';
import { keyMaySign, type TrustStore } from './trust-store.js';

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

/** What `decideInstall` takes: an install's options without the apps folder, plus the version the host has. */
export type DecideInstallOptions = Omit<InstallOptions, 'appsDir' | 'activate'> & {
  /** The version the host has installed of this app, if any: the downgrade step refuses an older one. */
  installed?: string;
};

/**
 * Installs a package as a host does, each step only after the previous one passed: fetch → signature
 * against the trust store → strict structure and manifest → key authorised for this app id →
 * minHostVersion → permissions the partner may use → no downgrade → extract → activate. Nothing of the
 * package is executed here, and nothing is written before every check passed. Refusals are values (the
 * report names the failed step and its code); only internal faults throw.
 */
export async function installPackage(options: InstallOptions): Promise<InstallReport> {
  return installSteps(options, async (steps, report, manifest) => {
    const state: AppState = (await readAppState(options.appsDir, manifest.id)) ?? { id: manifest.id };
    await steps.run('downgrade', () => refuseDowngrade(manifest, state.active));
    report.dir = await extractStep(steps, options.appsDir, manifest, report.pkg!);
    await steps.run('activate', async () => {
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
  });
}

/**
 * The same install decision, every check of installPackage in the same order with the same codes and
 * audit lines, and nothing written: the strict reader inflates and checks every entry in memory, and the
 * extract and activate steps are reported as skipped. A registry vets an upload with it.
 */
export async function decideInstall(options: DecideInstallOptions): Promise<InstallReport> {
  return installSteps(options, async (steps, _report, manifest) => {
    await steps.run('downgrade', () => refuseDowngrade(manifest, options.installed));
    steps.skip('extract', 'decision only: nothing is written');
    steps.skip('activate', 'decision only: nothing is written');
  });
}

function refuseDowngrade(manifest: Manifest, installed: string | undefined): void {
  if (installed && semverLt(manifest.version, installed)) throw new MiniappError('DOWNGRADE', { id: manifest.id, version: manifest.version, installed });
}

async function extractStep(steps: Steps, appsDir: string, manifest: Manifest, pkg: ZipPackage): Promise<string> {
  const dir = versionDir(appsDir, manifest.id, manifest.version);
  if (await versionInstalled(appsDir, manifest.id, manifest.version)) {
    steps.skip('extract', `${manifest.version} is already extracted`);
    return dir;
  }
  await steps.run('extract', async () => {
    try {
      await extractPackage(pkg, dir);
    } catch (err) {
      if (isMiniappError(err)) throw err;
      throw new MiniappError('INSTALL_FAILED', { id: manifest.id, step: 'extracting', reason: (err as Error).message }, { cause: err });
    }
  });
  return dir;
}

/** Runs one timed, audited step; a refusal is recorded and rethrown as a StepFailure. */
interface Steps {
  run<T>(step: InstallStepName, fn: () => Promise<T> | T): Promise<T>;
  skip(step: InstallStepName, message: string): void;
}

/** The report under construction, with the parsed package the later steps need (not part of the report). */
type Building = InstallReport & { pkg?: ZipPackage };
type Finish = (steps: Steps, report: Building, manifest: Manifest) => Promise<void>;

function stepsOf(options: DecideInstallOptions, report: InstallReport): Steps {
  const now = options.now ?? Date.now;
  const record = (step: InstallStep) => {
    report.steps.push(step);
    auditInstallStep(options.audit, options.source, report.id, step);
  };
  return {
    async run(step, fn) {
      const started = now();
      try {
        const value = await fn();
        const skipped = (value as { skipped?: unknown } | undefined)?.skipped;
        record(typeof skipped === 'string' ? { step, status: 'skipped', message: skipped, ms: now() - started } : { step, status: 'passed', ms: now() - started });
        return value;
      } catch (err) {
        const error = err instanceof StepFailure ? err.error : isMiniappError(err) ? err : undefined;
        if (!error) throw err;
        record({ step, status: 'failed', code: error.code, message: error.message, ms: now() - started });
        throw new StepFailure(error);
      }
    },
    skip: (step, message) => record({ step, status: 'skipped', message, ms: 0 }),
  };
}

/** The steps every install shares (fetch, the decision, permissions), then `finish`, then the verdict line. */
async function installSteps(options: DecideInstallOptions, finish: Finish): Promise<InstallReport> {
  const report: Building = { ok: false, source: options.source, steps: [], signed: false };
  const steps = stepsOf(options, report);
  try {
    const bytes = options.bytes ?? (await steps.run('fetch', () => fetchPackageBytes(options.source, { cwd: options.cwd, signal: options.signal, ...options.fetch })));
    if (options.bytes) steps.skip('fetch', 'bytes already downloaded');
    const facts = await decideSteps(options, bytes, steps, report);
    await finish(steps, report, facts.manifest!);
    report.ok = true;
  } catch (err) {
    if (!(err instanceof StepFailure)) throw err;
    report.code = err.error.code;
    report.message = err.error.message;
    report.hint = err.error.hint;
    if (err.error.diagnostics.length) report.diagnostics = err.error.diagnostics;
  }
  delete report.pkg;
  auditInstallVerdict(options.audit, { source: options.source, app: report.id, version: report.version, ok: report.ok, code: report.code, keyId: report.keyId, partner: report.partner });
  return report;
}

/** The install decision every command shares (src/signing/decision.ts), each stage one audited step, then the partner's permissions. */
async function decideSteps(options: DecideInstallOptions, bytes: Buffer, steps: Steps, report: Building): Promise<PackageFacts> {
  const store = options.trustStore;
  const facts = newFacts();
  const decision: DecisionOptions = {
    trust: store ? { keys: new Map([...store.keys].map(([id, k]) => [id, k.key])), keyring: true } : undefined,
    allowUnsigned: options.allowUnsigned,
    hostVersion: options.hostVersion,
    profile: options.profile ?? 'release',
    limits: options.limits,
    label: options.source,
    authorise: (keyId, manifest) => {
      const key = store!.keys.get(keyId)!;
      if (!keyMaySign(key, manifest.id)) {
        throw new MiniappError('KEY_NOT_AUTHORISED', { keyId: key.keyId, partner: key.partner.id, id: manifest.id, allowed: key.appIds.join(', ') });
      }
    },
  };
  await runDecision(bytes, decision, facts, async (stage, fn) => {
    await steps.run(stage, async () => {
      try {
        return await fn();
      } finally {
        report.signed = facts.signed;
        report.keyId = facts.keyId;
        if (facts.verified && store) report.partner = store.keys.get(facts.keyId!)?.partner.id;
        if (facts.manifest) Object.assign(report, { manifest: facts.manifest, id: facts.manifest.id, version: facts.manifest.version });
      }
    });
  });
  report.pkg = facts.pkg;
  const manifest = facts.manifest!;
  const trusted = facts.verified && store ? store.keys.get(facts.keyId!) : undefined;
  if (trusted) {
    const partner = trusted.partner;
    await steps.run('permissions', () => {
      const refused = manifest.permissions.find((p) => !partner.permissions.has(p));
      if (refused) throw new MiniappError('PERMISSION_NOT_ALLOWED', { id: manifest.id, permission: refused, partner: partner.id });
    });
  } else steps.skip('permissions', facts.signed ? 'signed, but not checked against a partner registry: no partner permissions to apply' : 'unsigned: no partner registry entry to apply');
  return facts;
}
