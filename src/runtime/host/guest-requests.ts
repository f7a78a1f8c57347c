import type { GuestMessage, HostEnd, LifecycleState, MessageOf } from '../channel.js';

/**
 * What the host knows of the work under way, shared by the guest-message handling (which writes it)
 * and waitForIdle (which reads it).
 */
export interface HostActivity {
  /** Bridge calls and network requests the host is still answering. */
  pending: number;
  /** Guest messages received so far, but for the answers to the host's own requests (idle, dom-result). */
  messages: number;
}

export type DomResult = MessageOf<GuestMessage, 'dom-result'>;
export type DomOp = 'query' | 'click' | 'text' | 'input';

/**
 * What the host asks of the guest and waits for: is it idle, a DOM query or action, a lifecycle
 * change; and the two signals it waits on, the page loaded and the guest closed. `answers` is where
 * the guest-message handling delivers the guest's side of each.
 */
export function createGuestRequests(channel: HostEnd, activity: HostActivity) {
  const idleWaiters = new Map<number, (idle: boolean) => void>();
  const domWaiters = new Map<number, (m: DomResult) => void>();
  let nextRequestId = 1;
  let loadedResolve: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (loadedResolve = resolve));
  let closedResolve: () => void = () => undefined;
  const guestClosed = new Promise<void>((resolve) => (closedResolve = resolve));

  function askIdle(): Promise<boolean> {
    if (channel.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const id = nextRequestId++;
      idleWaiters.set(id, resolve);
      channel.send({ type: 'wait-idle', id });
    });
  }

  /**
   * Resolves when nothing is left to do: the guest's timers, loads and fetches are done, no bridge call
   * or network request is in flight, and no new message arrived meanwhile (checked twice in a row).
   */
  async function waitForIdle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      const before = activity.messages;
      const guestIdle = await askIdle();
      await new Promise((r) => setImmediate(r));
      if (channel.closed) return;
      if (guestIdle && activity.pending === 0 && activity.messages === before) quiet++;
      else quiet = 0;
    }
  }

  function dom(op: DomOp, selector: string, value?: string): Promise<DomResult> {
    return new Promise((resolve) => {
      const id = nextRequestId++;
      domWaiters.set(id, resolve);
      channel.send({ type: 'dom', id, op, selector, ...(value !== undefined ? { value } : {}) });
    });
  }

  const answers = {
    idle(id: number, idle: boolean): void {
      idleWaiters.get(id)?.(idle);
      idleWaiters.delete(id);
    },
    dom(m: DomResult): void {
      domWaiters.get(m.id)?.(m);
      domWaiters.delete(m.id);
    },
    loaded: () => loadedResolve(),
    /** The guest is gone: whoever waits for it to go idle is answered (it will do nothing more). */
    closed(): void {
      closedResolve();
      for (const w of idleWaiters.values()) w(true);
      idleWaiters.clear();
    },
  };

  return {
    loaded,
    guestClosed,
    waitForIdle,
    dom,
    lifecycle(state: LifecycleState): void {
      channel.send({ type: 'lifecycle', state });
    },
    answers,
  };
}

export type GuestRequests = ReturnType<typeof createGuestRequests>;
