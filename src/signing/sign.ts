import { createPublicKey, type KeyObject } from 'node:crypto';
import { diagnostic, MiniappError, type Diagnostic } from '../core/errors/index.js';
import type { Manifest, Profile } from '../manifest/types.js';
import { checkPackageManifest } from '../package/manifest.js';
import { readPackage } from '../package/reader.js';
import { buildSignatureBlock, SIGNATURE_BLOCK_SIZE } from '../package/signature-block.js';
import { decodeSignedHeader, encodeSignedHeader, signData, signedData, verifyDataSync, type SignedHeader } from './format.js';
import { KEY_ID_PATTERN, keyIdOf } from './keys.js';

export interface SignOptions {
  /** Manifest rules the package must pass (default "release"). */
  profile?: Profile;
  newestHostVersion?: string;
  /** Replace an existing signature instead of refusing. */
  resign?: boolean;
  /** Name of the package in diagnostics. */
  label?: string;
}

export interface SignResult {
  /** The signed package. */
  bytes: Buffer;
  header: SignedHeader;
  signature: Buffer;
  keyId: string;
  manifest: Manifest;
  warnings: Diagnostic[];
}

/**
 * Signs a package: strict read, manifest rules, signer pin, then the signature block appended as the
 * zip comment. Pure: bytes in, bytes out; the caller writes them atomically.
 */
export function signPackage(bytes: Uint8Array, privateKey: KeyObject, options: SignOptions = {}): SignResult {
  const label = options.label ?? 'package.zip';
  const profile = options.profile ?? 'release';
  const pkg = readPackage(bytes);
  if (pkg.signatureBlock && !options.resign) {
    let keyId = 'unknown';
    try {
      keyId = decodeSignedHeader(pkg.signatureBlock.header).keyId;
    } catch {
      /* an unreadable header still means "signed" */
    }
    throw new MiniappError('PACKAGE_ALREADY_SIGNED', { keyId }, { location: { file: label } });
  }
  for (const entry of pkg.entries) pkg.read(entry);
  const checked = checkPackageManifest(pkg, label, { profile, newestHostVersion: options.newestHostVersion });
  if (checked.errors.length > 0 || !checked.manifest) {
    const summary = diagnostic('SIGN_PACKAGE_INVALID', { profile, count: checked.errors.length }, { file: label });
    throw new MiniappError('SIGN_PACKAGE_INVALID', { profile, count: checked.errors.length }, { diagnostics: [summary, ...checked.errors] });
  }
  const manifest = checked.manifest;
  const keyId = keyIdOf(privateKey);
  if (manifest.signature && KEY_ID_PATTERN.test(manifest.signature) && manifest.signature !== keyId) {
    throw new MiniappError('SIGNER_PIN_MISMATCH', { pinned: manifest.signature, keyId }, { location: { file: `${label}!/manifest.json`, pointer: '/signature' } });
  }
  const archive = Buffer.from(bytes.buffer, bytes.byteOffset, pkg.signedArchiveLength);
  const header = encodeSignedHeader({ keyId, id: manifest.id, version: manifest.version, minHostVersion: manifest.minHostVersion });
  const data = signedData(header, archive);
  const signature = signData(data, privateKey);
  // A signature that does not verify must never leave this function (a broken key or provider).
  if (!verifyDataSync(data, createPublicKey(privateKey), signature)) throw new Error('the fresh signature does not verify with its own key');
  const commentLength = Buffer.alloc(2);
  commentLength.writeUInt16LE(SIGNATURE_BLOCK_SIZE);
  const out = Buffer.concat([archive, commentLength, buildSignatureBlock({ header, signature })]);
  return { bytes: out, header: decodeSignedHeader(header), signature, keyId, manifest, warnings: checked.warnings };
}
