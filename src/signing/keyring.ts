import type { KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { keyIdOf, loadPrivateKey, loadPublicKey } from './keys.js';
import type { Trust } from './verify.js';

async function readKeyFile(path: string, label: string): Promise<Buffer> {
  try {
    const stat = await fs.stat(path);
    if (!stat.isFile()) throw new Error('it is not a regular file');
    // A PEM key is a few kilobytes; refuse to slurp anything else.
    if (stat.size > 64 * 1024) throw new Error(`it is ${stat.size} bytes, too large for a PEM key`);
    return await fs.readFile(path);
  } catch (err) {
    throw new MiniappError('KEY_UNREADABLE', { path: label, reason: (err as Error).message }, { cause: err });
  }
}

export async function loadPublicKeyFile(path: string, cwd: string): Promise<KeyObject> {
  return loadPublicKey(await readKeyFile(resolve(cwd, path), path), path);
}

export async function loadPrivateKeyFile(path: string, cwd: string, passphrase?: string): Promise<KeyObject> {
  return loadPrivateKey(await readKeyFile(resolve(cwd, path), path), path, passphrase);
}

export async function trustPublicKey(path: string, cwd: string): Promise<Trust> {
  const key = await loadPublicKeyFile(path, cwd);
  return { keys: new Map([[keyIdOf(key), key]]) };
}

/** A keyring: every <name>.pub.pem in a directory; the signed header's key id picks the key. */
export async function loadKeyring(dir: string, cwd: string): Promise<Trust> {
  const full = resolve(cwd, dir);
  let names: string[];
  try {
    names = (await fs.readdir(full)).filter((n) => n.endsWith('.pub.pem')).sort();
  } catch (err) {
    throw new MiniappError('KEYRING_INVALID', { path: dir, reason: (err as Error).message }, { cause: err });
  }
  if (names.length === 0) throw new MiniappError('KEYRING_INVALID', { path: dir, reason: 'it holds no *.pub.pem file' });
  const keys = new Map<string, KeyObject>();
  for (const name of names) {
    const key = await loadPublicKeyFile(join(dir, name), cwd);
    keys.set(keyIdOf(key), key);
  }
  return { keys, keyring: true };
}
