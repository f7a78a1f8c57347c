import { randomUUID } from 'node:crypto';
import type { DevClientMessage, DevServerMessage } from './protocol.js';

/** One connected page (a browser tab, the simulator, a device's debug host, a test). */
export interface DevClient {
  readonly id: string;
  send(message: DevServerMessage): void;
}

export interface ChannelHandlers {
  connection(client: DevClient): void;
  message(message: DevClientMessage, client: DevClient): void;
  disconnect(client: DevClient): void;
}

/**
 * How the server talks to its clients, whatever carries the messages: the WebSocket endpoint in a real
 * session, an in-memory pair in tests and in tools that embed the server. The server only ever sees this.
 */
export interface DevChannel {
  readonly name: string;
  /** Called once by the server before it sends anything. */
  listen(handlers: ChannelHandlers): void;
  readonly clients: ReadonlySet<DevClient>;
  /** Disconnects every client; safe to call twice. */
  close(): Promise<void>;
}

/** The test's end of an in-memory connection. */
export interface MemoryClient {
  readonly id: string;
  /** Everything the server sent, in order. */
  readonly messages: DevServerMessage[];
  send(message: DevClientMessage): void;
  /** Resolves with the first message of this type received at or after index `since` (default 0: any so far). */
  next<T extends DevServerMessage['type']>(type: T, options?: { since?: number; timeoutMs?: number }): Promise<Extract<DevServerMessage, { type: T }>>;
  close(): void;
}

export interface MemoryChannel extends DevChannel {
  connect(): MemoryClient;
}

/** A channel whose clients are plain objects: messages are JSON round-tripped, as on the wire. */
export function createMemoryChannel(): MemoryChannel {
  let handlers: ChannelHandlers | undefined;
  const clients = new Set<DevClient>();
  const wire = <T>(m: T): T => JSON.parse(JSON.stringify(m)) as T;
  return {
    name: 'memory',
    clients,
    listen(h) {
      handlers = h;
    },
    connect() {
      if (!handlers) throw new Error('the channel is not attached to a server');
      const messages: DevServerMessage[] = [];
      const waiters = new Set<() => void>();
      const id = randomUUID();
      let open = true;
      const server: DevClient = {
        id,
        send(m) {
          if (!open) return;
          messages.push(wire(m));
          for (const w of [...waiters]) w();
        },
      };
      const client: MemoryClient = {
        id,
        messages,
        send(m) {
          if (open) handlers!.message(wire(m), server);
        },
        next(type, options = {}) {
          const since = options.since ?? 0;
          return new Promise((resolve, reject) => {
            const check = () => {
              const found = messages.slice(since).find((m) => m.type === type);
              if (!found) return false;
              waiters.delete(check);
              clearTimeout(timer);
              resolve(found as never);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              reject(new Error(`no "${type}" message within ${options.timeoutMs ?? 10000} ms`));
            }, options.timeoutMs ?? 10000);
            waiters.add(check);
            check();
          });
        },
        close() {
          if (!open) return;
          open = false;
          clients.delete(server);
          handlers!.disconnect(server);
        },
      };
      clients.add(server);
      handlers.connection(server);
      return client;
    },
    async close() {
      for (const c of [...clients]) {
        clients.delete(c);
        handlers?.disconnect(c);
      }
    },
  };
}
