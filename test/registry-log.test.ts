import { describe, expect, it } from 'vitest';
import { batchLines } from '../src/registry/log-lines.js';

describe('request log lines', () => {
  it('writes the lines of one event-loop turn in one write, in order, and each later turn in its own', async () => {
    const writes: string[] = [];
    const log = batchLines((text) => writes.push(text));
    log.line('{"n":1}');
    log.line('{"n":2}');
    log.line('{"n":3}');
    expect(writes).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}']);
    log.line('{"n":4}');
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['{"n":1}\n{"n":2}\n{"n":3}', '{"n":4}']);
  });

  it('flush() writes what waits at once (at shutdown), and nothing twice', async () => {
    const writes: string[] = [];
    const log = batchLines((text) => writes.push(text));
    log.line('a');
    log.flush();
    expect(writes).toEqual(['a']);
    log.flush();
    await new Promise((r) => setImmediate(r));
    expect(writes).toEqual(['a']);
  });
});
