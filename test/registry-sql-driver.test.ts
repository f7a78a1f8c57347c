import { describe, expect, it } from 'vitest';
import { MiniappError } from '../src/core/errors/index.js';
import { driverRunner, inTransaction, UniqueViolation } from '../src/registry/sql.js';
import { createLock } from '../src/registry/sqlite.js';

describe('the shared driver pieces', () => {
  const unique = new Error('dup');
  const mapError = (err: unknown): never => {
    if (err === unique) throw new UniqueViolation(err);
    throw err;
  };

  it('a runner sends undefined parameters as NULL and maps a driver failure, sync or async', async () => {
    const sent: unknown[][] = [];
    const runner = driverRunner(
      {
        all: (_sql, p) => {
          sent.push(p);
          if (p[0] === 'boom') throw unique;
          return [{ n: 1 }];
        },
        run: async (_sql, p) => {
          sent.push(p);
          if (p[0] === 'boom') throw unique;
          return 3;
        },
      },
      mapError,
    );
    expect(await runner.all('q', [undefined, 1, null])).toEqual([{ n: 1 }]);
    expect(await runner.run('q')).toEqual({ changes: 3 });
    expect(sent).toEqual([[null, 1, null], []]);
    await expect(runner.all('q', ['boom'])).rejects.toBeInstanceOf(UniqueViolation);
    await expect(runner.run('q', ['boom'])).rejects.toBeInstanceOf(UniqueViolation);
  });

  it('a transaction commits what its body returns', async () => {
    const log: string[] = [];
    const value = await inTransaction(
      (sql) => void log.push(sql),
      'BEGIN',
      async () => {
        log.push('body');
        return 42;
      },
      mapError,
    );
    expect(value).toBe(42);
    expect(log).toEqual(['BEGIN', 'body', 'COMMIT']);
  });

  it('a failed body is rolled back and its own error thrown, even when ROLLBACK fails too', async () => {
    const log: string[] = [];
    const rollbackFailures: unknown[] = [];
    const coded = new MiniappError('REGISTRY_BAD_REQUEST', { reason: 'x' });
    const exec = (sql: string) => {
      log.push(sql);
      if (sql === 'ROLLBACK') throw new Error('no transaction');
    };
    const thrown = await inTransaction(
      exec,
      'BEGIN',
      () => Promise.reject(coded),
      mapError,
      (e) => rollbackFailures.push(e),
    ).catch((e: unknown) => e);
    expect(thrown).toBe(coded);
    expect(log).toEqual(['BEGIN', 'ROLLBACK']);
    expect(rollbackFailures).toHaveLength(1);
  });

  it('a failed COMMIT is rolled back and goes through the driver’s mapping', async () => {
    const log: string[] = [];
    const exec = (sql: string) => {
      log.push(sql);
      if (sql === 'COMMIT') throw unique;
    };
    await expect(inTransaction(exec, 'BEGIN IMMEDIATE', async () => 1, mapError)).rejects.toBeInstanceOf(UniqueViolation);
    expect(log).toEqual(['BEGIN IMMEDIATE', 'COMMIT', 'ROLLBACK']);
  });
});

describe('the embedded database’s transaction lock', () => {
  it('lets queries through at once when nothing holds it', async () => {
    const lock = createLock();
    let through = false;
    await lock.idle().then(() => (through = true));
    expect(through).toBe(true);
  });

  it('holds queries and later transactions until the one holding it releases, in arrival order', async () => {
    const lock = createLock();
    const order: string[] = [];
    const release = await lock.acquire();
    const query = lock.idle().then(() => order.push('query'));
    const second = lock.acquire().then((r) => {
      order.push('second');
      r();
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    release();
    await Promise.all([query, second]);
    expect(order).toEqual(['query', 'second']);
    // and once everyone is done, it is free again
    let free = false;
    await lock.idle().then(() => (free = true));
    expect(free).toBe(true);
  });
});
