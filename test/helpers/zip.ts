import { crc32, inflateRawSync } from 'node:zlib';

export interface ReadEntry {
  name: string;
  data: Buffer;
  method: number;
  flags: number;
  dosTime: number;
  dosDate: number;
  madeBy: number;
  externalAttributes: number;
  extraLength: number;
}

/**
 * A tiny independent zip reader for tests: walks the central directory, checks each local header agrees
 * and each CRC matches. It is deliberately not the toolchain's reader, so the writer is tested against
 * the format, not against itself.
 */
export function readZip(bytes: Uint8Array): ReadEntry[] {
  const buf = Buffer.from(bytes);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const out: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central header');
    const madeBy = buf.readUInt16LE(at + 4);
    const flags = buf.readUInt16LE(at + 8);
    const method = buf.readUInt16LE(at + 10);
    const dosTime = buf.readUInt16LE(at + 12);
    const dosDate = buf.readUInt16LE(at + 14);
    const crc = buf.readUInt32LE(at + 16);
    const csize = buf.readUInt32LE(at + 20);
    const size = buf.readUInt32LE(at + 24);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
    const externalAttributes = buf.readUInt32LE(at + 38);
    const offset = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    if (buf.readUInt32LE(offset) !== 0x04034b50) throw new Error('bad local header');
    const localName = buf.subarray(offset + 30, offset + 30 + buf.readUInt16LE(offset + 26)).toString('utf8');
    if (localName !== name) throw new Error('local and central names differ');
    const dataStart = offset + 30 + buf.readUInt16LE(offset + 26) + buf.readUInt16LE(offset + 28);
    const raw = buf.subarray(dataStart, dataStart + csize);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    if (data.length !== size || crc32(data) >>> 0 !== crc) throw new Error(`bad data for ${name}`);
    out.push({ name, data, method, flags, dosTime, dosDate, madeBy, externalAttributes, extraLength: extraLength + buf.readUInt16LE(offset + 28) });
    at += 46 + nameLen + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return out;
}
