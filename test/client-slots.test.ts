import { describe, expect, it } from 'vitest';
import { admit, type Slot } from '../src/server/client-slots.js';

const slot = (openedAt: number, spoke = false): Slot & { name: string } => ({ name: `opened at ${openedAt}${spoke ? ', spoke' : ''}`, openedAt, spoke });

describe('client slots', () => {
  it('admits anyone below the cap, whatever the others do', () => {
    expect(admit([slot(0), slot(1)], 3, 10, 3000)).toEqual({ admit: true });
    expect(admit([], 1, 0, 3000)).toEqual({ admit: true });
  });

  it('at the cap, gives the slot of the oldest socket silent past the deadline', () => {
    const held = [slot(500), slot(100), slot(0, true), slot(300)];
    const decision = admit(held, 4, 5000, 3000);
    expect(decision).toEqual({ admit: true, evict: held[1] });
  });

  it('never takes the slot of a client that spoke, however old', () => {
    const held = [slot(0, true), slot(1, true)];
    expect(admit(held, 2, 1_000_000, 3000)).toEqual({ admit: false });
  });

  it('refuses while every silent socket is within its deadline, and says when to try again', () => {
    const held = [slot(1000), slot(2000), slot(0, true)];
    expect(admit(held, 3, 2500, 3000)).toEqual({ admit: false, retryAfterMs: 1500 });
    // The deadline itself is enough.
    expect(admit(held, 3, 4000, 3000)).toEqual({ admit: true, evict: held[0] });
  });
});
