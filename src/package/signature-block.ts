import { MiniappError } from '../core/errors/index.js';

/**
 * The signature block: a fixed-size zip comment at the very end of a signed package. Being fixed-size,
 * it puts the end-of-central-directory record at a fixed offset (length - 22 - 2048), so a host never
 * scans for it. Layout (little-endian), documented in docs/package-format.md:
 *   0  8  magic "MASIGV01"
 *   8  2  header length H (1..1024)
 *  10  2  signature length S (1..512)
 *  12  H  signed header (canonical JSON, UTF-8)
 * 12+H S  signature (RSASSA-PSS)
 *  ...    zero bytes up to 2048
 */
export const SIGNATURE_BLOCK_SIZE = 2048;
export const SIGNATURE_BLOCK_MAGIC = Buffer.from('MASIGV01', 'latin1');
export const MAX_SIGNED_HEADER_BYTES = 1024;
export const MAX_SIGNATURE_BYTES = 512;
const FIXED = 12;

export interface SignatureBlock {
  /** The signed header bytes exactly as stored. */
  header: Uint8Array;
  /** The raw RSASSA-PSS signature. */
  signature: Uint8Array;
}

export const hasSignatureMagic = (comment: Uint8Array) =>
  comment.length >= SIGNATURE_BLOCK_MAGIC.length && Buffer.from(comment.subarray(0, SIGNATURE_BLOCK_MAGIC.length)).equals(SIGNATURE_BLOCK_MAGIC);

const malformed = (reason: string) => new MiniappError('PACKAGE_SIGNATURE_BLOCK_MALFORMED', { reason });

/** Parses a 2048-byte comment that starts with the magic; every other byte must be accounted for. */
export function parseSignatureBlock(comment: Uint8Array): SignatureBlock {
  const b = Buffer.from(comment.buffer, comment.byteOffset, comment.byteLength);
  if (b.length !== SIGNATURE_BLOCK_SIZE) throw malformed(`it is ${b.length} bytes, not ${SIGNATURE_BLOCK_SIZE}`);
  if (!hasSignatureMagic(b)) throw malformed('it does not start with "MASIGV01"');
  const h = b.readUInt16LE(8);
  const s = b.readUInt16LE(10);
  if (h < 1 || h > MAX_SIGNED_HEADER_BYTES) throw malformed(`header length ${h} is outside 1..${MAX_SIGNED_HEADER_BYTES}`);
  if (s < 1 || s > MAX_SIGNATURE_BYTES) throw malformed(`signature length ${s} is outside 1..${MAX_SIGNATURE_BYTES}`);
  const end = FIXED + h + s;
  for (let i = end; i < b.length; i++) if (b[i] !== 0) throw malformed(`byte ${i} of the padding is not zero`);
  return { header: b.subarray(FIXED, FIXED + h), signature: b.subarray(FIXED + h, end) };
}

export function buildSignatureBlock(block: SignatureBlock): Buffer {
  if (block.header.length < 1 || block.header.length > MAX_SIGNED_HEADER_BYTES) throw malformed(`header length ${block.header.length} is outside 1..${MAX_SIGNED_HEADER_BYTES}`);
  if (block.signature.length < 1 || block.signature.length > MAX_SIGNATURE_BYTES) throw malformed(`signature length ${block.signature.length} is outside 1..${MAX_SIGNATURE_BYTES}`);
  const out = Buffer.alloc(SIGNATURE_BLOCK_SIZE);
  SIGNATURE_BLOCK_MAGIC.copy(out, 0);
  out.writeUInt16LE(block.header.length, 8);
  out.writeUInt16LE(block.signature.length, 10);
  out.set(block.header, FIXED);
  out.set(block.signature, FIXED + block.header.length);
  return out;
}
