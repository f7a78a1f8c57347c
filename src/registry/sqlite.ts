import { createRequire } from 'node:module';
import { MiniappError } from '../core/errors/index.js';
import { UniqueViolation, type Row, type SqlDb, type SqlRunner } from './sql.js';

type Statement = { all(...p: unknown[]): Row[]; run(...p: unknown[]): { changes: number }; reader: boolean };
type Database = { prepare(sql: string): Statement; exec(sql: string): void; pragma(s: string): unknown; close(): void };

const params = (p: readonly unknown[] = []) => p.map((v) => (v === undefined ? null : v));

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
  let db: Database;
  try {
    const BetterSqlite = createRequire(import.meta.url)('better-sqlite3') as new (file: string) => Database;
    db = new BetterSqlite(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    throw new MiniappError('REGISTRY_STORE_INVALID', { where: file, reason: (err as Error).message }, { cause: err });
  }
  const cache = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let s = cache.get(sql);
    if (!s) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const direct: SqlRunner = {
    async all<T extends Row>(sql: string, p?: readonly unknown[]) {
      try {
        return prepare(sql).all(...params(p)) as T[];
      } catch (err) {
        return mapError(err);
      }
    },
    async run(sql: string, p?: readonly unknown[]) {
      try {
        return { changes: prepare(sql).run(...params(p)).changes };
      } catch (err) {
        return mapError(err);
      }
    },
  };
  // One lock: a transaction holds it from BEGIN to COMMIT; other queries wait only while it is held.
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
  const idle = async () => {
    if (held) (await acquire())();
  };
  return {
    dialect: 'sqlite',
    where: file,
    async all(sql, p) {
      await idle();
      return direct.all(sql, p);
    },
    async run(sql, p) {
      await idle();
      return direct.run(sql, p);
    },
    async exec(sql) {
      await idle();
      db.exec(sql);
    },
    async transaction(fn) {
      const release = await acquire();
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          const value = await fn(direct);
          db.exec('COMMIT');
          return value;
        } catch (err) {
          db.exec('ROLLBACK');
          throw err;
        }
      } finally {
        release();
      }
    },
    async close() {
      await idle();
      db.close();
    },
  };
}
