import { constants, createVerify, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { MiniappError } from '../core/errors/index.js';
import { KEY_ID_PATTERN } from './keys.js';

/**
 * What exactly is signed (docs/package-format.md, "Signed data"):
 *   signed-data = CONTEXT || uint32le(len(header)) || header || archive
 * where archive is the package up to, not including, the end record's comment-length field, and header
 * is the canonical JSON of SignedHeader. The algorithm is pinned: RSASSA-PSS, SHA-256, MGF1-SHA-256,
 * salt length 32. The salt length is always passed explicitly: Node's and OpenSSL's default (the
 * maximum) is rejected by iOS, Android and WebCrypto verifiers configured for 32.
 */
export const SIGNATURE_CONTEXT = Buffer.from('miniapp package signature v1\0', 'latin1');
export const SIGNATURE_FORMAT_VERSION = 1;
export const PSS_SALT_LENGTH = 32;
export const SIGNATURE_ALGORITHM = 'RSASSA-PSS/SHA-256/MGF1-SHA-256/salt-32';

export interface SignedHeader {
  format: number;
  keyId: string;
  id: string;
  version: string;
  minHostVersion: string;
}

/** The one serialisation: keys in this order, no spaces. Verifiers require it byte for byte. */
export function encodeSignedHeader(h: Omit<SignedHeader, 'format'>): Buffer {
  return Buffer.from(JSON.stringify({ format: SIGNATURE_FORMAT_VERSION, keyId: h.keyId, id: h.id, version: h.version, minHostVersion: h.minHostVersion }), 'utf8');
}

const invalid = (reason: string, cause?: unknown) => new MiniappError('SIGNATURE_HEADER_INVALID', { reason }, { cause });

export function decodeSignedHeader(bytes: Uint8Array): SignedHeader {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw invalid('it is not UTF-8 JSON', err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('it is not a JSON object');
  const h = value as Record<string, unknown>;
  if (h.format !== SIGNATURE_FORMAT_VERSION) throw invalid(`format ${JSON.stringify(h.format)} is not supported (this miniapp reads format ${SIGNATURE_FORMAT_VERSION})`);
  for (const field of ['keyId', 'id', 'version', 'minHostVersion'] as const) {
    if (typeof h[field] !== 'string') throw invalid(`"${field}" is missing or not a string`);
  }
  if (!KEY_ID_PATTERN.test(h.keyId as string)) throw invalid('"keyId" is not "sha256:" and 64 hex digits');
  const header = h as unknown as SignedHeader;
  if (!encodeSignedHeader(header).equals(Buffer.from(bytes))) throw invalid('it is not in canonical form (field order, spacing or extra fields)');
  return header;
}

export function signedData(header: Uint8Array, archive: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([SIGNATURE_CONTEXT, length, header, archive]);
}

const pss = (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH });

export const signData = (data: Uint8Array, key: KeyObject): Buffer => cryptoSign('sha256', data, pss(key));

export const verifyDataSync = (data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean => cryptoVerify('sha256', data, pss(key), signature);

/**
 * Verifies header and archive as the signed-data concatenation without building it: the hash is fed the
 * parts in order, so a 3 MB package costs one SHA-256 pass and no copy.
 */
export function verifySigned(header: Uint8Array, archive: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  try {
    return createVerify('sha256').update(SIGNATURE_CONTEXT).update(length).update(header).update(archive).verify(pss(key), signature);
  } catch {
    return false;
  }
}
