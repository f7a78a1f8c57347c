import { MiniappError, type Diagnostic } from '../core/errors/index.js';
import { checkPackageManifest } from '../package/manifest.js';
import { readPackage } from '../package/reader.js';
import { decodeSignedHeader, SIGNATURE_ALGORITHM, signedData } from './format.js';
import { locateSignature, verifyPackage, type Trust } from './verify.js';

export interface PackageReport {
  manifest?: { id?: unknown; version?: unknown; minHostVersion?: unknown; name?: unknown; entryPoint?: unknown; signature?: unknown };
  permissions: string[];
  allowedDomains: string[];
  files: Array<{ name: string; size: number; compressedSize: number; method: string }>;
  totalSize: number;
  packageSize: number;
  signature: {
    /** unsigned, signed (not checked against a key), verified, or invalid (with code). */
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

/** What a reviewer looks at: manifest summary, files, signer and signature status. */
export async function inspectPackage(bytes: Uint8Array, options: { label?: string; trust?: Trust } = {}): Promise<PackageReport> {
  const label = options.label ?? 'package.zip';
  const pkg = readPackage(bytes);
  const checked = checkPackageManifest(pkg, label, { profile: 'release' });
  const value = (checked.value ?? {}) as Record<string, unknown>;
  const report: PackageReport = {
    manifest: { id: value.id, version: value.version, minHostVersion: value.minHostVersion, name: value.name, entryPoint: value.entryPoint, signature: value.signature },
    permissions: strings(value.permissions),
    allowedDomains: strings(value.allowedDomains),
    files: pkg.entries.map((e) => ({ name: e.name, size: e.size, compressedSize: e.compressedSize, method: e.method })),
    totalSize: pkg.totalSize,
    packageSize: pkg.byteLength,
    signature: { status: 'unsigned' },
    errors: checked.errors,
    warnings: checked.warnings,
  };
  if (pkg.signatureBlock) {
    report.signature = { status: 'signed', algorithm: SIGNATURE_ALGORITHM };
    try {
      const header = decodeSignedHeader(pkg.signatureBlock.header);
      report.signature.keyId = header.keyId;
      report.signature.header = header;
    } catch (err) {
      if (!(err instanceof MiniappError)) throw err;
      report.signature = { status: 'invalid', code: err.code, message: err.message };
    }
    if (options.trust && report.signature.status === 'signed') {
      const outcome = await verifyPackage(bytes, { trust: options.trust, label });
      report.signature.status = outcome.ok ? 'verified' : 'invalid';
      if (!outcome.ok) Object.assign(report.signature, { code: outcome.code, message: outcome.message });
    }
  }
  return report;
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
