import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ChannelHandlers, DevChannel, DevClient } from './channel.js';
import { parseClientMessage, WS_PATH } from './protocol.js';
import { isAllowedHost, isAllowedOrigin, tokenMatches } from './security.js';

/** Why an upgrade was refused, for the server's log and for tests. */
export type UpgradeRefusal = { status: 403 | 404; reason: string };

/** Checks a WebSocket upgrade request: the path, the Host, the Origin and the token, in that order. */
export function checkUpgrade(req: IncomingMessage, token: string): UpgradeRefusal | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return { status: 404, reason: 'bad request target' };
  }
  if (url.pathname !== WS_PATH) return { status: 404, reason: `no WebSocket endpoint at ${url.pathname}` };
  if (!isAllowedHost(req.headers.host)) return { status: 403, reason: `Host ${JSON.stringify(req.headers.host)} is not allowed` };
  if (!isAllowedOrigin(req.headers.origin, req.headers.host)) return { status: 403, reason: `Origin ${JSON.stringify(req.headers.origin)} is not allowed` };
  if (!tokenMatches(url.searchParams.get('token'), token)) return { status: 403, reason: 'missing or wrong token' };
  return undefined;
}

const MAX_PAYLOAD = 1024 * 1024;

/** The WebSocket endpoint as a channel: attaches to the HTTP server's upgrade event. */
export async function createWebSocketChannel(server: Server, token: string, onRefused: (refusal: UpgradeRefusal, req: IncomingMessage) => void): Promise<DevChannel> {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD });
  let handlers: ChannelHandlers | undefined;
  const clients = new Set<DevClient>();
  const sockets = new Map<DevClient, WebSocket>();

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(req, token);
    if (refusal || !handlers) {
      const r = refusal ?? { status: 404 as const, reason: 'closing' };
      onRefused(r, req);
      socket.end(`HTTP/1.1 ${r.status} ${r.status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: DevClient = {
        id: randomUUID(),
        send(message) {
          if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
        },
      };
      clients.add(client);
      sockets.set(client, ws);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const message = parseClientMessage(data.toString());
        if (message) handlers?.message(message, client);
      });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        if (!clients.delete(client)) return;
        sockets.delete(client);
        handlers?.disconnect(client);
      });
      handlers!.connection(client);
    });
  };
  server.on('upgrade', onUpgrade);

  let closing: Promise<void> | undefined;
  return {
    name: 'websocket',
    clients,
    listen(h) {
      handlers = h;
    },
    close() {
      closing ??= (async () => {
        server.off('upgrade', onUpgrade);
        handlers = undefined;
        const closed: Promise<void>[] = [];
        for (const [client, ws] of sockets) {
          clients.delete(client);
          closed.push(
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              const force = setTimeout(() => ws.terminate(), 250);
              ws.once('close', () => {
                clearTimeout(force);
                resolve();
              });
              // 1001 "going away": the client reconnects with backoff and reloads when a new server answers.
              ws.close(1001, 'server closing');
            }),
          );
        }
        sockets.clear();
        await Promise.all(closed);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}
