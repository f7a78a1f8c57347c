import { PROTOCOL_VERSION, type DevClientMessage, type DevServerMessage } from '../protocol.js';

// One connection to the dev server, as both browser clients (the page's live-reload client and the
// simulator) open it: `hello` first, each message parsed, what is not JSON dropped. Reconnecting, and
// what a refused reconnect means, stay with each client.

/** Backoff between reconnects: 250 ms, doubling, at most 5 s; a restarted server is picked up within seconds. */
export const reconnectDelay = (attempt: number): number => Math.min(5000, 250 * 2 ** attempt);

export interface DevSocketHandlers {
  /** The socket is open and `hello` has gone out. */
  onOpen?(ws: WebSocket): void;
  onMessage(message: DevServerMessage): void;
  /** `opened`: the socket had been open (false: the server refused it or never answered). */
  onClose(opened: boolean): void;
}

export function openDevSocket(url: string, handlers: DevSocketHandlers): WebSocket {
  const ws = new WebSocket(url);
  let opened = false;
  ws.onopen = () => {
    opened = true;
    // Spoken at once: a client that has said hello keeps its slot when the server is full.
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION } satisfies DevClientMessage));
    handlers.onOpen?.(ws);
  };
  ws.onmessage = (event) => {
    let message: DevServerMessage;
    try {
      message = JSON.parse(String(event.data)) as DevServerMessage;
    } catch {
      return;
    }
    handlers.onMessage(message);
  };
  ws.onclose = () => handlers.onClose(opened);
  return ws;
}
