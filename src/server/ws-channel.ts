import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ChannelHandlers, DevChannel, DevClient } from './channel.js';
import { admit, type Slot } from './client-slots.js';
import { CLIENT_ROLES, LIMITS, WS_PATH, type ClientRole } from './protocol.js';
import { isAllowedHost, isAllowedOrigin, tokenMatches } from './security.js';
import { parseClientMessage } from './validate.js';

/** Why an upgrade was refused, for the server's log and for tests. `kind` groups refusals for the log. */
export type UpgradeRefusal = { status: 403 | 404 | 503; reason: string; kind: string };

/** Checks a WebSocket upgrade request: the path, the Host, the Origin and the token, in that order. */
export function checkUpgrade(req: IncomingMessage, token: string, allowedHosts: readonly string[] = []): UpgradeRefusal | undefined {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return { status: 404, reason: 'bad request target', kind: 'ws-target' };
  }
  if (url.pathname !== WS_PATH) return { status: 404, reason: 'no WebSocket endpoint at this path', kind: 'ws-path' };
  if (!isAllowedHost(req.headers.host, allowedHosts)) return { status: 403, reason: `Host ${JSON.stringify(req.headers.host ?? '')} is not allowed (see --allowed-hosts)`, kind: 'ws-host' };
  if (!isAllowedOrigin(req.headers.origin, req.headers.host)) return { status: 403, reason: `Origin ${JSON.stringify(req.headers.origin)} is not allowed`, kind: 'ws-origin' };
  if (!tokenMatches(url.searchParams.get('token'), token)) return { status: 403, reason: 'missing or wrong token', kind: 'ws-token' };
  return undefined;
}

const roleOf = (req: IncomingMessage): ClientRole => {
  const role = new URL(req.url ?? '/', 'http://localhost').searchParams.get('role');
  return CLIENT_ROLES.includes(role as ClientRole) ? (role as ClientRole) : 'page';
};

/** ws's error codes for a frame it refuses, as the terminal names them (a fixed set: one line each). */
const FRAME_ERRORS: Record<string, string> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: `frame larger than ${LIMITS.maxFrameBytes / 1048576} MB (connection closed with 1009)`,
  WS_ERR_INVALID_UTF8: 'text frame that is not UTF-8 (connection closed with 1007)',
};

const STATUS_TEXT = { 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' } as const;

export interface WebSocketChannelOptions {
  token: string;
  allowedHosts?: readonly string[];
  maxClients?: number;
  /** How long a socket may stay silent before a newcomer may take its slot when the server is full (default LIMITS.helloTimeoutMs). */
  helloTimeoutMs?: number;
  /** An upgrade refused, or an idle socket closed to make room (`kind` "idle"). */
  onRefused(refusal: UpgradeRefusal, req: IncomingMessage): void;
}

/** A client's sending end: relayed messages are dropped above one threshold, the client cut off above another. */
function socketClient(ws: WebSocket, role: ClientRole): DevClient {
  return {
    id: randomUUID(),
    role,
    send(text, options = {}) {
      if (ws.readyState !== ws.OPEN) return;
      const owed = ws.bufferedAmount;
      if (owed + text.length > LIMITS.disconnectAboveBytes) return void ws.terminate();
      if (options.droppable && owed > LIMITS.dropAboveBytes) return;
      ws.send(text);
    },
  };
}

/** A per-client budget for each second: true while the client stays within LIMITS. */
function rateLimit(): (bytes: number) => boolean {
  let windowStart = 0;
  let messages = 0;
  let bytes = 0;
  return (size) => {
    const now = Date.now();
    if (now - windowStart >= 1000) [windowStart, messages, bytes] = [now, 0, 0];
    messages++;
    bytes += size;
    return messages <= LIMITS.maxMessagesPerSecond && bytes <= LIMITS.maxBytesPerSecond;
  };
}

/** One open socket: its client, the request that opened it, and what its slot needs (client-slots.ts). */
interface Connection extends Slot {
  readonly client: DevClient;
  readonly ws: WebSocket;
  readonly req: IncomingMessage;
}

/** What the endpoint's parts share: the server's handlers once attached, and the open connections. */
interface ChannelState {
  handlers: ChannelHandlers | undefined;
  readonly clients: Set<DevClient>;
  readonly connections: Map<DevClient, Connection>;
  /** Sockets evicted for a newcomer whose close handshake has not ended: cut at once if the server closes. */
  readonly evicted: Set<WebSocket>;
}

/** A handler's own failure must never reach the socket's event emitter (it would stop the process). */
function guarded(f: () => void): void {
  try {
    f();
  } catch {
    /* the server's handlers do not throw; a bug there must not end the process */
  }
}

/** Removes a connection and tells the server it left; false when it was already gone. */
function forget(state: ChannelState, conn: Connection): boolean {
  if (!state.clients.delete(conn.client)) return false;
  state.connections.delete(conn.client);
  guarded(() => state.handlers?.disconnect(conn.client));
  return true;
}

/** Wires one socket's frames to the server's handlers: rate-limited, checked, and marking the slot as spoken. */
function attachSocket(state: ChannelState, ws: WebSocket, req: IncomingMessage): void {
  const client = socketClient(ws, roleOf(req));
  const conn: Connection = { client, ws, req, openedAt: Date.now(), spoke: false };
  state.clients.add(client);
  state.connections.set(client, conn);
  const rate = rateLimit();
  ws.on('message', (data, isBinary) => {
    const h = state.handlers;
    if (!h) return;
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
    if (!rate(size)) return guarded(() => h.rejected(`over ${LIMITS.maxMessagesPerSecond} messages or ${LIMITS.maxBytesPerSecond / 1048576} MB a second`, client));
    if (isBinary) return guarded(() => h.rejected('binary frame', client));
    const parsed = parseClientMessage(data.toString());
    if (parsed.ok) conn.spoke = true;
    guarded(() => (parsed.ok ? h.message(parsed.message, client) : h.rejected(parsed.reason, client)));
  });
  // ws has already started the close handshake (1009 for a frame too big, 1007 for invalid UTF-8): let
  // the close frame reach the page, name the refusal once, and cut the socket if the page never answers.
  ws.on('error', (err: Error & { code?: string }) => {
    guarded(() => state.handlers?.rejected(FRAME_ERRORS[err.code ?? ''] ?? 'malformed frame (connection closed)', client));
    setTimeout(() => ws.terminate(), 1000).unref();
  });
  ws.on('close', () => forget(state, conn));
  guarded(() => state.handlers?.connection(client));
}

/** Frees an idle socket's slot at once for a newcomer; the close frame (1008) follows, cut after 1 s if unanswered. */
function evict(state: ChannelState, conn: Connection, helloTimeoutMs: number, onRefused: WebSocketChannelOptions['onRefused']): void {
  if (!forget(state, conn)) return;
  const reason = `closed a connection silent for over ${helloTimeoutMs / 1000} s to make room (no hello; the client cap was reached)`;
  onRefused({ status: 503, reason, kind: 'idle' }, conn.req);
  const { ws } = conn;
  state.evicted.add(ws);
  ws.once('close', () => state.evicted.delete(ws));
  ws.close(1008, 'idle: no hello');
  setTimeout(() => ws.terminate(), 1000).unref();
}

/** Closes every socket with 1001 (going away), cutting any that does not answer within 250 ms. */
async function closeAll(state: ChannelState): Promise<void> {
  const closed: Promise<void>[] = [];
  for (const { client, ws } of state.connections.values()) {
    state.clients.delete(client);
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
  state.connections.clear();
  for (const ws of state.evicted) ws.terminate();
  await Promise.all(closed);
}

/** The WebSocket endpoint as a channel: attaches to the HTTP server's upgrade event. */
export async function createWebSocketChannel(server: Server, options: WebSocketChannelOptions): Promise<DevChannel> {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.maxFrameBytes });
  const maxClients = options.maxClients ?? LIMITS.maxClients;
  const helloTimeoutMs = options.helloTimeoutMs ?? LIMITS.helloTimeoutMs;
  const state: ChannelState = { handlers: undefined, clients: new Set(), connections: new Map(), evicted: new Set() };

  const refuse = (socket: Duplex, r: UpgradeRefusal, req: IncomingMessage, retryAfterMs?: number) => {
    options.onRefused(r, req);
    const retry = retryAfterMs === undefined ? '' : `Retry-After: ${Math.ceil(retryAfterMs / 1000)}\r\n`;
    socket.end(`HTTP/1.1 ${r.status} ${STATUS_TEXT[r.status]}\r\nConnection: close\r\n${retry}Content-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = checkUpgrade(req, options.token, options.allowedHosts) ?? (!state.handlers ? { status: 404 as const, reason: 'closing', kind: 'closing' } : undefined);
    if (refusal) return refuse(socket, refusal, req);
    const slot = admit(state.connections.values(), maxClients, Date.now(), helloTimeoutMs);
    if (!slot.admit) return refuse(socket, { status: 503, reason: `${maxClients} clients are connected already`, kind: 'clients' }, req, slot.retryAfterMs);
    if (slot.evict) evict(state, slot.evict, helloTimeoutMs, options.onRefused);
    wss.handleUpgrade(req, socket, head, (ws) => attachSocket(state, ws, req));
  };
  server.on('upgrade', onUpgrade);

  let closing: Promise<void> | undefined;
  return {
    name: 'websocket',
    clients: state.clients,
    listen(h) {
      state.handlers = h;
    },
    close() {
      closing ??= (async () => {
        server.off('upgrade', onUpgrade);
        state.handlers = undefined;
        await closeAll(state);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
      })();
      return closing;
    },
  };
}
