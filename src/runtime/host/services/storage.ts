import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../core/fs/atomic.js';
import { BridgeFailure } from '../failure.js';

export const DEFAULT_STORAGE_QUOTA = 10 * 1024 * 1024;
const MAGIC = Buffer.from('MAS1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Where the file of an app's storage lives: an HMAC of the app id, so the data directory does not
 * even reveal which apps have stored data to someone without the host key.
 */
export function storageFileName(hostKey: Uint8Array, appId: string): string {
  return `${createHmac('sha256', hostKey).update(`storage-file:${appId}`).digest('hex').slice(0, 32)}.bin`;
}

/** The per-app AES-256 key: HKDF-SHA256 of the host key, with the app id as context. */
export function appStorageKey(hostKey: Uint8Array, appId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', hostKey, Buffer.from('miniapp-storage-v1'), Buffer.from(appId), 32));
}

/** Size an entry counts toward the quota: its key and value in UTF-8. */
const entrySize = (key: string, value: string) => Buffer.byteLength(key) + Buffer.byteLength(value);

export interface AppStorageOptions {
  appId: string;
  hostKey: Uint8Array;
  /** Directory for the encrypted files; omitted: storage lives in memory for this run only. */
  dataDir?: string;
  quotaBytes?: number;
}

/**
 * One app's key-value storage. Keys are opaque strings in a Map of this app only (no key syntax can
 * reach another app). Writes are checked against the quota before anything changes, then persisted
 * as one AES-256-GCM file (app id as associated data, so files cannot be swapped between apps),
 * replaced atomically: a reader sees the old or the new content, never a part.
 */
export class AppStorage {
  readonly quotaBytes: number;
  private readonly entries = new Map<string, string>();
  private used = 0;
  private readonly key: Buffer;
  private readonly file?: string;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;

  constructor(private readonly options: AppStorageOptions) {
    this.quotaBytes = options.quotaBytes ?? DEFAULT_STORAGE_QUOTA;
    this.key = appStorageKey(options.hostKey, options.appId);
    if (options.dataDir) {
      const dir = join(options.dataDir, 'storage');
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      this.file = join(dir, storageFileName(options.hostKey, options.appId));
      this.load();
    }
  }

  private load(): void {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file!);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const data = JSON.parse(this.decrypt(bytes).toString('utf8')) as Record<string, string>;
    for (const [k, v] of Object.entries(data)) {
      this.entries.set(k, v);
      this.used += entrySize(k, v);
    }
  }

  private encrypt(plain: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(this.options.appId));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([MAGIC, iv, body, cipher.getAuthTag()]);
  }

  private decrypt(bytes: Buffer): Buffer {
    if (bytes.length < MAGIC.length + IV_BYTES + TAG_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new Error('storage file is not a miniapp storage file');
    }
    const iv = bytes.subarray(MAGIC.length, MAGIC.length + IV_BYTES);
    const tag = bytes.subarray(bytes.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAAD(Buffer.from(this.options.appId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(bytes.subarray(MAGIC.length + IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  }

  get usedBytes(): number {
    return this.used;
  }

  get(key: string): string | null {
    return this.entries.get(key) ?? null;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  set(key: string, value: string): void {
    const before = this.entries.get(key);
    const next = this.used - (before === undefined ? 0 : entrySize(key, before)) + entrySize(key, value);
    if (next > this.quotaBytes) {
      throw new BridgeFailure('QUOTA_EXCEEDED', `writing ${JSON.stringify(key.slice(0, 50))} would use ${next} bytes, over the ${this.quotaBytes}-byte quota (${this.used} used); nothing was written`);
    }
    this.entries.set(key, value);
    this.used = next;
    this.changed();
  }

  remove(key: string): void {
    const before = this.entries.get(key);
    if (before === undefined) return;
    this.entries.delete(key);
    this.used -= entrySize(key, before);
    this.changed();
  }

  clear(): void {
    if (this.entries.size === 0) return;
    this.entries.clear();
    this.used = 0;
    this.changed();
  }

  /** A snapshot of the entries (for tests and reports). */
  snapshot(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }

  /** Writes are coalesced: a loop of 10,000 sets writes the file a handful of times, not 10,000. */
  private changed(): void {
    if (!this.file) return;
    this.dirty = true;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush().catch(() => undefined);
    });
  }

  /** Persists pending changes; resolves when the file on disk holds them. */
  flush(): Promise<void> {
    if (!this.file) return Promise.resolve();
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const plain = Buffer.from(JSON.stringify(Object.fromEntries(this.entries)));
      await writeFileAtomic(this.file!, this.encrypt(plain), { mode: 0o600 });
    });
    return this.writing;
  }
}
