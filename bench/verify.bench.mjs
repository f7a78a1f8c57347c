// @ts-check
// Verify throughput: 100 signed packages of about 3 MB each, checked by ONE `miniapp verify` call (signature,
// strict structure, every entry's CRC, manifest rules), against a shell loop of 100 `openssl dgst -verify`
// calls over the same signed bytes (signature only), in the same run. Goal (issue 4): miniapp <= 0.7x.
// Also: `miniapp sign` whole-process time against `node -e 0`, and the library's verifyFiles on one lane vs
// one lane per core (main thread + worker threads).
// Generated data lives in a temp dir that is removed at the end. Run: npm run build && node bench/verify.bench.mjs
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const lib = await import(new URL('../dist/index.js', import.meta.url).href);
const bin = fileURLToPath(new URL('../bin/miniapp.js', import.meta.url));
const node = process.execPath;
const COUNT = Number(process.env.BENCH_PACKAGES ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = process.env.BENCH_KEEP_DIR ?? mkdtempSync(join(tmpdir(), 'miniapp-verify-bench-'));

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;

function run(cmd, args) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 4).join(' ')}… exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Interleaved runs after one warm-up each, so machine drift hits every case alike. */
function measure(cases) {
  for (const c of cases) run(c.cmd, c.args);
  const samples = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) cases.forEach((c, k) => samples[k].push(run(c.cmd, c.args)));
  return samples.map(median);
}

/** A package like `miniapp build` writes: manifest, HTML, a deflated script and ~3 MB of stored (incompressible) assets. */
function makePackage(i) {
  /** @type {Array<[string, Buffer, boolean]>} */
  const files = [
    [
      'manifest.json',
      Buffer.from(
        JSON.stringify({
          id: `com.bench.app${i}`,
          version: '1.0.0',
          minHostVersion: '3.0.0',
          entryPoint: 'index.html',
          permissions: ['payment'],
          allowedDomains: ['api.bench.com'],
          name: `Bench ${i}`,
        }),
      ),
      false,
    ],
    ['index.html', Buffer.from('<!doctype html><title>bench</title><script src="app.js"></script>'), false],
    ['app.js', Buffer.from(Array.from({ length: 4000 }, (_, k) => `export const v${k} = ${JSON.stringify(randomBytes(24).toString('base64'))}; // ${i}\n`).join('')), true],
    ['assets/photo-1.jpg', randomBytes(1_500_000), false],
    ['assets/photo-2.jpg', randomBytes(1_500_000), false],
  ];
  const parts = [];
  const central = [];
  let offset = 0;
  for (const [name, data, deflate] of files) {
    const body = deflate ? deflateRawSync(data) : data;
    const n = Buffer.from(name);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x800, 6);
    h.writeUInt16LE(deflate ? 8 : 0, 8);
    h.writeUInt32LE(crc32(data) >>> 0, 14);
    h.writeUInt32LE(body.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x031e, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(deflate ? 8 : 0, 10);
    c.writeUInt32LE(crc32(data) >>> 0, 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    parts.push(h, n, body);
    central.push(c, n);
    offset += 30 + n.length + body.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

try {
  run(node, [bin, 'keygen', '--out', 'bench']);
  const key = lib.loadPrivateKey(readFileSync(join(dir, 'bench.key.pem')), 'bench.key.pem');
  const names = [];
  let bytes = 0;
  for (let i = 0; i < COUNT; i++) {
    const unsigned = makePackage(i);
    if (i === 0) writeFileSync(join(dir, 'unsigned.zip'), unsigned);
    const signed = lib.signPackage(unsigned, key).bytes;
    const name = `p${String(i).padStart(3, '0')}`;
    writeFileSync(join(dir, `${name}.zip`), signed);
    const parts = lib.extractSigned(signed);
    writeFileSync(join(dir, `${name}.data`), parts.signedData);
    writeFileSync(join(dir, `${name}.sig`), parts.signature);
    names.push(name);
    bytes += signed.length;
  }
  const loop = `for f in ${names.join(' ')}; do openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -verify bench.pub.pem -signature $f.sig $f.data >/dev/null || exit 1; done`;
  const [miniapp, openssl] = measure([
    { cmd: node, args: [bin, 'verify', ...names.map((n) => `${n}.zip`), '--pubkey', 'bench.pub.pem', '--quiet'] },
    { cmd: 'sh', args: ['-c', loop] },
  ]);
  console.log(`\nverify ${COUNT} packages (${(bytes / COUNT / 1e6).toFixed(2)} MB each, RSA-3072), median of ${RUNS} interleaved runs, ${availableParallelism()} cores`);
  console.log(`  openssl dgst -verify loop (baseline)   ${fmt(openssl)}  1.00x`);
  console.log(`  miniapp verify, one call               ${fmt(miniapp)}  ${(miniapp / openssl).toFixed(2)}x  goal <= 0.70x ${miniapp / openssl <= 0.7 ? 'met' : 'MISSED'}`);

  // Library level, files on disk: one lane (in-process) vs one lane per core (main thread + workers).
  const trust = await lib.trustPublicKey('bench.pub.pem', dir);
  const paths = names.map((n) => `${n}.zip`);
  const timeLanes = async (workers) => {
    const t = process.hrtime.bigint();
    const verdicts = await lib.verifyFiles(paths, { cwd: dir, trust, workers });
    if (verdicts.some((v) => !v.ok)) throw new Error('a bench package failed to verify');
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const lanes = availableParallelism();
  await timeLanes(lanes);
  const oneLane = median([await timeLanes(1), await timeLanes(1), await timeLanes(1)]);
  const allLanes = median([await timeLanes(lanes), await timeLanes(lanes), await timeLanes(lanes)]);
  console.log(`  library verifyFiles, 1 lane            ${fmt(oneLane)}`);
  console.log(`  library verifyFiles, ${lanes} lanes           ${fmt(allLanes)}  ${(oneLane / allLanes).toFixed(2)}x speed-up (main thread + ${lanes - 1} worker${lanes > 2 ? 's' : ''})`);

  const [nodeStart, sign] = measure([
    { cmd: node, args: ['-e', '0'] },
    { cmd: node, args: [bin, 'sign', 'unsigned.zip', '--key', 'bench.key.pem', '--out', 'signed-once.zip', '--quiet'] },
  ]);
  console.log(`\nsign one ${(readFileSync(join(dir, 'unsigned.zip')).length / 1e6).toFixed(2)} MB package, whole process, median of ${RUNS}`);
  console.log(`  node -e 0 (baseline)                   ${fmt(nodeStart)}  1.00x`);
  console.log(`  miniapp sign                           ${fmt(sign)}  ${(sign / nodeStart).toFixed(2)}x`);
} finally {
  if (!process.env.BENCH_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
}
