import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OMITTED, TOO_DEEP, UNREADABLE, wireError, wireValue } from '../src/server/client/wire.js';
import { LIMITS } from '../src/server/protocol.js';
import { parseClientMessage } from '../src/server/validate.js';

/** The message the client and the simulator send for a call with these params and result. */
const frame = (params: unknown, result: unknown) =>
  JSON.stringify({
    type: 'bridge-call',
    call: { id: 'c1', method: 'storage.set', params: wireValue(params), outcome: 'ok', result: wireValue(result), latencyMs: 1, startedAt: new Date().toISOString() },
  });

const nested = (n: number) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: [v] };
  return v;
};

// What a page's client puts on the wire for the inspector, whatever the app passed to the bridge: the
// server must accept it (a rejected or oversized frame lost the call, or cut the page's live reload).
describe('bridge values as the dev client sends them', () => {
  it('keeps a deep, huge or hostile value within the server’s limits, and the server accepts it', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const hostile = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
    const cases: [string, unknown][] = [
      ['10,000 levels', nested(10_000)],
      ['a 3 MB string', 'x'.repeat(3 * 1024 * 1024)],
      ['100,000 values', Array.from({ length: 100_000 }, (_, i) => i)],
      ['a cycle', cyclic],
      ['a getter that throws', hostile],
      ['control characters, 6 bytes each as JSON', '\u0001'.repeat(LIMITS.maxStringLength * 40)],
      ['many long keys', Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`${'k'.repeat(1000)}${i}`, 'v'.repeat(1000)]))],
    ];
    for (const [name, value] of cases) {
      const text = frame(value, value);
      expect(text.length, name).toBeLessThan(LIMITS.maxFrameBytes);
      expect(parseClientMessage(text).ok, name).toBe(true);
    }
    expect(JSON.stringify(wireValue(nested(100)))).toContain(TOO_DEEP);
    expect(JSON.stringify(wireValue(Array.from({ length: 100_000 }, (_, i) => i)))).toContain(OMITTED);
    expect(wireValue(hostile)).toEqual(UNREADABLE);
  });

  it('copies plain JSON as JSON does: toJSON, dropped functions, null for NaN, __proto__ a plain key', () => {
    expect(wireValue({ at: new Date(0), f: () => 1, n: Number.NaN, list: [undefined, 1], big: 10n })).toEqual({ at: '1970-01-01T00:00:00.000Z', n: null, list: [null, 1], big: '10' });
    const copy = wireValue(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('turns any thrown value into a short error record without throwing', () => {
    const nasty = {
      get code(): string {
        throw new Error('no');
      },
    };
    expect(wireError(nasty)).toEqual({ code: 'INTERNAL_ERROR', message: '[object Object]' });
    expect(wireError(Object.assign(new Error('m'.repeat(10_000)), { code: 'X', path: 'params.a' }))).toMatchObject({ code: 'X', path: 'params.a' });
    expect(wireError(new Error('m'.repeat(10_000))).message.length).toBeLessThanOrEqual(2000);
    expect(
      wireError({
        toString: () => {
          throw new Error('x');
        },
      }).message,
    ).toBe(UNREADABLE);
  });

  it('fuzz: whatever the value, the frame passes the server’s check', () => {
    fc.assert(
      fc.property(
        fc.anything({ maxDepth: 40, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true }),
        (v) => parseClientMessage(frame(v, v)).ok,
      ),
      { numRuns: 500 },
    );
  });
});
