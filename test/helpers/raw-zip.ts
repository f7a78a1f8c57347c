import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A deliberately dumb zip writer for tests: it writes exactly what it is told, including every defect
 * the strict reader must refuse (archiver silently fixes or accepts some of them).
 */
export interface RawEntry {
  name: string;
  /** Uncompressed content. */
  data?: Buffer | string;
  method?: number;
  /** Bytes stored as the entry's data (default: data, deflated when method is 8). */
  stored?: Buffer;
  flags?: number;
  crc?: number;
  size?: number;
  compressedSize?: number;
  madeBy?: number;
  external?: number;
  extra?: Buffer;
  comment?: string;
  /** Raw name bytes, overriding the UTF-8 encoding of name. */
  rawName?: Buffer;
  /** Write a data descriptor (sets flag 0x8 and zero sizes in the local header). */
  descriptor?: boolean;
  /** Fields that differ in the local header only. */
  local?: { name?: string; flags?: number; method?: number; crc?: number; size?: number; compressedSize?: number; extra?: Buffer };
  /** Central-directory local header offset override. */
  offset?: number;
}

export interface RawZipOptions {
  comment?: Buffer | string;
  prefix?: Buffer;
  /** Bytes inserted between the last entry and the central directory. */
  gap?: Buffer;
  suffix?: Buffer;
  /** Fix the recorded offsets for the prefix (as self-extracting archives do). */
  adjustOffsetsForPrefix?: boolean;
  entryCount?: number;
  /** Overrides written into the end record. */
  end?: { disk?: number; directoryOffset?: number; directorySize?: number };
  /** Bytes written before the end record (e.g. a fake ZIP64 locator). */
  beforeEnd?: Buffer;
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

export function rawZip(entries: RawEntry[], options: RawZipOptions = {}): Buffer {
  const prefix = options.prefix ?? Buffer.alloc(0);
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const method = e.method ?? 8;
    const stored = e.stored ?? (method === 8 ? deflateRawSync(data) : data);
    const flags = (e.flags ?? 0x800) | (e.descriptor ? 0x8 : 0);
    const crc = e.crc ?? crc32(data) >>> 0;
    const size = e.size ?? data.length;
    const csize = e.compressedSize ?? stored.length;
    const nameBytes = e.rawName ?? Buffer.from(e.name, 'utf8');
    const l = e.local ?? {};
    const localName = l.name === undefined ? nameBytes : Buffer.from(l.name, 'utf8');
    const localExtra = l.extra ?? e.extra ?? Buffer.alloc(0);
    const local = Buffer.concat([
      u32(0x04034b50),
      u16(20),
      u16(l.flags ?? flags),
      u16(l.method ?? method),
      u16(0),
      u16(0x21),
      u32(e.descriptor ? 0 : (l.crc ?? crc)),
      u32(e.descriptor ? 0 : (l.compressedSize ?? csize)),
      u32(e.descriptor ? 0 : (l.size ?? size)),
      u16(localName.length),
      u16(localExtra.length),
      localName,
      localExtra,
      stored,
      e.descriptor ? Buffer.concat([u32(0x08074b50), u32(l.crc ?? crc), u32(l.compressedSize ?? csize), u32(l.size ?? size)]) : Buffer.alloc(0),
    ]);
    const recorded = e.offset ?? offset + (options.adjustOffsetsForPrefix ? prefix.length : 0);
    const extra = e.extra ?? Buffer.alloc(0);
    const comment = Buffer.from(e.comment ?? '');
    central.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(e.madeBy ?? 0x031e),
        u16(20),
        u16(flags),
        u16(method),
        u16(0),
        u16(0x21),
        u32(crc),
        u32(csize),
        u32(size),
        u16(nameBytes.length),
        u16(extra.length),
        u16(comment.length),
        u16(0),
        u16(0),
        u32(e.external ?? (0o100644 << 16) >>> 0),
        u32(recorded),
        nameBytes,
        extra,
        comment,
      ]),
    );
    parts.push(local);
    offset += local.length;
  }
  const gap = options.gap ?? Buffer.alloc(0);
  const directory = Buffer.concat(central);
  const directoryOffset = options.end?.directoryOffset ?? offset + gap.length + (options.adjustOffsetsForPrefix ? prefix.length : 0);
  const comment = Buffer.from(options.comment ?? '');
  const count = options.entryCount ?? entries.length;
  const end = Buffer.concat([
    u32(0x06054b50),
    u16(options.end?.disk ?? 0),
    u16(0),
    u16(count),
    u16(count),
    u32(options.end?.directorySize ?? directory.length),
    u32(directoryOffset),
    u16(comment.length),
    comment,
  ]);
  return Buffer.concat([prefix, ...parts, gap, directory, options.beforeEnd ?? Buffer.alloc(0), end, options.suffix ?? Buffer.alloc(0)]);
}

export const MANIFEST = {
  id: 'com.partner.loans',
  version: '2.3.1',
  minHostVersion: '3.0.0',
  entryPoint: 'index.html',
  permissions: ['payment'],
  allowedDomains: ['api.partner.com'],
  name: 'Loans',
};

/** A small valid package: manifest, entry point and a script. */
export function validPackage(manifest: Record<string, unknown> = MANIFEST, extra: RawEntry[] = []): Buffer {
  return rawZip([
    { name: 'manifest.json', data: JSON.stringify(manifest, null, 2) },
    { name: 'index.html', data: '<!doctype html><title>Loans</title><script src="app.js"></script>' },
    { name: 'app.js', data: 'MiniAppBridge.call("payment.request", { amount: 1 });\n'.repeat(20) },
    ...extra,
  ]);
}
