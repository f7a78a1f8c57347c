import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZipArchive } from 'archiver';
import { MiniappError } from '../src/core/errors/index.js';
import { readPackage } from '../src/package/reader.js';
import { buildSignatureBlock } from '../src/package/signature-block.js';
import { rawZip, validPackage, type RawEntry, type RawZipOptions } from './helpers/raw-zip.js';
import { tempDir } from './helpers/temp.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MiniappError);
    return (err as MiniappError).code;
  }
  return 'accepted';
}

async function asyncCodeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MiniappError);
    return (err as MiniappError).code;
  }
  return 'accepted';
}

const file = (name: string, more: Partial<RawEntry> = {}): RawEntry => ({ name, data: `content of ${name}\n`, ...more });
const zip = (entries: RawEntry[], options?: RawZipOptions) => rawZip(entries, options);

describe('strict package reader: accepts', () => {
  it('a plain package, listing entries and reading them lazily', () => {
    const pkg = readPackage(validPackage());
    expect(pkg.entries.map((e) => e.name)).toEqual(['manifest.json', 'index.html', 'app.js']);
    const app = pkg.entry('app.js')!;
    expect(app.method).toBe('deflate');
    expect(app.compressedSize).toBeLessThan(app.size);
    expect(Buffer.from(pkg.read('app.js')).toString()).toContain('MiniAppBridge.call');
    expect(pkg.signatureBlock).toBeUndefined();
  });

  it('what archiver writes (data descriptors, unix modes), as `miniapp build` does', async () => {
    const a = new ZipArchive({ zlib: { level: 9 } });
    const chunks: Buffer[] = [];
    a.on('data', (c: Buffer) => chunks.push(c));
    a.append('{"a":1}', { name: 'manifest.json' });
    a.append(Buffer.alloc(5000, 7), { name: 'assets/zeros.bin', store: true });
    a.append('x'.repeat(3000), { name: 'assets/é.txt' });
    await a.finalize();
    const pkg = readPackage(Buffer.concat(chunks));
    expect(pkg.entries.map((e) => [e.name, e.method, e.size])).toEqual([
      ['manifest.json', 'deflate', 7],
      ['assets/zeros.bin', 'stored', 5000],
      ['assets/é.txt', 'deflate', 3000],
    ]);
    await pkg.checkEntries();
  });

  it('an empty file name list only when the directory is empty and at offset 0', () => {
    expect(readPackage(zip([])).entries).toEqual([]);
  });
});

describe('strict package reader: refuses each defect with its code', () => {
  const block = buildSignatureBlock({ header: Buffer.from('{}'), signature: Buffer.alloc(256, 1) });
  const cases: Array<[string, () => Buffer, string]> = [
    ['not a zip at all', () => Buffer.from('hello, this is not a zip archive at all'), 'PACKAGE_NOT_ZIP'],
    ['a file shorter than an end record', () => Buffer.alloc(5), 'PACKAGE_NOT_ZIP'],
    ['bytes before the first entry (offsets adjusted)', () => zip([file('a.txt')], { prefix: Buffer.from('#!/bin/sh\nexit\n'), adjustOffsetsForPrefix: true }), 'PACKAGE_LEADING_BYTES'],
    ['bytes before the first entry (offsets not adjusted)', () => zip([file('a.txt')], { prefix: Buffer.from('MZ....') }), 'PACKAGE_LEADING_BYTES'],
    ['bytes after the end record', () => zip([file('a.txt')], { suffix: Buffer.from('trailing') }), 'PACKAGE_TRAILING_BYTES'],
    ['bytes after a signature block', () => Buffer.concat([zip([file('a.txt')], { comment: block }), Buffer.from('x')]), 'PACKAGE_TRAILING_BYTES'],
    ['a gap between entries and directory', () => zip([file('a.txt')], { gap: Buffer.from('hidden') }), 'PACKAGE_UNACCOUNTED_BYTES'],
    ['a foreign archive comment', () => zip([file('a.txt')], { comment: 'made by zip 3.0' }), 'PACKAGE_FOREIGN_COMMENT'],
    ['a 2048-byte comment that is not a signature block', () => zip([file('a.txt')], { comment: Buffer.alloc(2048, 0x41) }), 'PACKAGE_FOREIGN_COMMENT'],
    ['an entry comment', () => zip([file('a.txt', { comment: 'hi' })]), 'PACKAGE_FOREIGN_COMMENT'],
    [
      'a malformed signature block (non-zero padding)',
      () => {
        const b = Buffer.from(block);
        b[2047] = 1;
        return zip([file('a.txt')], { comment: b });
      },
      'PACKAGE_SIGNATURE_BLOCK_MALFORMED',
    ],
    ['local name differs from central', () => zip([file('a.txt', { local: { name: 'b.txt' } })]), 'PACKAGE_HEADER_MISMATCH'],
    ['local size differs', () => zip([file('a.txt', { local: { size: 3 } })]), 'PACKAGE_HEADER_MISMATCH'],
    ['local CRC differs', () => zip([file('a.txt', { local: { crc: 1234 } })]), 'PACKAGE_HEADER_MISMATCH'],
    ['local method differs', () => zip([file('a.txt', { local: { method: 0 } })]), 'PACKAGE_HEADER_MISMATCH'],
    ['local flags differ', () => zip([file('a.txt', { local: { flags: 0 } })]), 'PACKAGE_HEADER_MISMATCH'],
    ['data descriptor disagrees', () => zip([file('a.txt', { descriptor: true, local: { size: 99 } })]), 'PACKAGE_HEADER_MISMATCH'],
    ['two entries sharing bytes', () => zip([file('a.txt'), file('b.txt', { offset: 0, local: { name: 'a.txt' } })]), 'PACKAGE_HEADER_MISMATCH'],
    [
      'two central records pointing at one local entry',
      () => {
        const one = zip([file('a.txt')]);
        const e = readPackage(one).entries[0]!;
        return zip([file('a.txt'), { ...file('a.txt'), name: 'a.txt', offset: e.offset }]);
      },
      'PACKAGE_DUPLICATE_NAME',
    ],
    [
      "an entry hidden inside another entry's data",
      () => {
        const inner = zip([file('b.txt', { method: 0 })]);
        const innerLocal = inner.subarray(0, readPackage(inner).entries[0]!.dataOffset + 'content of b.txt\n'.length);
        const outer = Buffer.concat([Buffer.from('xx'), innerLocal]);
        const dataOffset = 30 + 'a.bin'.length;
        return zip([file('a.bin', { method: 0, data: outer }), file('b.txt', { method: 0, offset: dataOffset + 2 })]);
      },
      'PACKAGE_OVERLAPPING_ENTRIES',
    ],
    ['an entry overlapping the central directory', () => zip([file('a.txt', { compressedSize: 500, method: 0, size: 500, stored: Buffer.from('content of a.txt\n') })]), 'PACKAGE_OVERLAPPING_ENTRIES'],
    ['duplicate names', () => zip([file('a.txt'), file('a.txt')]), 'PACKAGE_DUPLICATE_NAME'],
    ['names differing only in case', () => zip([file('Readme.md'), file('README.md')]), 'PACKAGE_DUPLICATE_NAME'],
    ['names differing only in Unicode normalisation', () => zip([file('caf\u00e9.txt'), file('cafe\u0301.txt')]), 'PACKAGE_DUPLICATE_NAME'],
    ['a file that is also a folder', () => zip([file('lib'), file('lib/x.js')]), 'PACKAGE_DUPLICATE_NAME'],
    ['a ".." segment', () => zip([file('../evil.js')]), 'PACKAGE_UNSAFE_NAME'],
    ['a leading slash', () => zip([file('/etc/passwd')]), 'PACKAGE_UNSAFE_NAME'],
    ['a drive letter', () => zip([file('C:/x.js')]), 'PACKAGE_UNSAFE_NAME'],
    ['a backslash', () => zip([file('a\\b.js')]), 'PACKAGE_UNSAFE_NAME'],
    ['a control character', () => zip([file('a\u0007.js')]), 'PACKAGE_UNSAFE_NAME'],
    ['an empty segment', () => zip([file('a//b.js')]), 'PACKAGE_UNSAFE_NAME'],
    ['an empty name', () => zip([file('')]), 'PACKAGE_UNSAFE_NAME'],
    ['invalid UTF-8 in a name', () => zip([file('x', { rawName: Buffer.from([0x61, 0xff, 0x62]) })]), 'PACKAGE_UNSAFE_NAME'],
    ['non-ASCII name without the UTF-8 flag', () => zip([file('x', { rawName: Buffer.from([0x61, 0x82]), flags: 0 })]), 'PACKAGE_UNSAFE_NAME'],
    ['an Info-ZIP Unicode path extra field', () => zip([file('a.txt', { extra: Buffer.from([0x75, 0x70, 1, 0, 0]) })]), 'PACKAGE_UNSAFE_NAME'],
    ['a symlink', () => zip([file('link', { data: '/etc/passwd', method: 0, external: (0o120777 << 16) >>> 0 })]), 'PACKAGE_NOT_REGULAR_FILE'],
    ['a directory entry', () => zip([file('dir/', { data: '', method: 0, external: ((0o040755 << 16) | 0x10) >>> 0 })]), 'PACKAGE_NOT_REGULAR_FILE'],
    ['a FIFO', () => zip([file('fifo', { data: '', method: 0, external: (0o010644 << 16) >>> 0 })]), 'PACKAGE_NOT_REGULAR_FILE'],
    ['an encrypted entry', () => zip([file('a.txt', { flags: 0x801 })]), 'PACKAGE_ENCRYPTED'],
    ['an AES (method 99) entry', () => zip([file('a.txt', { method: 99, stored: Buffer.from('xx') })]), 'PACKAGE_ENCRYPTED'],
    ['bzip2 compression', () => zip([file('a.txt', { method: 12, stored: Buffer.from('BZh9') })]), 'PACKAGE_UNSUPPORTED_METHOD'],
    ['a ZIP64 extra field', () => zip([file('a.txt', { extra: Buffer.from([1, 0, 0, 0]) })]), 'PACKAGE_ZIP64'],
    ['ZIP64 size markers', () => zip([file('a.txt', { size: 0xffffffff, compressedSize: 0xffffffff })]), 'PACKAGE_ZIP64'],
    ['a ZIP64 end locator', () => zip([file('a.txt')], { beforeEnd: Buffer.concat([Buffer.from([0x50, 0x4b, 0x06, 0x07]), Buffer.alloc(16)]) }), 'PACKAGE_ZIP64'],
    ['a multi-disk archive', () => zip([file('a.txt')], { end: { disk: 1 } }), 'PACKAGE_UNSUPPORTED_FEATURE'],
    ['unknown flag bits', () => zip([file('a.txt', { flags: 0x810 })]), 'PACKAGE_UNSUPPORTED_FEATURE'],
    ['a truncated extra field', () => zip([file('a.txt', { extra: Buffer.from([9, 9, 50, 0]) })]), 'PACKAGE_MALFORMED'],
    ['a central directory that lies about its size', () => zip([file('a.txt')], { end: { directorySize: 10 } }), 'PACKAGE_UNACCOUNTED_BYTES'],
    ['a stored entry whose sizes differ', () => zip([file('a.txt', { method: 0, size: 5 })]), 'PACKAGE_SIZE_MISMATCH'],
    ['an entry count over the limit', () => zip([file('a.txt')], { entryCount: 10_001 }), 'PACKAGE_LIMIT_EXCEEDED'],
    ['a zip bomb (ratio)', () => zip([file('bomb.bin', { data: Buffer.alloc(2_000_000) })]), 'PACKAGE_LIMIT_EXCEEDED'],
    ['a declared size over the per-entry limit', () => zip([file('big.bin', { size: 65 * 1024 * 1024, stored: Buffer.alloc(1024 * 1024) })]), 'PACKAGE_LIMIT_EXCEEDED'],
  ];
  for (const [what, build, code] of cases) {
    it(`${what} → ${code}`, () => {
      expect(codeOf(() => readPackage(build()))).toBe(code);
    });
  }

  it('the total-size and package-size limits are configurable', () => {
    const pkg = zip([file('a.bin', { data: Buffer.alloc(3000, 1) }), file('b.bin', { data: Buffer.alloc(3000, 2) })]);
    expect(codeOf(() => readPackage(pkg, { maxTotalBytes: 5000 }))).toBe('PACKAGE_LIMIT_EXCEEDED');
    expect(codeOf(() => readPackage(pkg, { maxPackageBytes: 100 }))).toBe('PACKAGE_LIMIT_EXCEEDED');
    expect(codeOf(() => readPackage(pkg, { maxEntries: 1 }))).toBe('PACKAGE_LIMIT_EXCEEDED');
    expect(readPackage(pkg).entries).toHaveLength(2);
  });

  it('a CRC mismatch, found when the entry is read', async () => {
    const pkg = readPackage(zip([file('a.txt', { crc: 0xdeadbeef }), file('b.txt', { method: 0, crc: 1 })]));
    expect(codeOf(() => pkg.read('a.txt'))).toBe('PACKAGE_CRC_MISMATCH');
    expect(codeOf(() => pkg.read('b.txt'))).toBe('PACKAGE_CRC_MISMATCH');
    expect(await asyncCodeOf(() => pkg.checkEntries())).toBe('PACKAGE_CRC_MISMATCH');
  });

  it('stops inflating at the declared size (a lying small size does not expand)', async () => {
    const bomb = deflateRawSync(Buffer.alloc(50 * 1024 * 1024));
    const pkg = readPackage(zip([file('bomb.bin', { stored: bomb, size: 60_000 })]));
    const before = process.memoryUsage().arrayBuffers;
    expect(codeOf(() => pkg.read('bomb.bin'))).toBe('PACKAGE_SIZE_MISMATCH');
    expect(await asyncCodeOf(() => pkg.readAsync('bomb.bin'))).toBe('PACKAGE_SIZE_MISMATCH');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 * 1024 * 1024);
  });

  it('corrupt deflate data', () => {
    const pkg = readPackage(zip([file('a.txt', { stored: Buffer.from([0xff, 0xff, 0xff, 0xff]), size: 10 })]));
    expect(codeOf(() => pkg.read('a.txt'))).toBe('PACKAGE_MALFORMED');
  });

  it('never crashes or hangs on random mutations of a valid package', () => {
    const good = validPackage();
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      const bad = Buffer.from(good);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++) bad[Math.floor(rand() * bad.length)] = Math.floor(rand() * 256);
      const cut = rand() < 0.1 ? bad.subarray(0, Math.floor(rand() * bad.length)) : bad;
      try {
        const pkg = readPackage(cut);
        for (const e of pkg.entries) pkg.read(e);
      } catch (err) {
        if (!(err instanceof MiniappError)) throw err;
      }
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('miniapp validate <package.zip> goes through the strict reader', () => {
  it('validates the manifest inside, answering file existence from the entries', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { runCli, parseJsonOutput } = await import('./helpers/cli.js');
    const dir = tempDir('validate-zip');
    writeFileSync(join(dir, 'good.zip'), validPackage());
    let r = await runCli(['validate', 'good.zip', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(parseJsonOutput(r.stdout).result).toMatchObject({ kind: 'package', id: 'com.partner.loans', valid: true });

    const noEntry = rawZip([
      { name: 'manifest.json', data: JSON.stringify({ id: 'com.partner.loans', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }) },
    ]);
    writeFileSync(join(dir, 'missing-entry.zip'), noEntry);
    r = await runCli(['validate', 'missing-entry.zip', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(parseJsonOutput(r.stdout).errors.map((e: { code: string }) => e.code)).toEqual(['MANIFEST_ENTRY_POINT_MISSING']);

    writeFileSync(
      join(dir, 'evil.zip'),
      rawZip([
        { name: 'manifest.json', data: '{}' },
        { name: '../evil.js', data: 'x' },
      ]),
    );
    r = await runCli(['validate', 'evil.zip'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('evil.zip');
    expect(r.stderr).toContain('PACKAGE_UNSAFE_NAME');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
