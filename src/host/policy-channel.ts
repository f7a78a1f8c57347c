import type { GuestMessage, HostEnd, HostMessage } from '../runtime/index.js';
import type { AuditLog } from './audit.js';

/**
 * One cap on concurrent network requests shared by every app in a host (as a phone's host shares its
 * connection pool): requests over the cap wait in order for a free slot.
 */
export class NetworkGate {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly max = 6) {}
  get active(): number {
    return this.inFlight;
  }
  get queued(): number {
    return this.waiting.length;
  }
  acquire(start: () => void): void {
    if (this.inFlight < this.max) {
      this.inFlight++;
      start();
    } else this.waiting.push(start);
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight = Math.max(0, this.inFlight - 1);
  }
}

// Where escape traces are recognised: the host's live audit writer (runtime/host/audit-events.ts).
export { looksLikeEscape } from '../runtime/index.js';

export interface PolicyChannelOptions {
  app: string;
  audit?: AuditLog;
  gate?: NetworkGate;
}

/**
 * Wraps the host's end of an app's channel: network requests pass through the shared gate. Bridge calls,
 * escape traces and network decisions are audited by the host itself, live, where they are decided
 * (runtime/host/audit-events.ts, network.ts), under every isolation. The guest sees the same messages.
 */
export function policyChannel(inner: HostEnd, options: PolicyChannelOptions): HostEnd & { releaseAll(): void } {
  const { gate } = options;
  let held = 0;
  let stopped = false;
  let listener: ((m: GuestMessage) => void) | undefined;

  inner.onMessage((m) => {
    if (m.type === 'network') {
      // The guest's runtime always sends a request; a message without one was forged by the page, and
      // throwing here stops that sandbox (CRASHED), never the host.
      if (!m.request || typeof m.request !== 'object' || typeof m.request.url !== 'string') throw new TypeError('a network message without its request');
      if (gate) {
        gate.acquire(() => {
          if (stopped) return gate.release();
          held++;
          listener?.(m);
        });
        return;
      }
    }
    listener?.(m);
  });

  const observe = (m: HostMessage) => {
    if (m.type === 'network-result' && gate && held > 0) {
      held--;
      gate.release();
    }
  };

  return {
    send(m) {
      observe(m);
      inner.send(m);
    },
    onMessage(l) {
      listener = l;
    },
    close() {
      inner.close();
    },
    get closed() {
      return inner.closed;
    },
    releaseAll() {
      stopped = true;
      while (held > 0) {
        held--;
        gate?.release();
      }
    },
  };
}
