#!/usr/bin/env node
// Regenerates test-vectors/ from the built library (npm run build first). The keys are kept unless
// --new-keys is given, so host teams' copies stay valid. Deterministic: the PSS salt of every signature
// is derived from the key and the message (signPss below), so a run over unchanged inputs rewrites the
// same bytes, and `git diff` after a run shows only what a change meant to change.
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, privateEncrypt, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';
import * as miniapp from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const out = (...p) => join(here, ...p);
mkdirSync(out('keys'), { recursive: true });
mkdirSync(out('packages'), { recursive: true });

function keyPair(name) {
  const keyPath = out('keys', `${name}.key.pem`);
  if (!existsSync(keyPath) || process.argv.includes('--new-keys')) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(out('keys', `${name}.pub.pem`), publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return createPrivateKey(readFileSync(keyPath));
}

/** A deterministic zip: fixed timestamps, one deflated and two stored entries. */
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text, deflate, tweak = {}] of files) {
    const data = Buffer.from(text);
    const body = tweak.body ?? (deflate ? deflateRawSync(data, { level: 9 }) : data);
    const n = Buffer.from(name);
    const crc = tweak.crc ?? crc32(data) >>> 0;
    const size = tweak.size ?? data.length;
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(0x800, 6);
    head.writeUInt16LE(deflate ? 8 : 0, 8);
    head.writeUInt16LE(0, 10);
    head.writeUInt16LE(0x5b21, 12);
    head.writeUInt32LE(crc, 14);
    head.writeUInt32LE(body.length, 18);
    head.writeUInt32LE(size, 22);
    head.writeUInt16LE(n.length, 26);
    head.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(0x031e, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(deflate ? 8 : 0, 10);
    c.writeUInt16LE(0, 12);
    c.writeUInt16LE(0x5b21, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(size, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    c.writeUInt32LE(offset, 42);
    locals.push(head, n, body);
    centrals.push(c, n);
    offset += 30 + n.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const manifest = (extra = {}) =>
  JSON.stringify(
    { id: 'com.example.vectors', version: '1.2.0', minHostVersion: '3.1.0', entryPoint: 'index.html', permissions: ['payment'], allowedDomains: ['api.example.com'], name: 'Vectors', ...extra },
    null,
    2,
  );
// A clean app: it calls a catalogue method its manifest declares the permission of, and handles the outcome.
const APP_JS = [
  '// miniapp test vector: one payment through the bridge, both outcomes handled.',
  'MiniAppBridge.call("payment.pay", { amount: 12.5, currency: "EUR", orderId: "vector-1", description: "test vector" }).then(',
  '  function (result) { document.title = "paid " + result.transactionId; },',
  '  function (error) { document.title = "not paid: " + error.code; }',
  ');',
  '',
].join('\n');
const files = (m, extra = []) => [['manifest.json', m, false], ['index.html', '<!doctype html><title>Vectors</title><script src="app.js"></script>\n', false], ['app.js', APP_JS, true], ...extra];

const testKey = keyPair('test-only');
const otherKey = keyPair('other-test-only');
const testKeyId = miniapp.keyIdOf(testKey);

const mgf1 = (seed, length) => {
  const out = [];
  for (let counter = 0; out.length * 32 < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash('sha256').update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
};

/**
 * RSASSA-PSS (RFC 8017 9.1.1, SHA-256, MGF1-SHA-256) with a salt derived from the key and the message
 * instead of random bytes, then the raw RSA operation: a valid PSS signature any verifier accepts, the
 * same on every run. saltLength -2 (RSA_PSS_SALTLEN_MAX_SIGN) is the largest salt, OpenSSL's default.
 */
function signPss(data, key, saltLength) {
  const modBits = key.asymmetricKeyDetails.modulusLength;
  const emLen = Math.ceil((modBits - 1) / 8);
  const sLen = saltLength === constants.RSA_PSS_SALTLEN_MAX_SIGN ? emLen - 32 - 2 : saltLength;
  const mHash = createHash('sha256').update(data).digest();
  const keyDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const salt = Buffer.from(hkdfSync('sha256', mHash, keyDer, 'miniapp test-vector PSS salt', sLen));
  const h = createHash('sha256').update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - sLen - 32 - 2), Buffer.from([1]), salt]);
  const masked = mgf1(h, db.length).map((m, i) => m ^ db[i]);
  masked[0] &= 0xff >> (8 * emLen - (modBits - 1));
  const em = Buffer.concat([masked, h, Buffer.from([0xbc])]);
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(Math.ceil(modBits / 8) - emLen), em]));
}

/** Signs with explicit header, key and signing parameters: the vectors need signatures sign refuses to make. */
function signWith(unsigned, { key = testKey, header, padding = constants.RSA_PKCS1_PSS_PADDING, saltLength = 32, mutateSignature } = {}) {
  // Everything before the comment-length field (the unsigned package's comment is empty): no reader
  // involved, so packages the strict reader refuses can be signed too.
  const archive = unsigned.subarray(0, unsigned.length - 2);
  const headerBytes = miniapp.encodeSignedHeader(header);
  const data = miniapp.signedData(headerBytes, archive);
  let signature = padding === constants.RSA_PKCS1_PSS_PADDING ? signPss(data, key, saltLength) : sign('sha256', data, { key, padding });
  if (mutateSignature) signature = mutateSignature(signature);
  const len = Buffer.alloc(2);
  len.writeUInt16LE(2048);
  return Buffer.concat([archive, len, miniapp.buildSignatureBlock({ header: headerBytes, signature })]);
}

const unsigned = zip(files(manifest()));
const header = { keyId: testKeyId, id: 'com.example.vectors', version: '1.2.0', minHostVersion: '3.1.0' };
const good = signWith(unsigned, { header });
// The same bytes signPackage writes, but for the signature itself (PSS is randomised there).
const fromSign = miniapp.signPackage(unsigned, testKey).bytes;
const signatureAt = good.length - 2048 + 12 + miniapp.encodeSignedHeader(header).length;
if (fromSign.length !== good.length || !fromSign.subarray(0, signatureAt).equals(good.subarray(0, signatureAt))) throw new Error('signWith and signPackage disagree on the layout');
const located = miniapp.locateSignature(good);
writeFileSync(out('packages', 'unsigned.zip'), unsigned);
writeFileSync(out('packages', 'good.zip'), good);
writeFileSync(out('good.signed-data.bin'), miniapp.signedData(located.block.header, located.archive));
writeFileSync(out('good.signature.bin'), located.block.signature);

const flip = (bytes, at) => {
  const b = Buffer.from(bytes);
  b[at] ^= 0x01;
  return b;
};
const appJs = miniapp.readPackage(good).entry('app.js');
const cases = [
  ['good.zip', good, 'OK', 'the good package, verified with the test-only public key'],
  ['good.zip', null, 'HOST_UPDATE_REQUIRED', 'the good package on a host older than its minHostVersion', { hostVersion: '3.0.9' }],
  ['good.zip', null, 'SIGNATURE_UNKNOWN_KEY', 'the good package checked against another public key', { pubkey: 'keys/other-test-only.pub.pem' }],
  ['unsigned.zip', unsigned, 'PACKAGE_UNSIGNED', 'the same package before signing'],
  ['tampered-entry.zip', flip(good, appJs.dataOffset + 10), 'SIGNATURE_INVALID', "one bit of app.js's compressed data flipped"],
  ['tampered-directory.zip', flip(good, good.length - 2048 - 22 - 10), 'SIGNATURE_INVALID', 'one bit of the central directory flipped'],
  [
    'tampered-header.zip',
    (() => {
      const b = Buffer.from(good);
      const i = b.indexOf('"version":"1.2.0"', b.length - 2048);
      b.write('"version":"1.2.1"', i);
      return b;
    })(),
    'SIGNATURE_INVALID',
    "the signed header's version changed after signing",
  ],
  ['other-key.zip', signWith(unsigned, { key: otherKey, header: { ...header, keyId: miniapp.keyIdOf(otherKey) } }), 'SIGNATURE_UNKNOWN_KEY', 'signed by another key (its own key id in the header)'],
  ['other-key-claiming-test-key.zip', signWith(unsigned, { key: otherKey, header }), 'SIGNATURE_INVALID', 'signed by another key whose header claims the test key id'],
  ['truncated-signature.zip', signWith(unsigned, { header, mutateSignature: (s) => s.subarray(0, s.length - 1) }), 'SIGNATURE_INVALID', 'the signature with its last byte cut'],
  ['extended-signature.zip', signWith(unsigned, { header, mutateSignature: (s) => Buffer.concat([s, Buffer.from([0])]) }), 'SIGNATURE_INVALID', 'the signature with a zero byte appended'],
  ['pkcs1-v1_5.zip', signWith(unsigned, { header, padding: constants.RSA_PKCS1_PADDING }), 'SIGNATURE_INVALID', 'a PKCS#1 v1.5 signature by the right key (no algorithm confusion)'],
  ['pss-salt-20.zip', signWith(unsigned, { header, saltLength: 20 }), 'SIGNATURE_INVALID', 'an RSASSA-PSS signature with salt length 20 by the right key'],
  [
    'pss-salt-max.zip',
    signWith(unsigned, { header, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN }),
    'SIGNATURE_INVALID',
    "an RSASSA-PSS signature with the maximum salt length (OpenSSL's default) by the right key",
  ],
  ['binding-mismatch.zip', signWith(unsigned, { header: { ...header, version: '9.9.9' } }), 'SIGNATURE_BINDING_MISMATCH', "validly signed, but the signed header's version differs from manifest.json"],
  [
    'pin-mismatch.zip',
    signWith(zip(files(manifest({ signature: miniapp.keyIdOf(otherKey) }))), { header }),
    'SIGNER_PIN_MISMATCH',
    'validly signed by the test key, but manifest.json pins the other key',
  ],
  ['trailing-byte.zip', Buffer.concat([good, Buffer.from([0])]), 'PACKAGE_TRAILING_BYTES', 'one byte appended after the signature block'],
];
// Disagreements a host team found between commands and documents (issue 14), each now one code.
const signed = (m, extra, h = header) => signWith(zip(files(m, extra)), { header: h });
const trailingDeflate = (() => {
  const data = Buffer.from(APP_JS);
  return ['app.js', APP_JS, true, { body: Buffer.concat([deflateRawSync(data, { level: 9 }), Buffer.alloc(20, 0x5a)]) }];
})();
const bomb = Buffer.alloc(8 * 1024 * 1024, 0x41);
cases.push(
  ['appended-zip.zip', Buffer.concat([good, unsigned]), 'PACKAGE_LEADING_BYTES', 'another zip appended after the signed package (its end record is now the last one)'],
  [
    'foreign-comment.zip',
    (() => {
      const b = Buffer.from(good);
      b.write('MASIGV02', b.length - 2048, 'latin1');
      return b;
    })(),
    'PACKAGE_FOREIGN_COMMENT',
    'a 2048-byte comment whose magic is not MASIGV01',
  ],
  ['long-utf8-name.zip', signed(manifest(), [['é'.repeat(200), 'x', false]]), 'PACKAGE_UNSAFE_NAME', 'validly signed; a name of 200 "é": 200 UTF-16 units but 400 UTF-8 bytes in one segment'],
  ['rlo-name.zip', signed(manifest(), [['notes\u202Etxt.js', 'x', false]]), 'PACKAGE_UNSAFE_NAME', 'validly signed; a name with U+202E RIGHT-TO-LEFT OVERRIDE (displays reversed)'],
  ['nel-name.zip', signed(manifest(), [['a\u0085b.txt', 'x', false]]), 'PACKAGE_UNSAFE_NAME', 'validly signed; a name with U+0085 NEXT LINE (a C1 control)'],
  ['line-separator-name.zip', signed(manifest(), [['a\u2028b.txt', 'x', false]]), 'PACKAGE_UNSAFE_NAME', 'validly signed; a name with U+2028 LINE SEPARATOR'],
  [
    'deflate-trailing-bytes.zip',
    signWith(zip([...files(manifest()).slice(0, 2), trailingDeflate]), { header }),
    'PACKAGE_MALFORMED',
    "validly signed; app.js's deflate stream ends 20 bytes before its compressed size",
  ],
  [
    'crc-mismatch.zip',
    signWith(zip([...files(manifest()).slice(0, 2), ['app.js', APP_JS, true, { crc: 0x12345678 }]]), { header }),
    'PACKAGE_CRC_MISMATCH',
    "validly signed; app.js's CRC-32 in both headers is wrong",
  ],
  [
    'bomb-declared-small.zip',
    signWith(zip([...files(manifest()), ['data.bin', bomb, true, { size: 1000 }]]), { header }),
    'PACKAGE_SIZE_MISMATCH',
    'validly signed; an entry declared as 1000 bytes that inflates to 8 MiB (inflation stops at the declared size)',
  ],
  ['no-manifest.zip', signWith(zip(files(manifest()).slice(1)), { header }), 'MANIFEST_NOT_FOUND', 'validly signed; no manifest.json entry'],
  [
    'host-too-old.zip',
    signed(manifest({ minHostVersion: '9.0.0' }), [], { ...header, minHostVersion: '9.0.0' }),
    'HOST_UPDATE_REQUIRED',
    'validly signed; minHostVersion 9.0.0, above every host version known (the host decides: update required)',
    { hostVersion: '3.4.0' },
  ],
  [
    'profile-dev-only.zip',
    signed(manifest({ allowedDomains: ['api.example.com', 'localhost'] })),
    'PACKAGE_MANIFEST_INVALID',
    "validly signed; allowedDomains has localhost, which the dev profile allows and the release profile (a host's) refuses",
  ],
  [
    'uppercase-pin.zip',
    signed(manifest({ signature: `sha256:${miniapp.keyIdOf(otherKey).slice(7).toUpperCase()}` })),
    'OK',
    'validly signed; the signature field is the other key id in upper-case hex: not a pin, so hosts ignore it',
  ],
);

/** A partner registry trusting one key for the vectors' app id, for install and conformance. */
function trustStore(name) {
  const pem = readFileSync(out('keys', `${name}.pub.pem`), 'utf8');
  const store = { partners: [{ id: 'vectors', name: 'Test vectors (test only)', permissions: ['payment', 'storage'], keys: [{ publicKey: pem, appIds: ['com.example.vectors'] }] }] };
  writeFileSync(out('keys', `${name}.trust-store.json`), `${JSON.stringify(store, null, 2)}\n`);
  return `keys/${name}.trust-store.json`;
}
const stores = { 'keys/test-only.pub.pem': trustStore('test-only'), 'keys/other-test-only.pub.pem': trustStore('other-test-only') };

// What the checks that need no key give (`miniapp inspect` without --pubkey: the signature stage is
// skipped, everything else runs). It differs from `expected` only where the signature stage refuses.
const withoutKey = {
  'good.zip': 'OK',
  'unsigned.zip': 'OK',
  'tampered-entry.zip': 'PACKAGE_MALFORMED',
  'tampered-directory.zip': 'PACKAGE_MALFORMED',
  'tampered-header.zip': 'SIGNATURE_BINDING_MISMATCH',
  'other-key.zip': 'OK',
  'other-key-claiming-test-key.zip': 'OK',
  'truncated-signature.zip': 'OK',
  'extended-signature.zip': 'OK',
  'pkcs1-v1_5.zip': 'OK',
  'pss-salt-20.zip': 'OK',
  'pss-salt-max.zip': 'OK',
};

const expected = [];
for (const [file, bytes, code, description, extra = {}] of cases) {
  if (bytes) writeFileSync(out('packages', file), bytes);
  const pubkey = extra.pubkey ?? 'keys/test-only.pub.pem';
  const keyless = code === 'HOST_UPDATE_REQUIRED' && file === 'good.zip' ? code : (withoutKey[file] ?? code);
  expected.push({ package: `packages/${file}`, pubkey, trustStore: stores[pubkey], hostVersion: extra.hostVersion, expected: code, expectedWithoutKey: keyless, description });
}
writeFileSync(out('expected.json'), `${JSON.stringify({ keyId: testKeyId, signedData: 'good.signed-data.bin', signature: 'good.signature.bin', cases: expected }, null, 2)}\n`);
console.log(`wrote ${expected.length} cases; test key id ${testKeyId}`);
