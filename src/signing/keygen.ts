import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { MiniappError } from '../core/errors/index.js';
import { writeFilesAtomic } from '../core/fs/atomic.js';
import { keyIdOf, MAX_KEY_BITS, MIN_KEY_BITS } from './keys.js';

const generateKeyPair = promisify(generateKeyPairCallback);

export interface KeygenOptions {
  bits?: number;
  /** Encrypts the private key (PKCS#8, AES-256-CBC, PBKDF2) when given. */
  passphrase?: string;
}

export interface KeygenResult {
  keyId: string;
  privateKeyPath: string;
  publicKeyPath: string;
  bits: number;
  encrypted: boolean;
}

export const DEFAULT_KEY_BITS = 3072;

/** Refuses a key size hosts would reject, before any work is done. */
export function assertKeyBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_KEY_BITS || bits > MAX_KEY_BITS || bits % 8 !== 0) throw new MiniappError('KEY_BITS_INVALID', { bits });
}

export async function generateSigningKey(options: KeygenOptions = {}): Promise<{ privateKeyPem: string; publicKeyPem: string; keyId: string; bits: number }> {
  const bits = options.bits ?? DEFAULT_KEY_BITS;
  assertKeyBits(bits);
  const { privateKey, publicKey } = (await generateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 })) as { privateKey: KeyObject; publicKey: KeyObject };
  const privateKeyPem = privateKey.export(options.passphrase ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase } : { type: 'pkcs8', format: 'pem' }) as string;
  return { privateKeyPem, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, keyId: keyIdOf(publicKey), bits };
}

/**
 * Writes <prefix>.key.pem (0600) and <prefix>.pub.pem; never replaces an existing file. Both or neither:
 * an abort while the key is generated or written leaves no file (INTERRUPTED).
 */
export async function writeSigningKey(prefix: string, options: KeygenOptions & { signal?: AbortSignal } = {}): Promise<KeygenResult> {
  const privateKeyPath = `${prefix}.key.pem`;
  const publicKeyPath = `${prefix}.pub.pem`;
  for (const path of [privateKeyPath, publicKeyPath]) {
    const exists = await fs.lstat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new MiniappError('KEY_EXISTS', { path });
  }
  const key = options.signal ? await generateInChild(options, options.signal) : await generateSigningKey(options);
  // `--out keys/partner` in a fresh project: the folder is part of the prefix, so create it.
  await fs.mkdir(dirname(privateKeyPath), { recursive: true });
  const files = [
    { path: privateKeyPath, data: key.privateKeyPem, mode: 0o600 },
    { path: publicKeyPath, data: key.publicKeyPem, mode: 0o644 },
  ];
  try {
    await writeFilesAtomic(files, { exclusive: true, signal: options.signal });
  } catch (err) {
    if (err instanceof MiniappError && /already exists/.test(err.message)) throw new MiniappError('KEY_EXISTS', { path: err.args.path }, { cause: err });
    throw err;
  }
  return { keyId: key.keyId, privateKeyPath, publicKeyPath, bits: key.bits, encrypted: !!options.passphrase };
}

/**
 * Generation that an abort really stops: RSA key generation cannot be cancelled on the thread pool, and
 * a process does not exit before its thread pool's work is done (seconds for 4096 bits). A child process
 * can be killed; it hands the PEM back on a pipe, and the parent encrypts it and computes the key id.
 */
const CHILD_SCRIPT = `const { generateKeyPairSync } = require('node:crypto');
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: Number(process.argv[1]), publicExponent: 0x10001 });
process.stdout.write(privateKey.export({ type: 'pkcs8', format: 'pem' }));`;

async function generateInChild(options: KeygenOptions, signal: AbortSignal): Promise<Awaited<ReturnType<typeof generateSigningKey>>> {
  const bits = options.bits ?? DEFAULT_KEY_BITS;
  assertKeyBits(bits);
  const interrupted = () => (signal.reason instanceof MiniappError ? signal.reason : new MiniappError('INTERRUPTED', {}));
  if (signal.aborted) throw interrupted();
  const { spawn } = await import('node:child_process');
  const pem = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, String(bits)], { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let out = '';
    let err = '';
    const onAbort = () => {
      child.kill('SIGKILL');
      reject(interrupted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => reject(e));
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (code === 0) resolve(out);
      else reject(new Error(`key generation failed (exit ${String(code)}): ${err.trim()}`));
    });
  });
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const privateKeyPem = options.passphrase ? (privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: options.passphrase }) as string) : pem;
  return { privateKeyPem, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, keyId: keyIdOf(publicKey), bits };
}
