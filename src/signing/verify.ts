import type { KeyObject } from 'node:crypto';
import semverLt from 'semver/functions/lt.js';
import { isMiniappError, MiniappError, type Diagnostic } from '../core/errors/index.js';
import type { Profile } from '../manifest/types.js';
import { checkPackageManifest } from '../package/manifest.js';
import { readPackage, type PackageLimits } from '../package/index.js';
import { hasSignatureMagic, parseSignatureBlock, SIGNATURE_BLOCK_SIZE, type SignatureBlock } from '../package/signature-block.js';
import { decodeSignedHeader, verifySigned, type SignedHeader } from './format.js';
import { KEY_ID_PATTERN, signatureBytesOf } from './keys.js';

/** The keys a verifier trusts, by key id. */
export interface Trust {
  keys: ReadonlyMap<string, KeyObject>;
  /** True for a keyring directory (wording of errors only). */
  keyring?: boolean;
}

export interface VerifyOptions {
  trust: Trust;
  /** The host's version; a lower one than minHostVersion gives HOST_UPDATE_REQUIRED. */
  hostVersion?: string;
  profile?: Profile;
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
  id?: string;
  version?: string;
  minHostVersion?: string;
  keyId?: string;
  /** Every manifest problem when the refusal is PACKAGE_MANIFEST_INVALID. */
  diagnostics?: Diagnostic[];
  warnings?: Diagnostic[];
}

const END_SIZE = 22;

/**
 * Finds the signature block at its fixed place (the last 2048 bytes, after an end record with that
 * comment length). Nothing else is parsed before the signature is checked.
 */
export function locateSignature(bytes: Uint8Array): { block: SignatureBlock; archive: Uint8Array } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const endAt = b.length - END_SIZE - SIGNATURE_BLOCK_SIZE;
  if (endAt < 0 || b.readUInt32LE(endAt) !== 0x06054b50 || b.readUInt16LE(endAt + 20) !== SIGNATURE_BLOCK_SIZE) return undefined;
  const comment = b.subarray(b.length - SIGNATURE_BLOCK_SIZE);
  if (!hasSignatureMagic(comment)) return undefined;
  return { block: parseSignatureBlock(comment), archive: b.subarray(0, endAt + 20) };
}

/**
 * Reproduces the host's install decision, in the host's order: signature first (over bytes nobody has
 * parsed yet), then the strict structure and every entry's CRC, the manifest rules, the identity binding,
 * the signer pin and the host version. Refusals are values; only internal failures throw.
 */
export async function verifyPackage(bytes: Uint8Array, options: VerifyOptions): Promise<VerifyOutcome> {
  const facts: Partial<VerifyOutcome> = {};
  try {
    decide(bytes, options, facts);
    return { ok: true, code: 'OK', message: `signed by ${facts.keyId}; a host${options.hostVersion ? ` at ${options.hostVersion}` : ''} would install it`, ...facts };
  } catch (err) {
    if (!isMiniappError(err)) throw err;
    return { ...facts, ok: false, code: err.code, message: err.message, hint: err.hint, diagnostics: err.diagnostics.length ? err.diagnostics : undefined };
  }
}

function decide(bytes: Uint8Array, options: VerifyOptions, facts: Partial<VerifyOutcome>): void {
  const located = locateSignature(bytes);
  if (!located) {
    readPackage(bytes, options.limits); // throws the precise structural defect, if any
    throw new MiniappError('PACKAGE_UNSIGNED');
  }
  const header: SignedHeader = decodeSignedHeader(located.block.header);
  facts.keyId = header.keyId;
  const key = options.trust.keys.get(header.keyId);
  if (!key) {
    const expected = options.trust.keyring ? `${options.trust.keys.size} key(s)` : [...options.trust.keys.keys()].join(', ');
    throw new MiniappError('SIGNATURE_UNKNOWN_KEY', { keyId: header.keyId, keyring: options.trust.keyring, expected });
  }
  const expectedLength = signatureBytesOf(key);
  if (located.block.signature.length !== expectedLength) {
    throw new MiniappError('SIGNATURE_INVALID', { reason: `it is ${located.block.signature.length} bytes long; the key signs ${expectedLength}-byte signatures` });
  }
  if (!verifySigned(located.block.header, located.archive, key, located.block.signature)) {
    throw new MiniappError('SIGNATURE_INVALID');
  }

  const pkg = readPackage(bytes, options.limits);
  for (const entry of pkg.entries) pkg.read(entry);
  const checked = checkPackageManifest(pkg, options.label ?? 'package.zip', { profile: options.profile ?? 'release', newestHostVersion: options.newestHostVersion });
  const value = (checked.value ?? {}) as Record<string, unknown>;
  if (typeof value.id === 'string') facts.id = value.id;
  if (typeof value.version === 'string') facts.version = value.version;
  if (typeof value.minHostVersion === 'string') facts.minHostVersion = value.minHostVersion;
  facts.warnings = checked.warnings.length ? checked.warnings : undefined;
  if (checked.errors.length > 0 || !checked.manifest) {
    const first = checked.errors[0];
    throw new MiniappError('PACKAGE_MANIFEST_INVALID', { count: checked.errors.length, first: first ? `${first.code} ${first.message}` : undefined }, { diagnostics: checked.errors });
  }
  const manifest = checked.manifest;
  for (const field of ['id', 'version', 'minHostVersion'] as const) {
    if (header[field] !== manifest[field]) throw new MiniappError('SIGNATURE_BINDING_MISMATCH', { field, signed: header[field], manifest: manifest[field] });
  }
  if (manifest.signature && KEY_ID_PATTERN.test(manifest.signature) && manifest.signature !== header.keyId) {
    throw new MiniappError('SIGNER_PIN_MISMATCH', { pinned: manifest.signature, keyId: header.keyId });
  }
  if (options.hostVersion && semverLt(options.hostVersion, manifest.minHostVersion)) {
    throw new MiniappError('HOST_UPDATE_REQUIRED', { minHostVersion: manifest.minHostVersion, hostVersion: options.hostVersion });
  }
}
