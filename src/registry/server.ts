import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MiniappError } from '../core/errors/index.js';
import { sendError } from './http-util.js';
import { operator, type Registry } from './registry.js';
import { registryRoutes, type Request } from './routes.js';

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

/**
 * The registry over HTTP: the update feed and package downloads (anonymous, cacheable: any CDN can front
 * them), health and readiness, and the JSON API partners' CI and reviewers use with bearer tokens. One JSON
 * log line per request; close() stops taking connections and new uploads, lets requests in flight
 * finish (uploads included), then closes the store.
 */
export async function startRegistryServer(options: RegistryServerOptions) {
  const { registry } = options;
  const maxUpload = options.maxUploadBytes ?? 32 * 1024 * 1024;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 60_000;
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const routes = registryRoutes(registry, { closing: () => closing, maxUploadBytes: maxUpload, uploadTimeoutMs });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    inFlight++;
    const r: Request = { req, res, url: new URL(req.url ?? '/', 'http://registry.invalid'), parts: [] };
    let code: string | undefined;
    try {
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const route = routes.find(([m, pattern]) => m === method && pattern.test(r.url.pathname));
      if (!route) {
        const matches = routes.filter(([, pattern]) => pattern.test(r.url.pathname));
        res.setHeader('allow', matches.map(([m]) => m).join(', '));
        throw new MiniappError(
          matches.length ? 'REGISTRY_BAD_REQUEST' : 'REGISTRY_NOT_FOUND',
          matches.length ? { reason: `${req.method} is not accepted here` } : { what: 'endpoint', name: r.url.pathname },
        );
      }
      r.parts = route[1]
        .exec(r.url.pathname)!
        .slice(1)
        .map((p) => (p === undefined ? (undefined as unknown as string) : decodeURIComponent(p)));
      await route[2](r);
    } catch (err) {
      code = sendError(res, err);
      if (code === 'INTERNAL_ERROR') options.onError?.(err);
    } finally {
      inFlight--;
      if (closing && inFlight === 0) drained?.();
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

  const server: Server = createServer((req, res) => void handle(req, res));
  // Longer than clients keep idle connections (undici: 4 s), so a client never reuses one the server is closing.
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = uploadTimeoutMs + 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new MiniappError('SERVER_PORT_IN_USE', { host: options.host ?? '127.0.0.1', port: options.port ?? 0 })
          : new MiniappError('SERVER_LISTEN_FAILED', { host: options.host, port: options.port, reason: err.message }),
      ),
    );
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  let closed: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    registry,
    get inFlight() {
      return inFlight;
    },
    /** Stops taking requests, lets those in flight finish (up to shutdownTimeoutMs), then closes the registry. Safe to call twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        if (inFlight > 0) {
          await Promise.race([new Promise<void>((done) => (drained = done)), new Promise((done) => setTimeout(done, options.shutdownTimeoutMs ?? 30_000).unref())]);
        }
        server.closeAllConnections();
        await stopped;
        await registry.close();
      })();
      return closed;
    },
  };
}

export type RegistryServer = Awaited<ReturnType<typeof startRegistryServer>>;
export { operator };
