import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { MiniappError } from '../core/errors/index.js';

/**
 * Key loading and the pinned key policy: RSA with the plain rsaEncryption OID, 2048..4096 bits, e = 65537.
 * Node's crypto (OpenSSL) parses every PEM form we accept (PKCS#8, PKCS#1, encrypted PKCS#8, legacy
 * encrypted PKCS#1), so node-forge is not needed here (docs/package-format.md says why).
 */
export const MIN_KEY_BITS = 2048;
export const MAX_KEY_BITS = 4096;
export const KEY_ID_PATTERN = /^sha256:[0-9a-f]{64}$/;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----/;

function pemLabel(text: string, source: string): string {
  const match = PEM_BLOCK.exec(text);
  if (!match) throw new MiniappError('KEY_NOT_PEM', { source, reason: 'no "-----BEGIN ...-----" line' });
  return match[1]!;
}

const isPublicLabel = (label: string) => /PUBLIC KEY|CERTIFICATE/.test(label);

export function loadPrivateKey(pem: string | Buffer, source: string, passphrase?: string): KeyObject {
  const text = pem.toString();
  const label = pemLabel(text, source);
  if (isPublicLabel(label)) throw new MiniappError('KEY_NOT_PRIVATE', { source });
  if (!/PRIVATE KEY/.test(label)) throw new MiniappError('KEY_NOT_PEM', { source, reason: `"${label}" is not a private key` });
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type:\s*4,ENCRYPTED/.test(text);
  if (encrypted && !passphrase) throw new MiniappError('KEY_PASSPHRASE_REQUIRED', { source });
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem', passphrase: encrypted ? passphrase : undefined });
  } catch (err) {
    if (encrypted) throw new MiniappError('KEY_PASSPHRASE_WRONG', { source }, { cause: err });
    throw new MiniappError('KEY_NOT_PEM', { source, reason: (err as Error).message }, { cause: err });
  }
  checkKeyPolicy(key, source);
  return key;
}

export function loadPublicKey(pem: string | Buffer, source: string): KeyObject {
  const text = pem.toString();
  const label = pemLabel(text, source);
  if (/PRIVATE KEY/.test(label)) throw new MiniappError('KEY_NOT_PUBLIC', { source });
  if (!/PUBLIC KEY/.test(label)) throw new MiniappError('KEY_NOT_PEM', { source, reason: `"${label}" is not a public key` });
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch (err) {
    throw new MiniappError('KEY_NOT_PEM', { source, reason: (err as Error).message }, { cause: err });
  }
  checkKeyPolicy(key, source);
  return key;
}

export function checkKeyPolicy(key: KeyObject, source: string): void {
  const type = key.asymmetricKeyType;
  if (type === 'rsa-pss') throw new MiniappError('KEY_UNSUPPORTED', { source, reason: 'the key carries the RSASSA-PSS OID; hosts accept only the plain rsaEncryption OID' });
  if (type !== 'rsa') throw new MiniappError('KEY_UNSUPPORTED', { source, reason: `it is a${type && /^[aeiou]/.test(type) ? 'n' : ''} ${type ?? 'unknown'} key; only RSA is accepted` });
  const { modulusLength = 0, publicExponent } = key.asymmetricKeyDetails ?? {};
  if (modulusLength < MIN_KEY_BITS) throw new MiniappError('KEY_WEAK', { source, reason: `the key has ${modulusLength} bits; at least ${MIN_KEY_BITS} are required` });
  if (modulusLength > MAX_KEY_BITS) throw new MiniappError('KEY_UNSUPPORTED', { source, reason: `the key has ${modulusLength} bits; at most ${MAX_KEY_BITS} are accepted` });
  if (publicExponent !== 65537n) throw new MiniappError('KEY_WEAK', { source, reason: `the public exponent is ${String(publicExponent)}, not 65537` });
}

/** The key id: "sha256:" and the hex SHA-256 of the public key's SubjectPublicKeyInfo DER. */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

export const signatureBytesOf = (key: KeyObject) => Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
