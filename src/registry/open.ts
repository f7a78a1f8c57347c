import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { openFileBlobStore, type BlobStore } from './blobs.js';
import { createSqlStore } from './sql-store.js';
import type { RegistryStore } from './store.js';

export interface StoreLocation {
  /** The embedded store's folder: registry.db and blobs/. Also where blobs live with PostgreSQL. */
  data?: string;
  /** postgres://… : records in PostgreSQL (blobs still under data/ unless blobsDir says otherwise). */
  database?: string;
  /** PostgreSQL schema (default public). */
  schema?: string;
  cwd?: string;
}

/** Opens the store and blob folder a location names: the embedded default (one folder) or PostgreSQL. */
export async function openRegistryStore(where: StoreLocation): Promise<{ store: RegistryStore; blobs: BlobStore }> {
  if (!where.data) throw new MiniappError('REGISTRY_STORE_MISSING');
  const dir = resolve(where.cwd ?? process.cwd(), where.data);
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new MiniappError('REGISTRY_STORE_INVALID', { where: dir, reason: (err as Error).message }, { cause: err });
  }
  const blobs = await openFileBlobStore(dir);
  if (where.database) {
    const { openPostgresDb } = await import('./postgres.js');
    return { store: await createSqlStore(await openPostgresDb({ url: where.database, schema: where.schema })), blobs };
  }
  const { openSqliteDb } = await import('./sqlite.js');
  return { store: await createSqlStore(openSqliteDb(join(dir, 'registry.db'))), blobs };
}
