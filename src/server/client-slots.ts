/**
 * Who gets one of the WebSocket endpoint's client slots (LIMITS.maxClients). A client that follows the
 * protocol speaks first: the browser client and the simulator send `hello` the moment the socket opens,
 * and any valid message counts as having spoken. A socket that has said nothing for `helloTimeoutMs` is
 * idle: the cheapest way a hostile page can hold slots is to open sockets and never speak. When every
 * slot is taken, a newcomer takes the slot of the oldest idle socket (which is closed) instead of being
 * refused; only when no socket is idle is the newcomer refused, told when to try again.
 *
 * A silent socket is never closed for being silent alone: a client written to the protocol before the
 * client `hello` existed may never send a frame, and it keeps working until the server is full.
 * Pure (time is a parameter), so the rule is tested without sockets or clocks.
 */
export interface Slot {
  /** When the socket opened (ms, the caller's clock). */
  readonly openedAt: number;
  /** It sent a valid message (`hello` or any other) since. */
  spoke: boolean;
}

export type Admission<S extends Slot> =
  /** Take a slot; first close `evict`, if given, whose slot it takes. */
  | { admit: true; evict?: S }
  /** Full of clients that spoke or are still within their deadline: try again in `retryAfterMs` (unknown when every client spoke). */
  | { admit: false; retryAfterMs?: number };

/** The decision for one newcomer, given the slots held now (in any order). */
export function admit<S extends Slot>(held: Iterable<S>, maxClients: number, now: number, helloTimeoutMs: number): Admission<S> {
  let count = 0;
  let oldestSilent: S | undefined;
  for (const slot of held) {
    count++;
    if (!slot.spoke && (!oldestSilent || slot.openedAt < oldestSilent.openedAt)) oldestSilent = slot;
  }
  if (count < maxClients) return { admit: true };
  if (!oldestSilent) return { admit: false };
  const waited = now - oldestSilent.openedAt;
  if (waited >= helloTimeoutMs) return { admit: true, evict: oldestSilent };
  return { admit: false, retryAfterMs: helloTimeoutMs - waited };
}
