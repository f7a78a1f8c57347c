import { describe, expect, it } from 'vitest';
import { checkPackageEntries, createZip, DEFAULT_MTIME, packageTimestamp } from '../../src/package/writer.js';
import { readZip } from '../helpers/zip.js';

const enc = (s: string) => new TextEncoder().encode(s);
const entries = () => [
  { name: 'index.html', data: enc('<!doctype html>'.repeat(20)) },
  { name: 'manifest.json', data: enc('{"id":"com.a.b"}') },
  { name: 'assets/a.js', data: enc('console.log(1);'.repeat(50)) },
  { name: 'img/noise.bin', data: new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + (i >> 3) * 104729) % 251)) },
];

describe('deterministic package writer', () => {
  it('writes a valid zip with sorted entries, one fixed timestamp, 0644 files, UTF-8 names and no extra fields', async () => {
    const zip = await createZip(entries());
    const read = readZip(zip.bytes);
    expect(read.map((e) => e.name)).toEqual(['assets/a.js', 'img/noise.bin', 'index.html', 'manifest.json']);
    for (const e of read) {
      expect(e.extraLength).toBe(0);
      expect(e.flags & 0x0800).toBe(0x0800);
      expect(e.flags & 0x0008).toBe(0); // no data descriptor
      expect(e.externalAttributes >>> 16).toBe(0o100644);
      expect(e.madeBy >> 8).toBe(3);
      expect(e.dosDate).toBe((1 << 5) | 1); // 1980-01-01
      expect(e.dosTime).toBe(0);
    }
    expect(read.find((e) => e.name === 'assets/a.js')!.method).toBe(8);
    expect(read.find((e) => e.name === 'manifest.json')!.data.toString()).toBe('{"id":"com.a.b"}');
  });

  it('is byte-identical for the same files in any input order', async () => {
    const a = await createZip(entries());
    const b = await createZip(entries().reverse());
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it('uses SOURCE_DATE_EPOCH for the timestamp when set', async () => {
    expect(packageTimestamp({})).toEqual(DEFAULT_MTIME);
    const when = packageTimestamp({ SOURCE_DATE_EPOCH: String(Date.UTC(2024, 5, 15, 12, 30, 10) / 1000) });
    const e = readZip((await createZip(entries(), { mtime: when })).bytes)[0]!;
    expect(e.dosDate).toBe(((2024 - 1980) << 9) | (6 << 5) | 15);
    expect(e.dosTime).toBe((12 << 11) | (30 << 5) | 5);
    expect(() => packageTimestamp({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(/SOURCE_DATE_EPOCH/);
  });

  it('stores entries that would not shrink', async () => {
    const random = new Uint8Array(2048);
    for (let i = 0; i < random.length; i++) random[i] = Math.floor(Math.random() * 256);
    const zip = await createZip([{ name: 'r.bin', data: random }]);
    expect(zip.entries[0]!.method).toBe('store');
    expect(readZip(zip.bytes)[0]!.data.equals(Buffer.from(random))).toBe(true);
    // Already-compressed formats are stored without trying.
    const png = await createZip([{ name: 'img/logo.png', data: new Uint8Array(4096) }]);
    expect(png.entries[0]!.method).toBe('store');
  });

  it.each([
    ['../evil.js', '".."'],
    ['/abs.js', 'absolute'],
    ['a\\b.js', 'backslash'],
    ['a\u0001b', 'control character'],
    ['c:/x.js', 'drive letter'],
    ['a//b', 'empty path segment'],
  ])('refuses the unsafe name %j, naming the file', async (name, reason) => {
    const problems = checkPackageEntries([{ name, data: enc('x'), source: `public/${name}` }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'BUILD_UNSAFE_PATH', file: `public/${name}` });
    expect(problems[0]!.message).toContain(reason);
    await expect(createZip([{ name, data: enc('x') }])).rejects.toMatchObject({ code: 'BUILD_FILES_REFUSED' });
  });

  it('refuses names that collide by case or Unicode normalisation, and a file that is also a folder', () => {
    const nfc = 'caf\u00e9.png';
    const nfd = 'cafe\u0301.png';
    const problems = checkPackageEntries([
      { name: 'Logo.png', data: enc('1') },
      { name: 'logo.png', data: enc('2') },
      { name: nfc, data: enc('3') },
      { name: nfd, data: enc('4') },
      { name: 'img', data: enc('5') },
      { name: 'img/a.png', data: enc('6') },
    ]);
    expect(problems.map((p) => [p.code, p.file])).toEqual([
      ['BUILD_PATH_COLLISION', 'logo.png'],
      ['BUILD_PATH_COLLISION', nfd],
      ['BUILD_PATH_COLLISION', 'img'],
    ]);
  });
});
