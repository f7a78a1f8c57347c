import { describe, expect, it } from 'vitest';
import { crashLine, exitVerdict, Watchdog, type WatchdogLimits } from '../src/sandbox/watchdog.js';

/**
 * The sandbox watchdog without a process: made-up heartbeats, outside readings and times, and the
 * verdict (or none) the host acts on. The same decisions against a real sandbox are in sandbox.test.ts,
 * host-limits.test.ts and os-sandbox-escapes.test.ts.
 */

const MB = 1048576;
const limits: WatchdogLimits = { memoryMb: 64, busyMs: 1000, bootMs: 5000, messagesPerSecond: 100, maxTimers: 50, intervalMs: 100, heapMb: 160 };
const memory = (heapMb: number, externalMb = 0) => ({ rss: 0, heapUsed: heapMb * MB, external: externalMb * MB, arrayBuffers: externalMb * MB });
const quiet = { spinningMs: 0, rssBytes: 100 * MB };

/** A watchdog whose sandbox became ready at t=0 with 10 MB in use and 100 MB resident. */
function booted(l: WatchdogLimits = limits): Watchdog {
  const dog = new Watchdog(l, 0);
  expect(dog.ready(memory(10), 100 * MB, 0)).toBe(true);
  return dog;
}

describe('sandbox watchdog: memory', () => {
  it('stops a guest whose reported use grows past its limit over the baseline taken at ready, with the figures', () => {
    const dog = booted();
    expect(dog.heartbeat(memory(10 + 63), 0, 50)).toBeUndefined();
    expect(dog.heartbeat(memory(10 + 65), 0, 100)).toEqual({ reason: 'MEMORY_LIMIT', detail: 'the guest used 65 MB, over its 64 MB limit' });
  });

  it("does not hold the runtime's own start-up to the guest's limit", () => {
    const dog = new Watchdog(limits, 0);
    dog.heartbeat(memory(10), 0, 10);
    expect(dog.heartbeat(memory(200), 0, 20)).toBeUndefined();
    expect(dog.booted).toBe(false);
  });

  it('counts ArrayBuffers once (Node counts them in external already)', () => {
    const dog = booted();
    expect(dog.heartbeat(memory(10, 60), 0, 50)).toBeUndefined();
    expect(dog.memory().guestBytes).toBe(60 * MB);
    expect(dog.heartbeat(memory(10, 70), 0, 100)?.reason).toBe('MEMORY_LIMIT');
  });

  it('takes only the first ready: a later one cannot reset the baseline', () => {
    const dog = booted();
    expect(dog.ready(memory(60), 200 * MB, 50)).toBe(false);
    expect(dog.heartbeat(memory(80), 0, 60)?.reason).toBe('MEMORY_LIMIT');
  });

  it('stops a sandbox whose resident memory, as the host reads it, grows past the heap cap whatever it reports', () => {
    const dog = booted();
    dog.heartbeat(memory(10), 0, 50);
    expect(dog.check(100, { spinningMs: 0, rssBytes: (100 + 160) * MB })).toBeUndefined();
    dog.heartbeat(memory(10), 0, 150);
    expect(dog.check(200, { spinningMs: 0, rssBytes: (100 + 161) * MB })).toEqual({
      reason: 'MEMORY_LIMIT',
      detail: "the sandbox's resident memory grew by 161 MB, more than its 64 MB limit allows",
    });
  });

  it('takes the resident baseline at the first outside reading when the pid was not known at ready', () => {
    const dog = new Watchdog(limits, 0);
    dog.ready(memory(10), undefined, 0);
    expect(dog.check(50, { spinningMs: 0, rssBytes: 300 * MB })).toBeUndefined();
    expect(dog.check(90, { spinningMs: 0, rssBytes: 400 * MB })).toBeUndefined();
    expect(dog.check(95, { spinningMs: 0, rssBytes: 461 * MB })?.reason).toBe('MEMORY_LIMIT');
  });

  it('keeps the peak resident memory it was shown', () => {
    const dog = booted();
    dog.check(50, { spinningMs: 0, rssBytes: 150 * MB });
    expect(dog.peakRss(120 * MB)).toBe(150 * MB);
    expect(dog.peakRss(170 * MB)).toBe(170 * MB);
    expect(dog.peakRss()).toBe(170 * MB);
  });
});

describe('sandbox watchdog: time', () => {
  it('stops a guest that stops answering heartbeats for longer than its busy limit (plus one interval)', () => {
    const dog = booted();
    expect(dog.check(1100, quiet)).toBeUndefined();
    expect(dog.check(1101, quiet)).toEqual({ reason: 'CPU_LIMIT', detail: 'the guest kept the event loop busy for more than 1000 ms' });
  });

  it('gives the start-up its own, longer limit, and names it', () => {
    const dog = new Watchdog(limits, 0);
    expect(dog.check(1101, undefined)).toBeUndefined();
    expect(dog.check(5101, undefined)).toEqual({ reason: 'CPU_LIMIT', detail: 'the runtime start-up kept the event loop busy for more than 5000 ms' });
  });

  it('each heartbeat restarts the clock', () => {
    const dog = booted();
    dog.heartbeat(memory(10), 0, 1000);
    expect(dog.check(2000, quiet)).toBeUndefined();
    expect(dog.check(2101, quiet)?.reason).toBe('CPU_LIMIT');
  });

  it('calls a silent guest near its memory limit a memory stop (it is usually stuck collecting garbage)', () => {
    const dog = booted();
    dog.heartbeat(memory(10 + 50), 0, 0);
    expect(dog.check(1101, quiet)).toEqual({ reason: 'MEMORY_LIMIT', detail: 'the guest stopped answering while using 50 MB of its 64 MB limit' });
    const light = booted();
    light.heartbeat(memory(10 + 40), 0, 0);
    expect(light.check(1101, quiet)?.reason).toBe('CPU_LIMIT');
  });

  it('stops an event loop the host sees never sleep, even while the heartbeats come (they can be forged)', () => {
    const dog = booted();
    // twice the limit, at least 3 s, plus one interval
    dog.heartbeat(memory(10), 0, 3000);
    expect(dog.check(3000, { spinningMs: 3100, rssBytes: 100 * MB })).toBeUndefined();
    dog.heartbeat(memory(10), 0, 3050);
    expect(dog.check(3100, { spinningMs: 3101, rssBytes: 100 * MB })).toEqual({
      reason: 'CPU_LIMIT',
      detail: "the guest kept the sandbox's event loop from sleeping for 3101 ms, its limit is 1000 ms (measured by the host)",
    });
    const slow = booted({ ...limits, busyMs: 2000 });
    slow.heartbeat(memory(10), 0, 4000);
    expect(slow.check(4000, { spinningMs: 4100, rssBytes: 100 * MB })).toBeUndefined();
    expect(slow.check(4000, { spinningMs: 4101, rssBytes: 100 * MB })?.reason).toBe('CPU_LIMIT');
  });

  it('does not count the time a sandbox was suspended once it is resumed', () => {
    const dog = booted();
    dog.resumed(10_000);
    expect(dog.check(11_000, quiet)).toBeUndefined();
    expect(dog.check(11_101, quiet)?.reason).toBe('CPU_LIMIT');
  });
});

describe('sandbox watchdog: floods', () => {
  it('stops more messages in one second than the limit, and counts afresh in the next second', () => {
    const dog = booted();
    for (let i = 0; i < 100; i++) expect(dog.guestMessage(10 + i)).toBeUndefined();
    expect(dog.guestMessage(999)).toEqual({ reason: 'MESSAGE_FLOOD', detail: 'more than 100 messages in one second' });
    const paced = booted();
    for (let i = 0; i < 100; i++) paced.guestMessage(10);
    expect(paced.guestMessage(1010)).toBeUndefined();
  });

  it('stops more pending timers than the limit, even during start-up', () => {
    const dog = new Watchdog(limits, 0);
    expect(dog.heartbeat(memory(10), 50, 10)).toBeUndefined();
    expect(dog.heartbeat(memory(10), 51, 20)).toEqual({ reason: 'TIMER_FLOOD', detail: '51 pending timers, over the limit of 50' });
  });
});

describe('sandbox exit verdict', () => {
  const facts = { code: 1, signal: null, stderr: '', oomKilled: false, ceilingBytes: 400 * MB, cpuSeconds: 3600 };

  it('keeps the reason the host stopped the sandbox for', () => {
    expect(exitVerdict({ reason: 'MESSAGE_FLOOD', detail: 'why' }, { ...facts, code: null, signal: 'SIGKILL', oomKilled: true })).toEqual({ reason: 'MESSAGE_FLOOD', detail: 'why' });
    expect(exitVerdict({ reason: 'STOPPED' }, { ...facts, code: null, signal: 'SIGKILL' })).toEqual({ reason: 'STOPPED', detail: undefined });
  });

  it("reads the kernel's memory ceiling, V8's heap limit and RLIMIT_CPU from the exit", () => {
    expect(exitVerdict({}, { ...facts, code: null, signal: 'SIGKILL', oomKilled: true })).toEqual({
      reason: 'MEMORY_LIMIT',
      detail: 'the kernel stopped the sandbox at its cgroup memory ceiling of 400 MB',
    });
    expect(exitVerdict({}, { ...facts, code: 134, stderr: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }).reason).toBe('MEMORY_LIMIT');
    expect(exitVerdict({}, { ...facts, code: null, signal: 'SIGXCPU', cpuSeconds: 2 })).toEqual({ reason: 'CPU_LIMIT', detail: 'the sandbox used its 2 s of CPU time (RLIMIT_CPU)' });
    // bwrap passes a signal death on as 128 + its number (SIGXCPU is 24)
    expect(exitVerdict({}, { ...facts, code: 152 }).reason).toBe('CPU_LIMIT');
  });

  it('tells a clean exit from a crash, and names the crash by its error line', () => {
    expect(exitVerdict({}, { ...facts, code: 0 })).toEqual({ reason: 'EXITED', detail: undefined });
    const stderr = 'file.js:1\n  throw new Error("boom")\n\nError: boom\n    at x (file.js:1:7)\n\nNode.js v20.20.2\n';
    expect(exitVerdict({}, { ...facts, stderr })).toEqual({ reason: 'CRASHED', detail: 'Error: boom' });
    // a fatal message the sandbox sent before it died is kept over the stderr line
    expect(exitVerdict({ detail: 'SANDBOX_START_FAILED: no entry' }, { ...facts, code: 70, stderr })).toEqual({ reason: 'CRASHED', detail: 'SANDBOX_START_FAILED: no entry' });
  });

  it("skips Node's version banner when no line names an error", () => {
    expect(crashLine('something went wrong\n\nNode.js v20.20.2\n')).toBe('something went wrong');
    expect(crashLine('')).toBeUndefined();
  });
});
