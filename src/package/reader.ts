import { zlib } from '../core/builtins.js';
import { MiniappError, type ErrorCode } from '../core/errors/index.js';
import { resolveLimits, type PackageLimits } from './limits.js';
import { collisionKey, explainUnsafePackagePath } from '../format/paths.js';
import { hasSignatureMagic, parseSignatureBlock, SIGNATURE_BLOCK_SIZE, type SignatureBlock } from './signature-block.js';

/**
 * The strict package reader: the one zip parser every command uses (validate, sign, verify, inspect,
 * later install and run). It accepts only the plain subset of zip that `miniapp build` writes, so no two
 * readers (ours, a host's, a reviewer's unzip) can see different files in the same bytes. Every byte of
 * the file must belong to an entry, the central directory, the end record or the signature block.
 * It refuses the first defect it meets with a permanent PACKAGE_* code (docs/package-format.md).
 */

export interface PackageEntry {
  name: string;
  /** Uncompressed size, as declared by the central directory. */
  size: number;
  compressedSize: number;
  /** CRC-32 as declared, unsigned. */
  crc32: number;
  method: 'stored' | 'deflate';
  /** Offset of the local header in the package. */
  offset: number;
  /** Offset of the entry's (compressed) data. */
  dataOffset: number;
}

export interface ZipPackage {
  /** Length of the whole package file. */
  byteLength: number;
  entries: readonly PackageEntry[];
  /** Sum of the entries' uncompressed sizes. */
  totalSize: number;
  /** Present when the package ends with a miniapp signature block. */
  signatureBlock?: SignatureBlock;
  /**
   * Length of the archive prefix a signature covers: everything up to, not including, the end record's
   * comment-length field (end-record offset + 20).
   */
  signedArchiveLength: number;
  entry(name: string): PackageEntry | undefined;
  /** Reads one entry: inflation stops at the declared size; size and CRC-32 are checked. */
  read(entry: PackageEntry | string): Uint8Array;
  /** Same as read, inflating on libuv's thread pool so many packages can be checked in parallel. */
  readAsync(entry: PackageEntry | string): Promise<Uint8Array>;
  /** Reads every entry, checking sizes and CRC-32s (what a host does while extracting). */
  checkEntries(): Promise<void>;
}

const SIG = { local: 0x04034b50, central: 0x02014b50, end: 0x06054b50, zip64Locator: 0x07064b50, descriptor: 0x08074b50 };
const END_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const FLAG = { encrypted: 0x1, descriptor: 0x8, strongEncryption: 0x40, utf8: 0x800, maskedHeader: 0x2000 };
/** Deflate options (bits 1, 2), data descriptor (3) and UTF-8 names (11); any other flag is refused. */
const ALLOWED_FLAGS = 0x2 | 0x4 | FLAG.descriptor | FLAG.utf8;
const EXTRA = { zip64: 0x0001, unicodePath: 0x7075 };
const MAX_COMMENT_SCAN = 0xffff + END_SIZE;

const fail = (code: ErrorCode, args: Record<string, unknown> = {}): never => {
  throw new MiniappError(code, args);
};

/** Bounds-checked little-endian reads: a short file is a coded error, never a RangeError. */
class View {
  constructor(readonly b: Buffer) {}
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || offset + length > this.b.length) fail('PACKAGE_MALFORMED', { reason: `${what} runs past the end of the file` });
  }
  u16(o: number): number {
    return this.b.readUInt16LE(o);
  }
  u32(o: number): number {
    return this.b.readUInt32LE(o);
  }
}

interface EndRecord {
  offset: number;
  entryCount: number;
  directorySize: number;
  directoryOffset: number;
  signatureBlock?: SignatureBlock;
}

function locateEndRecord(v: View): EndRecord {
  const len = v.b.length;
  if (len < END_SIZE) fail('PACKAGE_NOT_ZIP', { reason: `it is only ${len} bytes long` });
  let offset = -1;
  let signatureBlock: SignatureBlock | undefined;
  const signedAt = len - END_SIZE - SIGNATURE_BLOCK_SIZE;
  if (signedAt >= 0 && v.u32(signedAt) === SIG.end && v.u16(signedAt + 20) === SIGNATURE_BLOCK_SIZE) {
    const comment = v.b.subarray(len - SIGNATURE_BLOCK_SIZE);
    if (!hasSignatureMagic(comment)) fail('PACKAGE_FOREIGN_COMMENT', { length: SIGNATURE_BLOCK_SIZE });
    signatureBlock = parseSignatureBlock(comment);
    offset = signedAt;
  } else if (v.u32(len - END_SIZE) === SIG.end && v.u16(len - 2) === 0) {
    offset = len - END_SIZE;
  } else {
    diagnoseEndRecord(v);
  }
  if (offset >= 20 && v.u32(offset - 20) === SIG.zip64Locator) fail('PACKAGE_ZIP64', { reason: 'it has a ZIP64 end-of-central-directory locator' });
  const disk = v.u16(offset + 4);
  const directoryDisk = v.u16(offset + 6);
  const onDisk = v.u16(offset + 8);
  const entryCount = v.u16(offset + 10);
  const directorySize = v.u32(offset + 12);
  const directoryOffset = v.u32(offset + 16);
  if (entryCount === 0xffff || onDisk === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    fail('PACKAGE_ZIP64', { reason: 'the end record defers to a ZIP64 record' });
  }
  if (disk !== 0 || directoryDisk !== 0 || onDisk !== entryCount) fail('PACKAGE_UNSUPPORTED_FEATURE', { reason: 'the archive spans several disks' });
  return { offset, entryCount, directorySize, directoryOffset, signatureBlock };
}

/** The end record is not where a well-formed package has it: say precisely why. */
function diagnoseEndRecord(v: View): never {
  const len = v.b.length;
  const lowest = Math.max(0, len - MAX_COMMENT_SCAN);
  for (let at = len - END_SIZE; at >= lowest; at--) {
    if (v.b[at] !== 0x50 || v.u32(at) !== SIG.end) continue;
    const end = at + END_SIZE + v.u16(at + 20);
    if (end === len) fail('PACKAGE_FOREIGN_COMMENT', { length: v.u16(at + 20) });
    if (end < len) fail('PACKAGE_TRAILING_BYTES', { count: len - end });
  }
  return fail('PACKAGE_NOT_ZIP', { reason: 'it has no zip end-of-central-directory record' });
}

interface ExtraFields {
  ids: Set<number>;
}

function parseExtra(v: View, start: number, length: number, entry: string): ExtraFields {
  const ids = new Set<number>();
  let p = start;
  const end = start + length;
  while (p < end) {
    if (p + 4 > end) fail('PACKAGE_MALFORMED', { entry, reason: 'its extra field is truncated' });
    const id = v.u16(p);
    const size = v.u16(p + 2);
    if (p + 4 + size > end) fail('PACKAGE_MALFORMED', { entry, reason: `its extra field 0x${id.toString(16)} runs past its end` });
    ids.add(id);
    p += 4 + size;
  }
  if (ids.has(EXTRA.zip64)) fail('PACKAGE_ZIP64', { entry, reason: 'it has a ZIP64 extra field' });
  if (ids.has(EXTRA.unicodePath)) fail('PACKAGE_UNSAFE_NAME', { entry, reason: 'carries a second name in an Info-ZIP Unicode path extra field (0x7075)' });
  return { ids };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const lossy = new TextDecoder('utf-8');

function decodeName(raw: Buffer, flags: number): string {
  const printable = lossy.decode(raw);
  const ascii = raw.every((c) => c < 0x80);
  if (!ascii && !(flags & FLAG.utf8)) fail('PACKAGE_UNSAFE_NAME', { entry: printable, reason: 'has non-ASCII bytes without the UTF-8 flag, so its encoding is ambiguous' });
  try {
    return utf8.decode(raw);
  } catch {
    return fail('PACKAGE_UNSAFE_NAME', { entry: printable, reason: 'is not valid UTF-8' });
  }
}

const S_IFMT = 0o170000;
const FILE_KINDS: Record<number, string> = { 0o040000: 'directory', 0o120000: 'symbolic link', 0o020000: 'character device', 0o060000: 'block device', 0o010000: 'FIFO', 0o140000: 'socket' };

function checkRegularFile(name: string, madeBy: number, external: number): void {
  const unixMode = madeBy >> 8 === 3 ? external >>> 16 : 0;
  const type = unixMode & S_IFMT;
  if (type !== 0 && type !== 0o100000) fail('PACKAGE_NOT_REGULAR_FILE', { entry: name, kind: FILE_KINDS[type] ?? 'special file' });
  if (external & 0x10 || name.endsWith('/')) fail('PACKAGE_NOT_REGULAR_FILE', { entry: name, kind: 'directory' });
}

/** Names must stay distinct after case folding and NFC, and no file may also be a folder of another. */
class NameRegistry {
  private files = new Map<string, string>();
  private folders = new Map<string, string>();
  add(name: string): void {
    const key = collisionKey(name);
    const same = this.files.get(key);
    if (same !== undefined) {
      fail('PACKAGE_DUPLICATE_NAME', { entry: name, other: same, reason: same === name ? 'appears twice: it has the same name as' : 'differs only in letter case or Unicode normalisation from' });
    }
    const inside = this.folders.get(key);
    if (inside !== undefined) fail('PACKAGE_DUPLICATE_NAME', { entry: name, other: inside, reason: 'is a file but also the folder of' });
    const segments = name.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folderKey = collisionKey(segments.slice(0, i).join('/'));
      const file = this.files.get(folderKey);
      if (file !== undefined) fail('PACKAGE_DUPLICATE_NAME', { entry: name, other: file, reason: 'needs a folder with the name of the file' });
      if (!this.folders.has(folderKey)) this.folders.set(folderKey, name);
    }
    this.files.set(key, name);
  }
}

interface Span {
  start: number;
  end: number;
  name: string;
}

function readCentralEntry(v: View, p: number, limits: PackageLimits, names: NameRegistry): { entry: PackageEntry; next: number; flags: number; rawName: Buffer } {
  v.need(p, CENTRAL_SIZE, 'a central directory record');
  if (v.u32(p) !== SIG.central) fail('PACKAGE_MALFORMED', { reason: `no central directory record at offset ${p}` });
  const madeBy = v.u16(p + 4);
  const flags = v.u16(p + 8);
  const methodId = v.u16(p + 10);
  const crc = v.u32(p + 16);
  const compressedSize = v.u32(p + 20);
  const size = v.u32(p + 24);
  const nameLength = v.u16(p + 28);
  const extraLength = v.u16(p + 30);
  const commentLength = v.u16(p + 32);
  const diskStart = v.u16(p + 34);
  const external = v.u32(p + 38);
  const offset = v.u32(p + 42);
  v.need(p + CENTRAL_SIZE, nameLength + extraLength + commentLength, 'a central directory record');
  const rawName = v.b.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength);
  const name = decodeName(rawName, flags);
  if (flags & (FLAG.encrypted | FLAG.strongEncryption | FLAG.maskedHeader) || methodId === 99) fail('PACKAGE_ENCRYPTED', { entry: name });
  if (compressedSize === 0xffffffff || size === 0xffffffff || offset === 0xffffffff || diskStart === 0xffff)
    fail('PACKAGE_ZIP64', { entry: name, reason: 'its sizes or offset defer to a ZIP64 field' });
  parseExtra(v, p + CENTRAL_SIZE + nameLength, extraLength, name);
  if (commentLength > 0) fail('PACKAGE_FOREIGN_COMMENT', { entry: name, length: commentLength });
  if (methodId !== 0 && methodId !== 8) fail('PACKAGE_UNSUPPORTED_METHOD', { entry: name, method: methodId });
  if (flags & ~ALLOWED_FLAGS) fail('PACKAGE_UNSUPPORTED_FEATURE', { entry: name, reason: `it uses general-purpose flags 0x${(flags & ~ALLOWED_FLAGS).toString(16)}` });
  if (diskStart !== 0) fail('PACKAGE_UNSUPPORTED_FEATURE', { entry: name, reason: 'it starts on another disk' });
  checkRegularFile(name, madeBy, external);
  const unsafe = explainUnsafePackagePath(name);
  if (unsafe) fail('PACKAGE_UNSAFE_NAME', { entry: name, reason: unsafe });
  names.add(name);
  if (methodId === 0 && compressedSize !== size) fail('PACKAGE_SIZE_MISMATCH', { entry: name, reason: `it is stored, yet its compressed size ${compressedSize} differs from its size ${size}` });
  if (size > limits.maxEntryBytes) fail('PACKAGE_LIMIT_EXCEEDED', { entry: name, what: 'its uncompressed size', value: size, limit: limits.maxEntryBytes });
  if (size > limits.ratioCheckFromBytes && size > compressedSize * limits.maxCompressionRatio) {
    fail('PACKAGE_LIMIT_EXCEEDED', {
      entry: name,
      what: 'its compression ratio',
      value: compressedSize === 0 ? 'unbounded' : `${Math.round(size / compressedSize)}:1`,
      limit: `${limits.maxCompressionRatio}:1`,
    });
  }
  const entry: PackageEntry = { name, size, compressedSize, crc32: crc, method: methodId === 0 ? 'stored' : 'deflate', offset, dataOffset: -1 };
  return { entry, next: p + CENTRAL_SIZE + nameLength + extraLength + commentLength, flags, rawName };
}

/** Checks an entry's local header against the central record; returns the bytes the entry occupies. */
function checkLocalHeader(v: View, entry: PackageEntry, flags: number, rawName: Buffer, directoryOffset: number): Span {
  const { name, offset } = entry;
  if (offset + LOCAL_SIZE > directoryOffset) fail('PACKAGE_OVERLAPPING_ENTRIES', { entry: name });
  if (v.u32(offset) !== SIG.local) fail('PACKAGE_MALFORMED', { entry: name, reason: `no local header at offset ${offset}` });
  const mismatch = (field: string, local: unknown, central: unknown) => fail('PACKAGE_HEADER_MISMATCH', { entry: name, field, local, central });
  const localFlags = v.u16(offset + 6);
  const method = v.u16(offset + 8);
  const nameLength = v.u16(offset + 26);
  const extraLength = v.u16(offset + 28);
  if (localFlags !== flags) mismatch('flags', `0x${localFlags.toString(16)}`, `0x${flags.toString(16)}`);
  if (method !== (entry.method === 'stored' ? 0 : 8)) mismatch('compression method', method, entry.method === 'stored' ? 0 : 8);
  v.need(offset + LOCAL_SIZE, nameLength + extraLength, 'a local header');
  const localName = v.b.subarray(offset + LOCAL_SIZE, offset + LOCAL_SIZE + nameLength);
  if (!localName.equals(rawName)) mismatch('name', JSON.stringify(lossy.decode(localName)), JSON.stringify(name));
  parseExtra(v, offset + LOCAL_SIZE + nameLength, extraLength, name);
  const declared: Array<[string, number, number]> = [
    ['CRC-32', v.u32(offset + 14), entry.crc32],
    ['compressed size', v.u32(offset + 18), entry.compressedSize],
    ['size', v.u32(offset + 22), entry.size],
  ];
  for (const [field, local, central] of declared) {
    // With a data descriptor the local header may leave these zero; the descriptor must then agree.
    if (local !== central && !(flags & FLAG.descriptor && local === 0)) mismatch(field, local, central);
  }
  entry.dataOffset = offset + LOCAL_SIZE + nameLength + extraLength;
  let end = entry.dataOffset + entry.compressedSize;
  if (end > directoryOffset) fail('PACKAGE_OVERLAPPING_ENTRIES', { entry: name });
  if (flags & FLAG.descriptor) {
    v.need(end, 12, 'a data descriptor');
    const signed = v.u32(end) === SIG.descriptor && end + 16 <= directoryOffset && v.u32(end + 4) === entry.crc32;
    const at = signed ? end + 4 : end;
    v.need(at, 12, 'a data descriptor');
    const descriptor: Array<[string, number, number]> = [
      ['data descriptor CRC-32', v.u32(at), entry.crc32],
      ['data descriptor compressed size', v.u32(at + 4), entry.compressedSize],
      ['data descriptor size', v.u32(at + 8), entry.size],
    ];
    for (const [field, local, central] of descriptor) if (local !== central) mismatch(field, local, central);
    end = at + 12;
    if (end > directoryOffset) fail('PACKAGE_OVERLAPPING_ENTRIES', { entry: name });
  }
  return { start: offset, end, name };
}

/** Every byte before the central directory belongs to exactly one entry, in order, from offset 0. */
function checkCoverage(spans: Span[], directoryOffset: number): void {
  spans.sort((a, b) => a.start - b.start);
  let expected = 0;
  let previous: Span | undefined;
  for (const span of spans) {
    if (span.start > expected) {
      if (!previous) fail('PACKAGE_LEADING_BYTES', { count: span.start });
      fail('PACKAGE_UNACCOUNTED_BYTES', { offset: expected, count: span.start - expected });
    }
    if (span.start < expected) fail('PACKAGE_OVERLAPPING_ENTRIES', { entry: span.name, other: previous!.name });
    expected = span.end;
    previous = span;
  }
  if (expected < directoryOffset) {
    if (!previous) fail('PACKAGE_LEADING_BYTES', { count: directoryOffset });
    fail('PACKAGE_UNACCOUNTED_BYTES', { offset: expected, count: directoryOffset - expected });
  }
}

export function readPackage(bytes: Uint8Array, limitOverrides: Partial<PackageLimits> = {}): ZipPackage {
  const limits = resolveLimits(limitOverrides);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length > limits.maxPackageBytes) fail('PACKAGE_LIMIT_EXCEEDED', { what: 'the package size', value: b.length, limit: limits.maxPackageBytes });
  const v = new View(b);
  const end = locateEndRecord(v);
  checkDirectoryPlacement(v, end, limits);
  const { entries, totalSize } = readDirectory(v, end, limits);
  return packageHandle(b, end, entries, totalSize);
}

/** The central directory ends where the end record starts, and is big enough for its entry count. */
function checkDirectoryPlacement(v: View, end: EndRecord, limits: PackageLimits): void {
  if (end.entryCount > limits.maxEntries) fail('PACKAGE_LIMIT_EXCEEDED', { what: 'the entry count', value: end.entryCount, limit: limits.maxEntries });
  const directoryEnd = end.directoryOffset + end.directorySize;
  if (directoryEnd !== end.offset) {
    const shift = end.offset - directoryEnd;
    const realStart = end.offset - end.directorySize;
    // The usual prepended-bytes case: offsets were written for the zip alone, so all of them are short.
    if (shift > 0 && realStart >= 0 && v.u32(realStart) === SIG.central) fail('PACKAGE_LEADING_BYTES', { count: shift });
    if (shift > 0) fail('PACKAGE_UNACCOUNTED_BYTES', { offset: directoryEnd, count: shift });
    fail('PACKAGE_MALFORMED', { reason: 'the central directory runs into the end record' });
  }
  if (end.directorySize < end.entryCount * CENTRAL_SIZE) fail('PACKAGE_MALFORMED', { reason: 'the central directory is too small for its entry count' });
}

/** Every central record, each checked against its local header; every byte before the directory accounted for. */
function readDirectory(v: View, end: EndRecord, limits: PackageLimits): { entries: PackageEntry[]; totalSize: number } {
  const directoryEnd = end.directoryOffset + end.directorySize;
  const names = new NameRegistry();
  const entries: PackageEntry[] = [];
  const spans: Span[] = [];
  let totalSize = 0;
  let p = end.directoryOffset;
  for (let i = 0; i < end.entryCount; i++) {
    const { entry, next, flags, rawName } = readCentralEntry(v, p, limits, names);
    if (next > directoryEnd) fail('PACKAGE_MALFORMED', { entry: entry.name, reason: 'its central record runs past the central directory' });
    totalSize += entry.size;
    if (totalSize > limits.maxTotalBytes) fail('PACKAGE_LIMIT_EXCEEDED', { what: 'the total uncompressed size', value: totalSize, limit: limits.maxTotalBytes });
    spans.push(checkLocalHeader(v, entry, flags, rawName, end.directoryOffset));
    entries.push(entry);
    p = next;
  }
  if (p !== directoryEnd) fail('PACKAGE_UNACCOUNTED_BYTES', { offset: p, count: directoryEnd - p });
  checkCoverage(spans, end.directoryOffset);
  return { entries, totalSize };
}

/** The checked package: its entries, and reads that inflate one entry and check its size and CRC. */
function packageHandle(b: Buffer, end: EndRecord, entries: PackageEntry[], totalSize: number): ZipPackage {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const resolve = (e: PackageEntry | string): PackageEntry => {
    const found = typeof e === 'string' ? byName.get(e) : e;
    if (!found) return fail('PACKAGE_ENTRY_NOT_FOUND', { entry: e });
    return found;
  };
  const compressed = (e: PackageEntry) => b.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
  const pkg: ZipPackage = {
    byteLength: b.length,
    entries,
    totalSize,
    signatureBlock: end.signatureBlock,
    signedArchiveLength: end.offset + 20,
    entry: (name) => byName.get(name),
    read(e) {
      const entry = resolve(e);
      if (entry.method === 'stored') return checkContent(entry, compressed(entry));
      let inflated: InflateResult;
      try {
        inflated = zlib().inflateRawSync(compressed(entry), inflateOptions(entry)) as unknown as InflateResult;
      } catch (err) {
        throw inflateError(entry, err);
      }
      return checkInflated(entry, inflated);
    },
    readAsync(e) {
      const entry = resolve(e);
      if (entry.method === 'stored') return Promise.resolve().then(() => checkContent(entry, compressed(entry)));
      return new Promise((resolvePromise, reject) => {
        zlib().inflateRaw(compressed(entry), inflateOptions(entry), (err, out) => {
          if (err) reject(inflateError(entry, err));
          else {
            try {
              resolvePromise(checkInflated(entry, out as unknown as InflateResult));
            } catch (checkErr) {
              reject(checkErr);
            }
          }
        });
      });
    },
    async checkEntries() {
      // A few at a time: inflation runs on the thread pool, and memory stays bounded by a few entries.
      const queue = [...entries];
      const worker = async () => {
        for (let e = queue.shift(); e; e = queue.shift()) await pkg.readAsync(e);
      };
      await Promise.all([worker(), worker()]);
    },
  };
  return pkg;
}

/** Output capped at the declared size; one output chunk for most entries, so no concatenation copy. */
const inflateOptions = (entry: PackageEntry) => ({ maxOutputLength: Math.max(1, entry.size), chunkSize: Math.max(64, Math.min(entry.size + 64, 4 * 1024 * 1024)), info: true });

/** With `info`, zlib also hands back its engine, whose bytesWritten is how much compressed input the stream used. */
interface InflateResult {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/**
 * The deflate stream must end exactly at the entry's compressed size: bytes after its final block are
 * signed bytes that no unzip shows, and stricter inflaters refuse them.
 */
function checkInflated(entry: PackageEntry, inflated: InflateResult): Uint8Array {
  const used = inflated.engine.bytesWritten;
  if (used !== entry.compressedSize) {
    fail('PACKAGE_MALFORMED', { entry: entry.name, reason: `its deflate stream ends after ${used} of its ${entry.compressedSize} compressed bytes` });
  }
  return checkContent(entry, inflated.buffer);
}

function checkContent(entry: PackageEntry, data: Uint8Array): Uint8Array {
  if (data.length !== entry.size) fail('PACKAGE_SIZE_MISMATCH', { entry: entry.name, reason: `it inflates to ${data.length} bytes, the directory says ${entry.size}` });
  const actual = zlib().crc32(data) >>> 0;
  if (actual !== entry.crc32) fail('PACKAGE_CRC_MISMATCH', { entry: entry.name, actual: hex32(actual), expected: hex32(entry.crc32) });
  return data;
}

function inflateError(entry: PackageEntry, err: unknown): MiniappError {
  if (err instanceof MiniappError) return err;
  if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
    return new MiniappError('PACKAGE_SIZE_MISMATCH', { entry: entry.name, reason: `it inflates to more than its declared ${entry.size} bytes` }, { cause: err });
  }
  return new MiniappError('PACKAGE_MALFORMED', { entry: entry.name, reason: `its deflate data is corrupt (${(err as Error).message})` }, { cause: err });
}

const hex32 = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
