#!/usr/bin/env node
// Regenerates test-vectors/ from the built library (npm run build first). The keys are kept unless
// --new-keys is given, so host teams' copies stay valid; signatures are randomised (PSS salt), so every
// run writes new signature bytes: commit them together with expected.json.
import { constants, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
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
  for (const [name, text, deflate] of files) {
    const data = Buffer.from(text);
    const body = deflate ? deflateRawSync(data, { level: 9 }) : data;
    const n = Buffer.from(name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0); head.writeUInt16LE(20, 4); head.writeUInt16LE(0x800, 6); head.writeUInt16LE(deflate ? 8 : 0, 8);
    head.writeUInt16LE(0, 10); head.writeUInt16LE(0x5b21, 12); head.writeUInt32LE(crc32(data) >>> 0, 14);
    head.writeUInt32LE(body.length, 18); head.writeUInt32LE(data.length, 22); head.writeUInt16LE(n.length, 26); head.writeUInt16LE(0, 28);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(0x031e, 4); c.writeUInt16LE(20, 6); c.writeUInt16LE(0x800, 8); c.writeUInt16LE(deflate ? 8 : 0, 10);
    c.writeUInt16LE(0, 12); c.writeUInt16LE(0x5b21, 14); c.writeUInt32LE(crc32(data) >>> 0, 16); c.writeUInt32LE(body.length, 20); c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28); c.writeUInt32LE((0o100644 << 16) >>> 0, 38); c.writeUInt32LE(offset, 42);
    locals.push(head, n, body);
    centrals.push(c, n);
    offset += 30 + n.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(files.length, 8); end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

const manifest = (extra = {}) => JSON.stringify({ id: 'com.example.vectors', version: '1.2.0', minHostVersion: '3.1.0', entryPoint: 'index.html', permissions: ['payment'], allowedDomains: ['api.example.com'], name: 'Vectors', ...extra }, null, 2);
const files = (m) => [
  ['manifest.json', m, false],
  ['index.html', '<!doctype html><title>Vectors</title><script src="app.js"></script>\n', false],
  ['app.js', 'MiniAppBridge.call("payment.request", { amount: 100 });\n'.repeat(40), true],
];

const testKey = keyPair('test-only');
const otherKey = keyPair('other-test-only');
const testKeyId = miniapp.keyIdOf(testKey);

/** Signs with explicit header, key and signing parameters: the vectors need signatures sign refuses to make. */
function signWith(unsigned, { key = testKey, header, padding = constants.RSA_PKCS1_PSS_PADDING, saltLength = 32, mutateSignature } = {}) {
  const pkg = miniapp.readPackage(unsigned);
  const archive = unsigned.subarray(0, pkg.signedArchiveLength);
  const headerBytes = miniapp.encodeSignedHeader(header);
  let signature = sign('sha256', miniapp.signedData(headerBytes, archive), { key, padding, saltLength });
  if (mutateSignature) signature = mutateSignature(signature);
  const len = Buffer.alloc(2);
  len.writeUInt16LE(2048);
  return Buffer.concat([archive, len, miniapp.buildSignatureBlock({ header: headerBytes, signature })]);
}

const unsigned = zip(files(manifest()));
const header = { keyId: testKeyId, id: 'com.example.vectors', version: '1.2.0', minHostVersion: '3.1.0' };
const good = miniapp.signPackage(unsigned, testKey).bytes;
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
  ['tampered-entry.zip', flip(good, appJs.dataOffset + 10), 'SIGNATURE_INVALID', 'one bit of app.js\'s compressed data flipped'],
  ['tampered-directory.zip', flip(good, good.length - 2048 - 22 - 10), 'SIGNATURE_INVALID', 'one bit of the central directory flipped'],
  ['tampered-header.zip', (() => { const b = Buffer.from(good); const i = b.indexOf('"version":"1.2.0"', b.length - 2048); b.write('"version":"1.2.1"', i); return b; })(), 'SIGNATURE_INVALID', 'the signed header\'s version changed after signing'],
  ['other-key.zip', signWith(unsigned, { key: otherKey, header: { ...header, keyId: miniapp.keyIdOf(otherKey) } }), 'SIGNATURE_UNKNOWN_KEY', 'signed by another key (its own key id in the header)'],
  ['other-key-claiming-test-key.zip', signWith(unsigned, { key: otherKey, header }), 'SIGNATURE_INVALID', 'signed by another key whose header claims the test key id'],
  ['truncated-signature.zip', signWith(unsigned, { header, mutateSignature: (s) => s.subarray(0, s.length - 1) }), 'SIGNATURE_INVALID', 'the signature with its last byte cut'],
  ['extended-signature.zip', signWith(unsigned, { header, mutateSignature: (s) => Buffer.concat([s, Buffer.from([0])]) }), 'SIGNATURE_INVALID', 'the signature with a zero byte appended'],
  ['pkcs1-v1_5.zip', signWith(unsigned, { header, padding: constants.RSA_PKCS1_PADDING }), 'SIGNATURE_INVALID', 'a PKCS#1 v1.5 signature by the right key (no algorithm confusion)'],
  ['pss-salt-20.zip', signWith(unsigned, { header, saltLength: 20 }), 'SIGNATURE_INVALID', 'an RSASSA-PSS signature with salt length 20 by the right key'],
  ['pss-salt-max.zip', signWith(unsigned, { header, saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN }), 'SIGNATURE_INVALID', 'an RSASSA-PSS signature with the maximum salt length (OpenSSL\'s default) by the right key'],
  ['binding-mismatch.zip', signWith(unsigned, { header: { ...header, version: '9.9.9' } }), 'SIGNATURE_BINDING_MISMATCH', 'validly signed, but the signed header\'s version differs from manifest.json'],
  ['pin-mismatch.zip', signWith(zip(files(manifest({ signature: miniapp.keyIdOf(otherKey) }))), { header }), 'SIGNER_PIN_MISMATCH', 'validly signed by the test key, but manifest.json pins the other key'],
  ['trailing-byte.zip', Buffer.concat([good, Buffer.from([0])]), 'PACKAGE_TRAILING_BYTES', 'one byte appended after the signature block'],
];
const expected = [];
for (const [file, bytes, code, description, extra = {}] of cases) {
  if (bytes) writeFileSync(out('packages', file), bytes);
  expected.push({ package: `packages/${file}`, pubkey: extra.pubkey ?? 'keys/test-only.pub.pem', hostVersion: extra.hostVersion, expected: code, description });
}
writeFileSync(out('expected.json'), `${JSON.stringify({ keyId: testKeyId, signedData: 'good.signed-data.bin', signature: 'good.signature.bin', cases: expected }, null, 2)}\n`);
console.log(`wrote ${expected.length} cases; test key id ${testKeyId}`);
