import { createRequire } from 'node:module';
import { MiniappError } from '../core/errors/index.js';
import { driverRunner, inTransaction, UniqueViolation, type Row, type SqlDb } from './sql.js';

type Statement = { all(...p: unknown[]): Row[]; run(...p: unknown[]): { changes: number }; reader: boolean };
type Database = { prepare(sql: string): Statement; exec(sql: string): void; pragma(s: string): unknown; close(): void };

function mapError(err: unknown): never {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new UniqueViolation(err);
  throw err;
}

/**
 * The embedded store's database: one SQLite file (better-sqlite3, synchronous and in-process), in WAL
 * mode. Its calls are synchronous, so the only interleaving to guard against is a transaction that
 * awaits between statements: while one runs, every other query waits for it.
 */
export function openSqliteDb(file: string): SqlDb {
  const db = openFile(file);
  const cache = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const direct = driverRunner({ all: (sql, p) => prepare(sql).all(...p), run: (sql, p) => prepare(sql).run(...p).changes }, mapError);
  const lock = createLock();
  return {
    dialect: 'sqlite',
    where: file,
    async all(sql, p) {
      await lock.idle();
      return direct.all(sql, p);
    },
    async run(sql, p) {
      await lock.idle();
      return direct.run(sql, p);
    },
    async exec(sql) {
      await lock.idle();
      db.exec(sql);
    },
    async transaction(fn) {
      const release = await lock.acquire();
      try {
        return await inTransaction(
          (sql) => db.exec(sql),
          'BEGIN IMMEDIATE',
          () => fn(direct),
          mapError,
        );
      } finally {
        release();
      }
    },
    async close() {
      await lock.idle();
      db.close();
    },
  };
}

/** Opens the file in WAL mode with foreign keys on; a file that is not a database is REGISTRY_STORE_INVALID. */
function openFile(file: string): Database {
  try {
    const BetterSqlite = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => Database;
    const db = new BetterSqlite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    return db;
  } catch (err) {
    throw new MiniappError('REGISTRY_STORE_INVALID', { where: file, reason: (err as Error).message }, { cause: err });
  }
}

export interface TransactionLock {
  /** Waits for the lock and returns its release: a transaction holds it from BEGIN to COMMIT. */
  acquire(): Promise<() => void>;
  /** Resolves at once when no one holds or waits for the lock, else when those before it are done. */
  idle(): Promise<void>;
}

/** One lock, first come first served: other queries wait only while a transaction holds it (or waits for it). */
export function createLock(): TransactionLock {
  let tail: Promise<void> = Promise.resolve();
  let held = 0;
  const acquire = (): Promise<() => void> => {
    held++;
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = tail;
    tail = tail.then(() => next);
    return prev.then(() => () => {
      held--;
      release();
    });
  };
  return {
    acquire,
    async idle() {
      if (held) (await acquire())();
    },
  };
}
