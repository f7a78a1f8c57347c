import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRebuilder, mergeChange, requestOf, type RebuildRequest } from '../src/server/rebuilder.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('pending changes', () => {
  it('keeps every path once, sorted, and a manual request wins over a change', () => {
    let p = mergeChange(undefined, 'src/b.js', 'change');
    p = mergeChange(p, 'src/a.js', 'change');
    p = mergeChange(p, 'src/b.js', 'change');
    expect(requestOf(p)).toEqual({ changed: ['src/a.js', 'src/b.js'], reason: 'change' });
    p = mergeChange(p, undefined, 'manual');
    p = mergeChange(p, 'src/c.js', 'change');
    expect(requestOf(p)).toEqual({ changed: ['src/a.js', 'src/b.js', 'src/c.js'], reason: 'manual' });
    expect(requestOf(undefined)).toEqual({ changed: [], reason: 'manual' });
  });
});

/** A rebuilder whose builds finish when the test says so. */
function harness(debounceMs: number) {
  const started: RebuildRequest[] = [];
  const done: { result: number; request: RebuildRequest }[] = [];
  const finish: (() => void)[] = [];
  let n = 0;
  const rebuilder = createRebuilder<number>({
    debounceMs,
    build: (request) => {
      started.push(request);
      const result = ++n;
      return new Promise<number>((resolve) => finish.push(() => resolve(result)));
    },
    onDone: (result, request) => done.push({ result, request }),
    onFailure: (err) => {
      throw err;
    },
  });
  /** Finishes the oldest running build and lets its continuation run. */
  const end = async () => {
    finish.shift()!();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { rebuilder, started, done, end };
}

describe('the rebuild loop (fake time)', () => {
  it('starts one rebuild for changes within the debounce window', async () => {
    vi.useFakeTimers();
    const { rebuilder, started, done, end } = harness(50);
    rebuilder.schedule('src/a.js');
    await vi.advanceTimersByTimeAsync(30);
    rebuilder.schedule('src/b.js');
    await vi.advanceTimersByTimeAsync(30);
    expect(started).toEqual([]); // the second change restarted the window
    await vi.advanceTimersByTimeAsync(30);
    expect(started).toEqual([{ changed: ['src/a.js', 'src/b.js'], reason: 'change' }]);
    await end();
    expect(done.map((d) => d.result)).toEqual([1]);
    expect(rebuilder.busy()).toBe(false);
  });

  it('changes during a rebuild start exactly one more, and only its result is reported', async () => {
    vi.useFakeTimers();
    const { rebuilder, started, done, end } = harness(0);
    rebuilder.schedule('src/a.js');
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toHaveLength(1);
    for (const f of ['src/b.js', 'src/c.js', 'src/b.js']) rebuilder.schedule(f);
    const waited = rebuilder.run('manual');
    await end(); // superseded: not reported, built again at once
    expect(done).toEqual([]);
    expect(started[1]).toEqual({ changed: ['src/a.js', 'src/b.js', 'src/c.js'], reason: 'manual' });
    await end();
    expect(started).toHaveLength(2);
    expect(done.map((d) => d.result)).toEqual([2]);
    await expect(waited).resolves.toBe(2);
  });

  it('reports nothing after stop, and run() is refused', async () => {
    vi.useFakeTimers();
    const { rebuilder, started, done, end } = harness(0);
    rebuilder.schedule('src/a.js');
    await vi.advanceTimersByTimeAsync(0);
    rebuilder.stop();
    await end();
    rebuilder.schedule('src/b.js');
    await vi.advanceTimersByTimeAsync(10);
    expect(started).toHaveLength(1);
    expect(done).toEqual([]);
    await expect(rebuilder.run()).rejects.toThrow(/closed/);
  });
});
