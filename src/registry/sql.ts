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
