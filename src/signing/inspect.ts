import { isMiniappError, MiniappError, type Diagnostic } from '../core/errors/index.js';
import { checkPackageManifest } from '../package/manifest.js';
import { readPackage, type ZipPackage } from '../package/reader.js';
import { decidePackage, signerPinOf, type Decision } from './decision.js';
import { SIGNATURE_ALGORITHM, signedData } from './format.js';
import { locateSignature, type Trust } from './locate.js';

export interface PackageReport {
  manifest?: { id?: unknown; version?: unknown; minHostVersion?: unknown; name?: unknown; entryPoint?: unknown; signature?: unknown };
  /** The manifest's signer pin when it is one (a full, lower-case key id); null when absent or ignored. */
  signerPin: string | null;
  permissions: string[];
  allowedDomains: string[];
  files: Array<{ name: string; size: number; compressedSize: number; method: string }>;
  totalSize: number;
  packageSize: number;
  signature: {
    /** unsigned, signed (not checked against a key), verified, or invalid (the signature stage refused, with its code). */
    status: 'unsigned' | 'signed' | 'verified' | 'invalid';
    algorithm?: string;
    keyId?: string;
    header?: unknown;
    code?: string;
    message?: string;
  };
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * What a reviewer looks at: manifest summary, files, signer and signature status. It runs the install
 * decision every command shares (src/signing/decision.ts): without a key, every check that needs none
 * (structure and every entry's size and CRC, the manifest, the header's binding, the signer pin, the
 * host version: the newest known host unless given); with
 * one, the whole decision. The first refusal is the report's first error.
 */
export async function inspectPackage(bytes: Uint8Array, options: { label?: string; trust?: Trust; hostVersion?: string } = {}): Promise<PackageReport> {
  const label = options.label ?? 'package.zip';
  const decision = await decidePackage(bytes, { trust: options.trust, allowUnsigned: !options.trust, hostVersion: options.hostVersion, label });
  const { facts } = decision;
  // A package the strict reader refuses has nothing to show: the decision's refusal is the answer.
  let pkg = facts.pkg;
  if (!pkg) {
    try {
      pkg = readPackage(bytes);
    } catch (err) {
      throw decision.error ?? err;
    }
  }
  const value = facts.value ?? manifestValue(pkg, label);
  const report: PackageReport = {
    manifest: { id: value.id, version: value.version, minHostVersion: value.minHostVersion, name: value.name, entryPoint: value.entryPoint, signature: value.signature },
    signerPin: signerPinOf(value.signature) ?? null,
    permissions: strings(value.permissions),
    allowedDomains: strings(value.allowedDomains),
    files: pkg.entries.map((e) => ({ name: e.name, size: e.size, compressedSize: e.compressedSize, method: e.method })),
    totalSize: pkg.totalSize,
    packageSize: pkg.byteLength,
    signature: signatureStatus(decision),
    errors: decision.ok ? [] : [refusal(decision, label), ...(decision.diagnostics ?? [])],
    warnings: facts.warnings,
  };
  return report;
}

function manifestValue(pkg: ZipPackage, label: string): Record<string, unknown> {
  try {
    return (checkPackageManifest(pkg, label, { profile: 'release' }).value ?? {}) as Record<string, unknown>;
  } catch (err) {
    if (isMiniappError(err)) return {};
    throw err;
  }
}

function refusal(decision: Decision, label: string): Diagnostic {
  const error = decision.error!;
  return { ...error.toDiagnostic(), file: error.location.file ?? label };
}

function signatureStatus(decision: Decision): PackageReport['signature'] {
  const { facts } = decision;
  if (!facts.signed) return { status: 'unsigned' };
  const base = { algorithm: SIGNATURE_ALGORITHM, keyId: facts.keyId, header: facts.header };
  if (!decision.ok && decision.stage === 'signature') return { ...base, status: 'invalid', code: decision.code, message: decision.message };
  return { ...base, status: facts.verified ? 'verified' : 'signed' };
}

/** The exact bytes a signature covers and the raw signature, for checking with OpenSSL alone. */
export function extractSigned(bytes: Uint8Array): { signedData: Buffer; signature: Buffer } {
  const located = locateSignature(bytes);
  if (!located) {
    readPackage(bytes);
    throw new MiniappError('PACKAGE_UNSIGNED');
  }
  return { signedData: signedData(located.block.header, located.archive), signature: Buffer.from(located.block.signature) };
}
