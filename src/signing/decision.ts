import semverLt from 'semver/functions/lt.js';
import { isMiniappError, MiniappError, type Diagnostic } from '../core/errors/index.js';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import type { Manifest, Profile } from '../manifest/types.js';
import { checkPackageManifest } from '../package/manifest.js';
import { readPackage, type ZipPackage } from '../package/reader.js';
import type { PackageLimits } from '../package/limits.js';
import { decodeSignedHeader, verifySigned, type SignedHeader } from './format.js';
import { KEY_ID_PATTERN, signatureBytesOf } from './keys.js';
import { locateSignature, type Trust } from './locate.js';

/**
 * The host's install decision (docs/package-format.md section 3) as one ordered pipeline. verify,
 * inspect, install, run --pubkey and conformance all run this, so the same bytes get the same code from
 * every command. The stages carry install's step names; each stage holds the numbered steps of the doc:
 *
 *   signature       1 locate the block · 2 header · 3 key · 4 signature
 *   structure       5 strict reader and every entry · 6 manifest (release profile) · 7 binding · 8 signer pin
 *   key-authorised  (trust-store hosts) the signing key may sign this app id
 *   host-version    9 the host is at least minHostVersion
 */
export const DECISION_STAGES = ['signature', 'structure', 'key-authorised', 'host-version'] as const;
export type DecisionStage = (typeof DECISION_STAGES)[number];

export interface DecisionOptions {
  /** The keys trusted, by key id. Without them a signature cannot be checked (see allowUnsigned). */
  trust?: Trust;
  /**
   * Work in progress (inspect, conformance, run without a key): an unsigned package, or a signed one
   * when no keys are given, passes the signature stage as skipped. Everything else is still checked.
   */
  allowUnsigned?: boolean;
  /** The host's version (MAJOR.MINOR.PATCH); default the newest known host. null: no host, step 9 skipped. */
  hostVersion?: string | null;
  /** Manifest rules at step 6: release (default) — a host installs release packages. */
  profile?: Profile;
  limits?: Partial<PackageLimits>;
  /** The package's name in diagnostics. */
  label?: string;
  /** Trust-store hosts: throws KEY_NOT_AUTHORISED when the key may not sign this app id. */
  authorise?: (keyId: string, manifest: Manifest) => void;
}

/** What the pipeline learnt about the package, as far as it got. */
export interface PackageFacts {
  signed: boolean;
  /** The signature verified against a trusted key. */
  verified: boolean;
  keyId?: string;
  header?: SignedHeader;
  pkg?: ZipPackage;
  /** The manifest as parsed (before the rules), for summaries of refused packages. */
  value?: Record<string, unknown>;
  manifest?: Manifest;
  warnings: Diagnostic[];
}

export type StageOutcome = { skipped: string } | undefined;
/** Runs one stage; install wraps each in its timed, audited step. The default runs it as is. */
export type StageRunner = (stage: DecisionStage, run: () => Promise<StageOutcome>) => Promise<void>;

const direct: StageRunner = async (_stage, run) => {
  await run();
};

/**
 * The manifest rule that minHostVersion be a version this toolchain knows is for authors (validate,
 * build, sign). A host cannot know the versions released after it: it decides minHostVersion by its own
 * version (step 9), so at step 6 any higher version is accepted.
 */
export const ANY_HOST_VERSION = `${Number.MAX_SAFE_INTEGER}.0.0`;

/** Runs the stages in order; throws the first refusal (a MiniappError) after recording what it learnt in `facts`. */
export async function runDecision(bytes: Uint8Array, options: DecisionOptions, facts: PackageFacts, runStage: StageRunner = direct): Promise<PackageFacts> {
  await runStage('signature', async () => checkSignature(bytes, options, facts));
  await runStage('structure', async () => {
    await checkStructure(bytes, options, facts);
    return undefined;
  });
  await runStage('key-authorised', async () => {
    if (!options.authorise || !facts.verified) return { skipped: facts.signed ? 'the signature was not checked: no signer to authorise' : 'unsigned: no signer to authorise' };
    options.authorise(facts.keyId!, facts.manifest!);
    return undefined;
  });
  await runStage('host-version', async () => checkHostVersion(options, facts.manifest!));
  return facts;
}

export const newFacts = (): PackageFacts => ({ signed: false, verified: false, warnings: [] });

/** Steps 1-4: nothing but the fixed-size block at the end is parsed before the signature verified. */
function checkSignature(bytes: Uint8Array, options: DecisionOptions, facts: PackageFacts): StageOutcome {
  const located = locateSignature(bytes);
  if (!located) {
    // No block at its fixed place: the strict reader names the defect (trailing bytes, a foreign
    // comment, prepended data...) at the structure stage; a package it accepts is plainly unsigned.
    if (!readable(bytes, options.limits)) return { skipped: 'no signature block at its fixed place: the structure step names the defect' };
    if (options.allowUnsigned) return { skipped: 'unsigned package (work in progress)' };
    throw new MiniappError('PACKAGE_UNSIGNED');
  }
  facts.signed = true;
  const header = decodeSignedHeader(located.block.header);
  facts.header = header;
  facts.keyId = header.keyId;
  const trust = options.trust;
  if (!trust) {
    if (options.allowUnsigned) return { skipped: `signed by ${header.keyId}; not checked: no trusted keys were given` };
    throw new MiniappError('TRUST_STORE_MISSING');
  }
  const key = trust.keys.get(header.keyId);
  if (!key) {
    const expected = trust.keyring ? `${trust.keys.size} key(s)` : [...trust.keys.keys()].join(', ');
    throw new MiniappError('SIGNATURE_UNKNOWN_KEY', { keyId: header.keyId, keyring: trust.keyring, expected });
  }
  const expectedLength = signatureBytesOf(key);
  if (located.block.signature.length !== expectedLength) {
    throw new MiniappError('SIGNATURE_INVALID', { reason: `it is ${located.block.signature.length} bytes long; the key signs ${expectedLength}-byte signatures` });
  }
  if (!verifySigned(located.block.header, located.archive, key, located.block.signature)) throw new MiniappError('SIGNATURE_INVALID');
  facts.verified = true;
}

function readable(bytes: Uint8Array, limits: Partial<PackageLimits> | undefined): boolean {
  try {
    readPackage(bytes, limits);
    return true;
  } catch (err) {
    if (isMiniappError(err)) return false;
    throw err;
  }
}

/** Steps 5-8: the whole file through the strict reader, every entry inflated and checked, then the manifest. */
async function checkStructure(bytes: Uint8Array, options: DecisionOptions, facts: PackageFacts): Promise<void> {
  const pkg = readPackage(bytes, options.limits);
  facts.pkg = pkg;
  await pkg.checkEntries();
  const checked = checkPackageManifest(pkg, options.label ?? 'package.zip', { profile: options.profile ?? 'release', newestHostVersion: ANY_HOST_VERSION });
  facts.value = (checked.value ?? {}) as Record<string, unknown>;
  facts.warnings = checked.warnings;
  if (checked.errors.length > 0 || !checked.manifest) {
    const first = checked.errors[0];
    throw new MiniappError('PACKAGE_MANIFEST_INVALID', { count: checked.errors.length, first: first ? `${first.code} ${first.message}` : undefined }, { diagnostics: checked.errors });
  }
  const manifest = checked.manifest;
  facts.manifest = manifest;
  const header = facts.header;
  if (!header) return;
  for (const field of ['id', 'version', 'minHostVersion'] as const) {
    if (header[field] !== manifest[field]) throw new MiniappError('SIGNATURE_BINDING_MISMATCH', { field, signed: header[field], manifest: manifest[field] });
  }
  const pin = signerPinOf(manifest.signature);
  if (pin && pin !== header.keyId) throw new MiniappError('SIGNER_PIN_MISMATCH', { pinned: pin, keyId: header.keyId });
}

/** The manifest's `signature` is a signer pin only when it is a full key id; anything else is ignored. */
export const signerPinOf = (value: unknown): string | undefined => (typeof value === 'string' && KEY_ID_PATTERN.test(value) ? value : undefined);

function checkHostVersion(options: DecisionOptions, manifest: Manifest): StageOutcome {
  if (options.hostVersion === null) return { skipped: 'no host version to decide for' };
  const hostVersion = options.hostVersion ?? NEWEST_HOST_VERSION;
  if (semverLt(hostVersion, manifest.minHostVersion)) throw new MiniappError('HOST_UPDATE_REQUIRED', { minHostVersion: manifest.minHostVersion, hostVersion });
}

/** A refusal as a value: the code, message and hint, every manifest problem, and the stage that refused. */
export interface Decision {
  ok: boolean;
  /** "OK" or the code of the first refusal. */
  code: string;
  message: string;
  hint?: string;
  stage?: DecisionStage;
  diagnostics?: Diagnostic[];
  facts: PackageFacts;
  /** The refusal itself, for callers that rethrow it. */
  error?: MiniappError;
}

/** The decision as a value: OK, or the first refusal. Only internal faults throw. */
export async function decidePackage(bytes: Uint8Array, options: DecisionOptions): Promise<Decision> {
  const facts = newFacts();
  let stage: DecisionStage | undefined;
  try {
    await runDecision(bytes, options, facts, async (name, run) => {
      stage = name;
      await run();
    });
    const host = options.hostVersion === null ? 'a host' : `a host at ${options.hostVersion ?? NEWEST_HOST_VERSION}`;
    const who = facts.verified ? `signed by ${facts.keyId}` : facts.signed ? `signed by ${facts.keyId} (signature not checked)` : 'unsigned';
    return { ok: true, code: 'OK', message: `${who}; ${host} would install it`, facts };
  } catch (err) {
    if (!isMiniappError(err)) throw err;
    return { ok: false, code: err.code, message: err.message, hint: err.hint, stage, diagnostics: err.diagnostics.length ? err.diagnostics : undefined, facts, error: err };
  }
}

/** A refusal as the error to throw, located at the package file, with every manifest problem after it. */
export function refusalError(decision: Decision, file: string): MiniappError {
  const error = decision.error!;
  const located = new MiniappError(error.code, error.args, { cause: error, location: error.location.file ? error.location : { file } });
  const diagnostics = error.diagnostics.length ? [located.toDiagnostic(), ...error.diagnostics] : [];
  return new MiniappError(error.code, error.args, { cause: error, location: located.location, diagnostics });
}
