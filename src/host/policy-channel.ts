import { getMethod } from '../bridge/catalog.js';
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

const ESCAPE_SIGNS = /Code generation from strings disallowed|ERR_ACCESS_DENIED|Access to this API has been restricted|ERR_SANDBOX_NETWORK|not available inside a mini-program sandbox|\b(require|process|module|Buffer) is not defined|dynamic import callback|ERR_VM_DYNAMIC_IMPORT/;

/** Whether a guest error is the trace of an escape attempt the sandbox stopped. */
export const looksLikeEscape = (message: string) => ESCAPE_SIGNS.test(message);

export interface PolicyChannelOptions {
  app: string;
  audit?: AuditLog;
  gate?: NetworkGate;
}

/**
 * Wraps the host's end of an app's channel: security-relevant bridge exchanges are written to the audit
 * log (permission grants and denials, storage access, tokens issued, escape attempts), and network
 * requests pass through the shared gate. Network decisions are audited by the host's network policy,
 * where they are made. The guest sees the same messages.
 */
export function policyChannel(inner: HostEnd, options: PolicyChannelOptions): HostEnd & { releaseAll(): void } {
  const { app, audit, gate } = options;
  const calls = new Map<number, string>();
  const granted = new Set<string>();
  let held = 0;
  let stopped = false;
  let listener: ((m: GuestMessage) => void) | undefined;

  inner.onMessage((m) => {
    if (m.type === 'call') calls.set(m.id, typeof m.method === 'string' ? m.method : String(m.method));
    if (m.type === 'guest-error' && looksLikeEscape(m.message)) audit?.record({ type: 'escape.caught', app, kind: m.kind, message: m.message.slice(0, 500) });
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
    if (m.type === 'result') {
      const method = calls.get(m.id) ?? '?';
      calls.delete(m.id);
      const spec = getMethod(method);
      const code = m.ok ? undefined : m.error.code;
      if (code === 'PERMISSION_DENIED' || code === 'USER_DENIED') audit?.record({ type: 'permission.denied', app, method, permission: spec?.permission, code });
      else if (m.ok && spec?.permission && !granted.has(spec.permission)) {
        granted.add(spec.permission);
        audit?.record({ type: 'permission.granted', app, method, permission: spec.permission });
      }
      if (method.startsWith('storage.')) audit?.record({ type: 'storage.access', app, method, ok: m.ok, code });
      if (method === 'auth.getToken' && m.ok) {
        const claims = (m.value as { scope?: unknown; expiresAt?: unknown }) ?? {};
        audit?.record({ type: 'token.issued', app, scope: claims.scope, expiresAt: claims.expiresAt });
      }
    } else if (m.type === 'network-result') {
      if (gate && held > 0) {
        held--;
        gate.release();
      }
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
