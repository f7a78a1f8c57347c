import type { KeyObject } from 'node:crypto';
import { parseSignatureBlock, hasSignatureMagic, SIGNATURE_BLOCK_SIZE, type SignatureBlock } from '../package/signature-block.js';

/** The keys a verifier trusts, by key id. */
export interface Trust {
  keys: ReadonlyMap<string, KeyObject>;
  /** True for a keyring directory (wording of errors only). */
  keyring?: boolean;
}

const END_SIZE = 22;

/**
 * Finds the signature block at its fixed place (the last 2048 bytes, after an end record with that
 * comment length, starting with the magic). Nothing else is parsed before the signature is checked.
 */
export function locateSignature(bytes: Uint8Array): { block: SignatureBlock; archive: Uint8Array } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const endAt = b.length - END_SIZE - SIGNATURE_BLOCK_SIZE;
  if (endAt < 0 || b.readUInt32LE(endAt) !== 0x06054b50 || b.readUInt16LE(endAt + 20) !== SIGNATURE_BLOCK_SIZE) return undefined;
  const comment = b.subarray(b.length - SIGNATURE_BLOCK_SIZE);
  if (!hasSignatureMagic(comment)) return undefined;
  return { block: parseSignatureBlock(comment), archive: b.subarray(0, endAt + 20) };
}
