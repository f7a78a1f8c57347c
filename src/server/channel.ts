import { randomUUID } from 'node:crypto';
import type { ClientRole, DevClientMessage, DevServerMessage } from './protocol.js';
import { parseClientMessage } from './validate.js';

/** One connected client (a browser tab, the simulator, its device frame, a device's debug host, a test). */
export interface DevClient {
  readonly id: string;
  readonly role: ClientRole;
  /**
   * Sends one message, already serialised (a broadcast is serialised once for every client). A
   * `droppable` message (a relayed bridge call or runtime error) may be skipped for a client that
   * reads too slowly; a client that owes too much is disconnected.
   */
  send(text: string, options?: { droppable?: boolean }): void;
}

export interface ChannelHandlers {
  connection(client: DevClient): void;
  /** A message that passed the protocol check. */
  message(message: DevClientMessage, client: DevClient): void;
  /** A message that did not (logged by kind, never acted on). */
  rejected(reason: string, client: DevClient): void;
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
  connect(options?: { role?: ClientRole }): MemoryClient;
}

/** A channel whose clients are plain objects: messages go through the same check and JSON text as on the wire. */
export function createMemoryChannel(): MemoryChannel {
  let handlers: ChannelHandlers | undefined;
  const clients = new Set<DevClient>();
  return {
    name: 'memory',
    clients,
    listen(h) {
      handlers = h;
    },
    connect(options = {}) {
      if (!handlers) throw new Error('the channel is not attached to a server');
      const messages: DevServerMessage[] = [];
      const waiters = new Set<() => void>();
      let open = true;
      const server: DevClient = {
        id: randomUUID(),
        role: options.role ?? 'page',
        send(text) {
          if (!open) return;
          messages.push(JSON.parse(text) as DevServerMessage);
          for (const w of [...waiters]) w();
        },
      };
      const client: MemoryClient = {
        id: server.id,
        messages,
        send(m) {
          if (!open) return;
          const parsed = parseClientMessage(JSON.stringify(m));
          if (parsed.ok) handlers!.message(parsed.message, server);
          else handlers!.rejected(parsed.reason, server);
        },
        next(type, o = {}) {
          const since = o.since ?? 0;
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
              reject(new Error(`no "${type}" message within ${o.timeoutMs ?? 10000} ms`));
            }, o.timeoutMs ?? 10000);
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
