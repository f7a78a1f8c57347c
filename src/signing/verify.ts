import type { Diagnostic } from '../core/errors/index.js';
import type { Profile } from '../manifest/types.js';
import type { PackageLimits } from '../package/index.js';
import { decidePackage, type DecisionStage } from './decision.js';
import type { Trust } from './locate.js';

export { locateSignature, type Trust } from './locate.js';

export interface VerifyOptions {
  trust: Trust;
  /** The host's version (default: the newest known host, or newestHostVersion); older than minHostVersion gives HOST_UPDATE_REQUIRED. */
  hostVersion?: string;
  profile?: Profile;
  /** The newest host version there is: the host version decided for when hostVersion is not given. */
  newestHostVersion?: string;
  limits?: Partial<PackageLimits>;
  label?: string;
}

/** A host's install decision for one package: OK, or the first reason it refuses. */
export interface VerifyOutcome {
  ok: boolean;
  /** "OK" or the error code of the refusal. */
  code: string;
  message: string;
  hint?: string;
  /** The stage of the decision that refused (signature, structure, host-version). */
  stage?: DecisionStage;
  id?: string;
  version?: string;
  minHostVersion?: string;
  keyId?: string;
  /** Every manifest problem when the refusal is PACKAGE_MANIFEST_INVALID. */
  diagnostics?: Diagnostic[];
  warnings?: Diagnostic[];
}

/**
 * Reproduces the host's install decision (src/signing/decision.ts, the pipeline every command shares):
 * signature first (over bytes nobody has parsed yet), then the strict structure and every entry's CRC,
 * the manifest rules, the identity binding, the signer pin and the host version. Refusals are values;
 * only internal failures throw.
 */
export async function verifyPackage(bytes: Uint8Array, options: VerifyOptions): Promise<VerifyOutcome> {
  const decision = await decidePackage(bytes, {
    trust: options.trust,
    hostVersion: options.hostVersion ?? options.newestHostVersion,
    profile: options.profile,
    limits: options.limits,
    label: options.label,
  });
  const { facts } = decision;
  const value = facts.value ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    ok: decision.ok,
    code: decision.code,
    message: decision.message,
    ...(decision.hint ? { hint: decision.hint } : {}),
    ...(decision.stage && !decision.ok ? { stage: decision.stage } : {}),
    id: str(value.id),
    version: str(value.version),
    minHostVersion: str(value.minHostVersion),
    keyId: facts.keyId,
    diagnostics: decision.diagnostics,
    warnings: facts.warnings.length ? facts.warnings : undefined,
  };
}
