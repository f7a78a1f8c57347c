import { createRequire } from 'node:module';
import { MiniappError } from '../core/errors/index.js';
import { driverRunner, inTransaction, UniqueViolation, type MapDriverError, type Row, type SqlDb, type SqlRunner } from './sql.js';

interface PgClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  release(err?: unknown): void;
}
interface PgPool {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
  on(event: 'error', fn: (err: Error) => void): void;
}

export interface PostgresOptions {
  /** postgres://user:password@host:port/database, or a socket directory as host (?host=/run/postgresql). */
  url: string;
  /** A schema of its own (created if missing): several registries, or test runs, can share one database. */
  schema?: string;
  /** Connections per process (default 10). */
  poolSize?: number;
}

/** `?` placeholders become PostgreSQL's `$1, $2...` (the store's queries hold no literal question marks). */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

/** The URL without its password, for messages and logs. */
const redact = (url: string) => url.replace(/(\/\/[^:/@]+):[^@]*@/, '$1:***@');

/** A connection that failed or went away (class 08, 57 or 53, or a socket error): retry later, nothing stored. */
function unavailable(err: unknown): boolean {
  const code = String((err as { code?: unknown }).code ?? '');
  const message = (err as Error).message ?? '';
  return /^(08|57|53)/.test(code) || /^E[A-Z]+$/.test(code) || /Connection terminated|connection timeout|timeout exceeded|Client has encountered a connection error|not queryable/i.test(message);
}

function mapError(err: unknown, where: string): never {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code === '23505') throw new UniqueViolation(err);
  if (unavailable(err)) throw new MiniappError('REGISTRY_STORE_UNAVAILABLE', { reason: `${where}: ${(err as Error).message}` }, { cause: err });
  throw err;
}

type PgModule = { Pool: new (config: object) => PgPool; types: { getTypeParser(oid: number, format?: string): (v: string) => unknown } };

/**
 * PostgreSQL for a registry that outgrows one machine: several stateless registry processes share one
 * database through node-postgres pools. A database that goes away fails the request in hand with
 * REGISTRY_STORE_UNAVAILABLE and the pool reconnects for the next one; the process keeps serving.
 */
export async function openPostgresDb(options: PostgresOptions): Promise<SqlDb> {
  const where = redact(options.url);
  const pg = createRequire(import.meta.url)('pg') as PgModule;
  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    throw new MiniappError('REGISTRY_STORE_INVALID', { where, reason: `schema ${JSON.stringify(schema)} is not a plain lower-case identifier` });
  const pool = openPool(pg, options);
  if (schema) await createSchema(pool, schema, where);
  const failed: MapDriverError = (err) => mapError(err, where);
  const direct = pgRunner((sql, p) => pool.query(sql, p), failed);
  return {
    dialect: 'postgres',
    where,
    all: direct.all,
    run: direct.run,
    async exec(sql) {
      await direct.run(sql);
    },
    async transaction(fn) {
      let client: PgClient;
      try {
        client = await pool.connect();
      } catch (err) {
        return failed(err);
      }
      let broken: unknown;
      try {
        return await inTransaction(
          (sql) => client.query(sql),
          'BEGIN',
          () => fn(pgRunner((sql, p) => client.query(sql, p), failed)),
          failed,
          (e) => (broken = e),
        );
      } finally {
        // A connection whose ROLLBACK failed is dropped, not returned to the pool.
        client.release(broken);
      }
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}

function openPool(pg: PgModule, options: PostgresOptions): PgPool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 15_000,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    // BIGINT columns hold millisecond times and sizes: well inside a double.
    types: { getTypeParser: (oid: number, format?: string) => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) },
  });
  pool.on('error', () => undefined); // an idle connection dropped by the server: the next query reconnects
  return pool;
}

async function createSchema(pool: PgPool, schema: string, where: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new MiniappError('REGISTRY_STORE_INVALID', { where, reason: (err as Error).message }, { cause: err });
  }
}

/** The pool's or one client's queries as a runner: `?` placeholders numbered, a failure mapped. */
function pgRunner(query: (sql: string, p: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>, failed: MapDriverError): SqlRunner {
  return driverRunner(
    {
      all: async (sql, p) => (await query(numbered(sql), p)).rows,
      run: async (sql, p) => (await query(numbered(sql), p)).rowCount ?? 0,
    },
    failed,
  );
}
