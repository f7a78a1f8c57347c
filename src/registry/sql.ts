import { isMiniappError } from '../core/errors/index.js';

/**
 * The little a registry store needs from a SQL database, so one store (store.ts) and one set of
 * migrations run on both the embedded database (sqlite.ts) and PostgreSQL (postgres.ts). Queries are
 * written with `?` placeholders; a driver rewrites them to its own.
 */
export type Dialect = 'sqlite' | 'postgres';

export type Row = Record<string, unknown>;

export interface SqlRunner {
  all<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
}

export interface SqlDb extends SqlRunner {
  readonly dialect: Dialect;
  /** Where the data is (a file path, or the PostgreSQL URL without its password), for messages. */
  readonly where: string;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs a migration's statements (several per string) outside any parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** A driver's unique-constraint violation, told apart so a store can turn a lost race into an answer. */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', { cause });
    this.name = 'UniqueViolation';
  }
}

/** A driver's two calls on one connection (or a pool): the rows a query returns, the rows a statement changed. */
export interface DriverCalls {
  all(sql: string, params: unknown[]): Promise<Row[]> | Row[];
  run(sql: string, params: unknown[]): Promise<number> | number;
}

/** Turns a driver's own failure into what the store understands (UniqueViolation, a coded error) or rethrows it. */
export type MapDriverError = (err: unknown) => never;

/** A SqlRunner over a driver's calls: undefined parameters are sent as NULL, and every failure goes through mapError. */
export function driverRunner(calls: DriverCalls, mapError: MapDriverError): SqlRunner {
  const nulls = (p: readonly unknown[]) => p.map((v) => (v === undefined ? null : v));
  return {
    async all<T extends Row>(sql: string, p: readonly unknown[] = []) {
      try {
        return (await calls.all(sql, nulls(p))) as T[];
      } catch (err) {
        return mapError(err);
      }
    },
    async run(sql: string, p: readonly unknown[] = []) {
      try {
        return { changes: await calls.run(sql, nulls(p)) };
      } catch (err) {
        return mapError(err);
      }
    },
  };
}

/**
 * One transaction on one connection, the same for every driver: `begin`, the body, COMMIT; ROLLBACK if
 * any of them fails, and then the failure itself is thrown (a failed ROLLBACK goes to onRollbackError,
 * so the driver can drop the connection). What the body's runner already mapped is thrown as it is; a
 * failure of BEGIN or COMMIT goes through mapError.
 */
export async function inTransaction<T>(
  exec: (sql: string) => Promise<unknown> | unknown,
  begin: string,
  body: () => Promise<T>,
  mapError: MapDriverError,
  onRollbackError: (err: unknown) => void = () => undefined,
): Promise<T> {
  try {
    await exec(begin);
    const value = await body();
    await exec('COMMIT');
    return value;
  } catch (err) {
    try {
      await exec('ROLLBACK');
    } catch (e) {
      onRollbackError(e);
    }
    if (err instanceof UniqueViolation || isMiniappError(err)) throw err;
    return mapError(err);
  }
}
