import type { DevChannel, DevClient } from './channel.js';
import type { DevServerMessage } from './protocol.js';

/** A reload's outcome: how many pages were told, how many came back on the new build. */
export interface ReloadReport {
  id: number;
  acknowledged: number;
  sent: number;
}

export interface ClientBook {
  /** Every connected client, the simulator included. */
  count(): number;
  /** Connected pages (clients that reload and acknowledge): the simulator's own window is not one. */
  pages(): number;
  /** Serialises once, sends to every client (but `except`). */
  broadcast(message: DevServerMessage, options?: { except?: DevClient; droppable?: boolean }): void;
  send(client: DevClient, message: DevServerMessage): void;
  /** Starts waiting for the pages to come back from reload `id` (superseding a reload still waited for). */
  reloadSent(id: number, hash: string): void;
  /** A page's `ack`: counted once per page (connection), only when it runs the build that reload served. */
  acknowledged(client: DevClient, id: number, hash: string | undefined): void;
  /** Reports the reload still waited for, if any (at close). */
  flush(): void;
}

/**
 * The clients of every channel, and the accounting of reloads per page. A page acknowledges from its new
 * connection after reloading, so acknowledgements are counted per connection and per reload; a reload
 * superseded by a newer one (saves in a burst) is not reported on its own: the pages that were told to
 * reload for it are waited for on the newest one, which they end up on.
 */
export function createClientBook(options: { channels: () => readonly DevChannel[]; ackTimeoutMs: number; onReloaded(report: ReloadReport): void }): ClientBook {
  const all = function* () {
    for (const ch of options.channels()) yield* ch.clients;
  };
  let pending: { id: number; hash: string; sent: number; acked: Set<string>; timer: NodeJS.Timeout } | undefined;

  const finish = () => {
    const p = pending;
    if (!p) return;
    pending = undefined;
    clearTimeout(p.timer);
    options.onReloaded({ id: p.id, acknowledged: Math.min(p.acked.size, p.sent), sent: p.sent });
  };

  return {
    count() {
      let n = 0;
      for (const _ of all()) n++;
      return n;
    },
    pages() {
      let n = 0;
      for (const c of all()) if (c.role === 'page') n++;
      return n;
    },
    broadcast(message, o = {}) {
      const text = JSON.stringify(message);
      for (const c of all()) if (c !== o.except) c.send(text, { droppable: o.droppable });
    },
    send(client, message) {
      client.send(JSON.stringify(message));
    },
    reloadSent(id, hash) {
      // Pages still reloading for the previous reload come back on this one (or reload again to reach it).
      if (pending) clearTimeout(pending.timer);
      pending = undefined;
      const sent = this.pages();
      if (sent === 0) return;
      pending = { id, hash, sent, acked: new Set(), timer: setTimeout(finish, options.ackTimeoutMs) };
    },
    acknowledged(client, id, hash) {
      const p = pending;
      if (!p || client.role !== 'page' || id > p.id || p.acked.has(client.id)) return;
      if (hash === undefined ? id !== p.id : hash !== p.hash) return;
      p.acked.add(client.id);
      if (p.acked.size >= p.sent) finish();
    },
    flush: finish,
  };
}
