import { zlib } from '../core/builtins.js';
import { diagnostic, MiniappError, type Diagnostic } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { collisionKey, explainUnsafePackagePath } from '../format/paths.js';

const deflateRaw = (data: Uint8Array, options: import('node:zlib').ZlibOptions) =>
  new Promise<Buffer>((resolve, reject) => zlib().deflateRaw(data, options, (err, out) => (err ? reject(err) : resolve(out))));

/** One file of a package: its name inside the zip and its bytes. */
export interface PackageEntry {
  name: string;
  data: Uint8Array;
  /** Where it came from on disk, for messages (defaults to the name). */
  source?: string;
}

export interface ZipEntryInfo {
  name: string;
  /** Uncompressed bytes. */
  size: number;
  /** Bytes stored in the zip for this entry's data. */
  compressedSize: number;
  method: 'store' | 'deflate';
  crc32: number;
}

export interface ZipOptions {
  /** The timestamp every entry carries (default: SOURCE_DATE_EPOCH semantics are the caller's; this default is 1980-01-01T00:00:00Z). */
  mtime?: Date;
  /** zlib level 1-9 (default 6). */
  level?: number;
}

export interface Zip {
  bytes: Uint8Array;
  entries: ZipEntryInfo[];
}

/** The fixed timestamp used when SOURCE_DATE_EPOCH is not set: the DOS epoch, the earliest a zip can hold. */
export const DEFAULT_MTIME = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

/** The timestamp for package entries: SOURCE_DATE_EPOCH (seconds, the reproducible-builds convention) or the constant. */
export function packageTimestamp(env: Readonly<Record<string, string | undefined>>): Date {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw.trim() === '') return DEFAULT_MTIME;
  if (!/^\d+$/.test(raw.trim())) throw new MiniappError('SOURCE_DATE_EPOCH_INVALID', { value: raw });
  return new Date(Number(raw.trim()) * 1000);
}

/**
 * Refuses what the strict reader refuses: unsafe names (the shared rule in paths.ts), names that
 * collide once case and Unicode normalisation are folded, and a name used both as a file and a folder.
 * Returns every problem, each naming the file at fault.
 */
export function checkPackageEntries(entries: readonly PackageEntry[]): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const seen = new Map<string, PackageEntry>();
  const folders = new Map<string, PackageEntry>();
  for (const entry of entries) {
    const where = { file: entry.source ?? entry.name };
    const reason = explainUnsafePackagePath(entry.name);
    if (reason) {
      problems.push(diagnostic('BUILD_UNSAFE_PATH', { name: entry.name, reason }, where));
      continue;
    }
    const key = collisionKey(entry.name);
    const other = seen.get(key);
    if (other) {
      problems.push(diagnostic('BUILD_PATH_COLLISION', { name: entry.name, other: other.name }, where));
      continue;
    }
    seen.set(key, entry);
    const segments = key.split('/');
    for (let i = 1; i < segments.length; i++) {
      const folder = segments.slice(0, i).join('/');
      if (!folders.has(folder)) folders.set(folder, entry);
    }
  }
  for (const [key, entry] of seen) {
    const inside = folders.get(key);
    if (inside) problems.push(diagnostic('BUILD_PATH_COLLISION', { name: entry.name, other: inside.name, folder: true }, { file: entry.source ?? entry.name }));
  }
  return problems;
}

function dosDateTime(date: Date): { time: number; date: number } {
  // UTC fields, so the bytes do not depend on the build machine's time zone.
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  const clamped = year !== date.getUTCFullYear();
  return {
    time: clamped ? 0 : (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: clamped ? ((year - 1980) << 9) | (1 << 5) | 1 : ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

const UTF8_NAMES = 0x0800;
/** Formats that are compressed already: deflating them again costs time and saves nothing. */
const ALREADY_COMPRESSED = /\.(?:png|jpe?g|gif|webp|avif|woff2?|mp3|mp4|m4a|webm|ogg|zip|gz|br)$/i;
const UNIX_FILE_0644 = (0o100644 << 16) >>> 0;
const MAX_ZIP32 = 0xffffffff;

/**
 * Builds a deterministic zip in memory: entries sorted by name, one fixed timestamp, permissions
 * normalised to 0644, UTF-8 names, no extra fields (no host uid/gid or extended timestamps), no
 * comment, no data descriptors. Entries that do not shrink are stored. Compression runs on zlib's
 * thread pool, all entries at once.
 */
export async function createZip(input: readonly PackageEntry[], options: ZipOptions = {}): Promise<Zip> {
  const problems = checkPackageEntries(input);
  if (problems.length) throw new MiniappError('BUILD_FILES_REFUSED', { count: problems.length, first: problems[0]!.message }, { diagnostics: problems });
  const entries = [...input].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.length >= 0xffff) throw new MiniappError('BUILD_ZIP_LIMIT', { reason: `${entries.length} files` });
  const { time, date } = dosDateTime(options.mtime ?? DEFAULT_MTIME);
  const level = options.level ?? 6;
  const compressed = await Promise.all(
    entries.map(async (e) => {
      if (e.data.length < 64 || ALREADY_COMPRESSED.test(e.name)) return undefined;
      const out = await deflateRaw(e.data, { level });
      return out.length < e.data.length ? out : undefined;
    }),
  );

  const locals: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  const infos: ZipEntryInfo[] = [];
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const name = Buffer.from(e.name, 'utf8');
    const body = compressed[i] ?? e.data;
    const method = compressed[i] ? 8 : 0;
    const crc = zlib().crc32(e.data) >>> 0;
    if (e.data.length > MAX_ZIP32 || offset > MAX_ZIP32) throw new MiniappError('BUILD_ZIP_LIMIT', { reason: 'over 4 GB' });

    // The local header and the central directory record share one run of fields (version needed,
    // flags, method, time, date, CRC, sizes, name length), at offset 4 and 6 respectively.
    const shared = (b: Buffer, at: number) => {
      b.writeUInt16LE(20, at);
      b.writeUInt16LE(UTF8_NAMES, at + 2);
      b.writeUInt16LE(method, at + 4);
      b.writeUInt16LE(time, at + 6);
      b.writeUInt16LE(date, at + 8);
      b.writeUInt32LE(crc, at + 10);
      b.writeUInt32LE(body.length, at + 14);
      b.writeUInt32LE(e.data.length, at + 18);
      b.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30 + name.length); // extra length (28): 0
    local.writeUInt32LE(0x04034b50, 0);
    shared(local, 4);
    name.copy(local, 30);

    const cd = Buffer.alloc(46 + name.length);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix (so the mode below means 0644), spec 2.0
    shared(cd, 6);
    // extra length, comment length, disk number, internal attributes: all 0
    cd.writeUInt32LE(UNIX_FILE_0644, 38);
    cd.writeUInt32LE(offset, 42);
    name.copy(cd, 46);

    locals.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
    infos.push({ name: e.name, size: e.data.length, compressedSize: body.length, method: method ? 'deflate' : 'store', crc32: crc });
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  if (offset + cdSize > MAX_ZIP32) throw new MiniappError('BUILD_ZIP_LIMIT', { reason: 'over 4 GB' });
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return { bytes: Buffer.concat([...locals, ...central, end]), entries: infos };
}

/** Writes a package zip atomically (temp file, then rename): readers never see half a package. */
export async function writeZipFile(path: string, zip: Zip): Promise<void> {
  await writeFileAtomic(path, zip.bytes);
}
