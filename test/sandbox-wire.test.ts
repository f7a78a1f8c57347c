import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineChannel, lineReader, MAX_LINE_CHARS } from '../src/sandbox/wire.js';

describe('sandbox wire (JSON lines)', () => {
  it('decodes messages split anywhere, UTF-8 characters split across chunks included', () => {
    const got: unknown[] = [];
    const feed = lineReader((m) => got.push(m));
    const bytes = Buffer.from(`${JSON.stringify({ text: 'héllo 🌍 ok' })}\n${JSON.stringify({ n: 2 })}\n`);
    // One byte at a time: every multi-byte character is cut in the middle at some point.
    for (let i = 0; i < bytes.length; i++) feed(bytes.subarray(i, i + 1));
    expect(got).toEqual([{ text: 'héllo 🌍 ok' }, { n: 2 }]);
  });

  it('skips blank lines, reports bad lines, and refuses a line over the cap', () => {
    const got: unknown[] = [];
    const bad: string[] = [];
    let overflowed = 0;
    const feed = lineReader(
      (m) => got.push(m),
      (l) => bad.push(l),
      () => overflowed++,
    );
    feed(Buffer.from('\n{"a":1}\nnot json\n'));
    expect(got).toEqual([{ a: 1 }]);
    expect(bad).toEqual(['not json']);
    const big = Buffer.alloc(1024 * 1024, 'x');
    for (let sent = 0; sent <= MAX_LINE_CHARS; sent += big.length) feed(big);
    expect(overflowed).toBe(1);
    feed(Buffer.from('\n{"b":2}\n'));
    expect(got).toEqual([{ a: 1 }]); // nothing more is read from a side that broke the protocol
  });

  it('lineChannel sends and receives over a stream', async () => {
    const stream = new PassThrough();
    const got: unknown[] = [];
    const send = lineChannel(stream, (m) => got.push(m));
    send({ hello: 'wörld' });
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([{ hello: 'wörld' }]);
  });
});
