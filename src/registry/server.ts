import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MiniappError } from '../core/errors/index.js';
import { sendError } from './http-util.js';
import { operator, type Registry } from './registry.js';
import { registryRoutes, type Handler, type Request, type Route } from './routes.js';

export interface RegistryServerOptions {
  registry: Registry;
  host?: string;
  port?: number;
  /** Largest upload (default 32 MB). */
  maxUploadBytes?: number;
  /** Longest an upload may take (default 60 s). */
  uploadTimeoutMs?: number;
  /** Longest close() waits for requests in flight (default 30 s). */
  shutdownTimeoutMs?: number;
  /** One JSON line per request (default: none). */
  log?: (line: string) => void;
  onError?: (err: unknown) => void;
}

/** What the server's parts share: whether it is shutting down, and the requests still being answered. */
interface ServerState {
  closing: boolean;
  inFlight: number;
  /** Called when the last request in flight ends during a shutdown. */
  drained?: () => void;
}

/**
 * The registry over HTTP: the update feed and package downloads (anonymous, cacheable: any CDN can front
 * them), health and readiness, and the JSON API partners' CI and reviewers use with bearer tokens. One JSON
 * log line per request; close() stops taking connections and new uploads, lets requests in flight
 * finish (uploads included), then closes the store.
 */
export async function startRegistryServer(options: RegistryServerOptions) {
  const { registry } = options;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 60_000;
  const state: ServerState = { closing: false, inFlight: 0 };
  const routes = registryRoutes(registry, { closing: () => state.closing, maxUploadBytes: options.maxUploadBytes ?? 32 * 1024 * 1024, uploadTimeoutMs });
  const server: Server = createServer((req, res) => void handleRequest(routes, state, options, req, res));
  // Longer than clients keep idle connections (undici: 4 s), so a client never reuses one the server is closing.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = uploadTimeoutMs + 10_000;
  const address = await listen(server, options.host, options.port);
  let closed: Promise<void> | undefined;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    port: address.port,
    registry,
    get inFlight() {
      return state.inFlight;
    },
    /** Stops taking requests, lets those in flight finish (up to shutdownTimeoutMs), then closes the registry. Safe to call twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        await drainAndClose(server, state, options.shutdownTimeoutMs ?? 30_000);
        await registry.close();
      })();
      return closed;
    },
  };
}

export type RouteMatch = { handler: Handler; parts: string[] } | { refusal: MiniappError; allow: string };

/**
 * The route for a method and path (HEAD is answered as GET), with its groups decoded; when there is none,
 * the refusal to send: 400 with the methods the path takes (Allow), or 404 when no route has the path.
 */
export function matchRoute(routes: readonly Route[], method: string | undefined, pathname: string): RouteMatch {
  const route = routes.find(([m, pattern]) => m === (method === 'HEAD' ? 'GET' : method) && pattern.test(pathname));
  if (!route) {
    const matches = routes.filter(([, pattern]) => pattern.test(pathname));
    const refusal = new MiniappError(
      matches.length ? 'REGISTRY_BAD_REQUEST' : 'REGISTRY_NOT_FOUND',
      matches.length ? { reason: `${method} is not accepted here` } : { what: 'endpoint', name: pathname },
    );
    return { refusal, allow: matches.map(([m]) => m).join(', ') };
  }
  const parts = route[1]
    .exec(pathname)!
    .slice(1)
    .map((p) => (p === undefined ? (undefined as unknown as string) : decodeURIComponent(p)));
  return { handler: route[2], parts };
}

/** Answers one request: its route, or its refusal; then one JSON log line. */
async function handleRequest(routes: readonly Route[], state: ServerState, options: RegistryServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  state.inFlight++;
  const r: Request = { req, res, url: new URL(req.url ?? '/', 'http://registry.invalid'), parts: [] };
  let code: string | undefined;
  try {
    const route = matchRoute(routes, req.method, r.url.pathname);
    if ('refusal' in route) {
      res.setHeader('allow', route.allow);
      throw route.refusal;
    }
    r.parts = route.parts;
    await route.handler(r);
  } catch (err) {
    code = sendError(res, err);
    if (code === 'INTERNAL_ERROR') options.onError?.(err);
  } finally {
    state.inFlight--;
    if (state.closing && state.inFlight === 0) state.drained?.();
    options.log?.(
      JSON.stringify({
        ts: new Date().toISOString(),
        method: req.method,
        path: r.url.pathname,
        status: res.statusCode,
        ms: Math.round((performance.now() - started) * 100) / 100,
        actor: r.actor?.name,
        code,
      }),
    );
  }
}

/** Listens on host:port (default 127.0.0.1, any free port); a port in use or a failed listen is a coded error. */
async function listen(server: Server, host: string | undefined, port: number | undefined): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new MiniappError('SERVER_PORT_IN_USE', { host: host ?? '127.0.0.1', port: port ?? 0 })
          : new MiniappError('SERVER_LISTEN_FAILED', { host, port, reason: err.message }),
      ),
    );
    server.listen(port ?? 0, host ?? '127.0.0.1', () => resolve());
  });
  return server.address() as AddressInfo;
}

/** Stops taking connections and closes idle ones, waits for the requests in flight (up to timeoutMs), then drops the rest. */
async function drainAndClose(server: Server, state: ServerState, timeoutMs: number): Promise<void> {
  state.closing = true;
  const stopped = new Promise<void>((done) => server.close(() => done()));
  server.closeIdleConnections();
  if (state.inFlight > 0) {
    await Promise.race([new Promise<void>((done) => (state.drained = done)), new Promise((done) => setTimeout(done, timeoutMs).unref())]);
  }
  server.closeAllConnections();
  await stopped;
}

export type RegistryServer = Awaited<ReturnType<typeof startRegistryServer>>;
export { operator };
