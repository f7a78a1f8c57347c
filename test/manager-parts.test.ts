import { describe, expect, it } from 'vitest';
import type { ManagedApp } from '../src/host/manager.js';
import { reclaimOrder, suspendIdle } from '../src/host/manager/reclaim.js';
import { createSparePool } from '../src/host/manager/spares.js';
import type { Sandbox, SandboxExit } from '../src/sandbox/index.js';

/** A sandbox stand-in: exits when told to, counts its close() calls. */
function fakeSandbox(name: string) {
  let exit!: (e: SandboxExit) => void;
  const exited = new Promise<SandboxExit>((r) => (exit = r));
  const s = {
    name,
    closes: 0,
    exited,
    exit: () => exit({ reason: 'CRASHED' } as SandboxExit),
    close: async () => {
      s.closes++;
      return { reason: 'STOPPED' } as SandboxExit;
    },
  };
  return s;
}
type Fake = ReturnType<typeof fakeSandbox>;
const asSandbox = (f: Fake) => f as unknown as Sandbox;

function pool(options: { count: number; replenish?: boolean; initial?: Fake[] }) {
  const started: Fake[] = [];
  let closed = false;
  const p = createSparePool({
    count: options.count,
    initial: options.initial?.map(asSandbox),
    replenish: options.replenish ?? true,
    start: () => {
      const s = fakeSandbox(`s${started.length + 1}`);
      started.push(s);
      return asSandbox(s);
    },
    closed: () => closed,
  });
  return { p, started, close: () => (closed = true) };
}

describe('the spare sandbox pool', () => {
  it('boots the configured number at once and hands them out first in, first out, replacing each', () => {
    const { p, started } = pool({ count: 2 });
    expect(started.map((s) => s.name)).toEqual(['s1', 's2']);
    expect((p.take() as unknown as Fake).name).toBe('s1');
    expect(started.map((s) => s.name)).toEqual(['s1', 's2', 's3']);
    expect(p.size).toBe(2);
  });

  it('uses the caller’s sandboxes first and boots only what is missing', () => {
    const given = fakeSandbox('given');
    const { p, started } = pool({ count: 2, initial: [given] });
    expect(started).toHaveLength(1);
    expect((p.take() as unknown as Fake).name).toBe('given');
  });

  it('does not replace a taken spare when told not to (a one-app host), and runs dry', () => {
    const { p, started } = pool({ count: 1, replenish: false });
    expect(p.take()).toBeDefined();
    expect(p.take()).toBeUndefined();
    expect(started).toHaveLength(1);
  });

  it('drops a spare that exits while waiting', async () => {
    const { p, started } = pool({ count: 2 });
    started[0]!.exit();
    await started[0]!.exited;
    await Promise.resolve();
    expect(p.size).toBe(1);
    expect((p.take() as unknown as Fake).name).toBe('s2');
  });

  it('starts nothing once its owner has closed, and close() closes every spare still waiting', async () => {
    const { p, started, close } = pool({ count: 2 });
    close();
    p.take();
    expect(started).toHaveLength(2);
    await p.close();
    expect(started.map((s) => s.closes)).toEqual([0, 1]);
    expect(p.size).toBe(0);
  });

  it('keeps none with a count of 0', () => {
    const { p, started } = pool({ count: 0 });
    expect(p.take()).toBeUndefined();
    expect(started).toHaveLength(0);
  });
});

function app(lastActive: number, suspended = false, exited = false) {
  const a = {
    suspended,
    suspends: 0,
    suspend() {
      a.suspended = true;
      a.suspends++;
    },
  };
  return { app: a, lastActive, version: '1.0.0', exit: exited ? ({ reason: 'CRASHED' } as SandboxExit) : undefined } as unknown as ManagedApp & { app: typeof a };
}

describe('reclaim order and idle suspension', () => {
  it('reclaims suspended apps before visible ones, each group least recently active first, and never an exited one', () => {
    const running = new Map([
      ['visible-old', app(100)],
      ['suspended-new', app(900, true)],
      ['visible-new', app(800)],
      ['suspended-old', app(200, true)],
      ['gone', app(1, true, true)],
    ]);
    expect(reclaimOrder(running).map(([id]) => id)).toEqual(['suspended-old', 'suspended-new', 'visible-old', 'visible-new']);
  });

  it('suspends exactly the running apps idle for the limit or longer, once', () => {
    const running = new Map([
      ['idle', app(1000)],
      ['just-at-limit', app(1500)],
      ['active', app(1600)],
      ['already', app(0, true)],
      ['gone', app(0, false, true)],
    ]);
    suspendIdle(running, 2000, 500);
    const suspends = Object.fromEntries([...running].map(([id, m]) => [id, (m.app as unknown as { suspends: number }).suspends]));
    expect(suspends).toEqual({ idle: 1, 'just-at-limit': 1, active: 0, already: 0, gone: 0 });
  });

  it('never suspends with an idle limit of 0', () => {
    const running = new Map([['idle', app(0)]]);
    suspendIdle(running, 1e9, 0);
    expect(running.get('idle')!.app.suspended).toBe(false);
  });
});
