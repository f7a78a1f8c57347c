import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { createBuildContext } from '../build/index.js';
import type { BuildContext, BuildDiagnostic, BuildOutput } from '../build/index.js';
import { MiniappError } from '../core/errors/index.js';
import type { Manifest } from '../manifest/types.js';
import { createBuildInputs } from './build-inputs.js';
import type { ChannelHandlers, DevChannel, DevClient } from './channel.js';
import { createClientBook, type ClientBook } from './clients.js';
import { hashFiles } from './descriptor.js';
import { createRequestHandler } from './http.js';
import { PROTOCOL_VERSION, stripAnsi, type BridgeCallRecord, type ClientRole, type DevServerMessage, type ErrorPayload, type RuntimeErrorRecord } from './protocol.js';
import { createRebuilder, type Rebuilder, type RebuildRequest } from './rebuilder.js';
import { createServedBuilds, type ServedBuilds } from './served-builds.js';
import { redactedTarget } from './terminal-text.js';
import { watchProject, type ChangeKind, type ProjectWatcher } from './watcher.js';
import { createWebSocketChannel } from './ws-channel.js';

export interface DevServerOptions {
  /** The mini-program project (manifest.json, entry HTML, src/, public/). */
  projectDir: string;
  /** Interface to bind (default 127.0.0.1: loopback only). "0.0.0.0" exposes the server to the LAN. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Host names answered besides localhost, *.localhost and IP addresses (`mylaptop.local`, or `.local` for all under it). */
  allowedHosts?: readonly string[];
  /** Connected clients at most (default LIMITS.maxClients). */
  maxClients?: number;
  /** A connection silent this long (no `hello`) gives its slot to a newcomer when the server is full (default LIMITS.helloTimeoutMs). */
  helloTimeoutMs?: number;
  /** Watch the project and rebuild on change (default true). */
  watch?: boolean;
  /** Changes closer together than this start one rebuild (default 0: the events of one save, read in one turn of the event loop, start one rebuild; later ones during it start exactly one more, and only the last result is reported). */
  debounceMs?: number;
  /** How long to wait for reloaded pages to acknowledge before reporting the count (default 3000 ms). */
  ackTimeoutMs?: number;
  /** Manifest rule set (default "dev": loopback domains allowed). */
  profile?: 'dev' | 'release';
  newestHostVersion?: string;
  /** Serve a web app manifest (PWA) found at manifest.json as site.webmanifest, the HTML relinked (as `build --rename-web-manifest`). */
  renameWebManifest?: boolean;
  /** Extra channels besides the WebSocket endpoint (tests and embedders use createMemoryChannel()). */
  channels?: DevChannel[];
  /** Fixed token (tests); by default a random one per process. */
  token?: string;
  /** Everything that happens, for a terminal or a test to show. */
  onEvent?: (event: DevServerEvent) => void;
}

export type DevServerEvent =
  | { type: 'build'; ok: boolean; reason: RebuildRequest['reason']; changed: string[]; durationMs: number; errors: BuildDiagnostic[]; warnings: BuildDiagnostic[]; reloadId?: number; clients: number }
  /** The pages told to reload (`sent`) and those that came back on the new build (`acknowledged`). */
  | { type: 'reloaded'; id: number; acknowledged: number; sent: number }
  | { type: 'bridge-call'; source: string; call: BridgeCallRecord }
  | { type: 'runtime-error'; source: string; error: RuntimeErrorRecord }
  | { type: 'client'; connected: boolean; clients: number; role: ClientRole }
  /** A request or upgrade refused. `url` has the token replaced and is cut to 120 characters; `kind` groups them. */
  | { type: 'refused'; status: number; kind: string; reason: string; url: string; origin?: string }
  /** A client message that failed the protocol check (ignored). */
  | { type: 'rejected'; source: string; reason: string }
  | { type: 'failure'; message: string };

export interface DevServer {
  /** http://host:port/ as a browser on this machine opens it: the launch URL (the manifest's entryPoint). */
  readonly url: string;
  /** The simulator page. */
  readonly simulatorUrl: string;
  /** The WebSocket endpoint with the token (what a native debug host connects to). */
  readonly wsUrl: string;
  /** LAN addresses when bound to all interfaces (0.0.0.0 or ::). */
  readonly networkUrls: string[];
  readonly host: string;
  readonly port: number;
  readonly token: string;
  /** The last build attempted (its errors) and the build being served (the last good one). */
  state(): { lastBuild?: BuildOutput; served?: { manifest: Manifest; hash: string; files: ReadonlyMap<string, Uint8Array> }; clients: number; pages: number; rebuilds: number; retainedBytes: number };
  /** Rebuilds now and tells clients to reload (the `r` key and POST /__miniapp/reload). */
  reload(): Promise<BuildOutput>;
  /** Resolves when no rebuild is running or pending. */
  idle(): Promise<void>;
  /** Stops watching, cancels a running rebuild, disposes esbuild, disconnects clients and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

function toPayload(d: BuildDiagnostic): ErrorPayload {
  const p: ErrorPayload = { code: d.code, message: stripAnsi(d.message) };
  if (d.hint) p.hint = stripAnsi(d.hint);
  if (d.file) p.file = d.file.split('\\').join('/');
  if (d.line !== undefined) p.line = d.line;
  if (d.column !== undefined) p.column = d.column;
  if (d.frame) p.frame = stripAnsi(d.frame);
  return p;
}

const isManifestProblem = (d: BuildDiagnostic) => d.file === 'manifest.json' && (d.code.startsWith('MANIFEST_') || d.code === 'FILE_UNREADABLE');

function lanAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  return out;
}

async function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolveListen, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new MiniappError('SERVER_PORT_IN_USE', { host, port }, { cause: err }));
      else reject(new MiniappError('SERVER_LISTEN_FAILED', { host, port, reason: err.message }, { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolveListen();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
  return server.address() as AddressInfo;
}

/** Waits for `p`, at most `ms` (a timer that keeps the process alive meanwhile, cleared when `p` settles first). */
const deadline = async (p: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
};

/**
 * The build side of the server: what a finished rebuild changes (the served build, the problem pages
 * must show, the inputs a save must touch to rebuild) and what the clients are told.
 */
function createBuildState(projectDir: string, clients: ClientBook) {
  const builds: ServedBuilds = createServedBuilds();
  const inputs = createBuildInputs(projectDir);
  let lastBuild: BuildOutput | undefined;
  let shownProblem: Extract<DevServerMessage, { type: 'error' | 'manifest-invalid' }> | undefined;
  let rebuilds = 0;
  let reloadSeq = 0;

  const sendReload = (request: RebuildRequest, durationMs: number, hash: string): number => {
    const id = ++reloadSeq;
    clients.reloadSent(id, hash);
    clients.broadcast({ type: 'reload', id, hash, reason: request.reason, changed: request.changed, durationMs: Math.round(durationMs) });
    return id;
  };

  const problemOf = (out: BuildOutput): NonNullable<typeof shownProblem> => {
    const served = builds.current() !== undefined;
    const manifestErrors = out.errors.filter(isManifestProblem);
    if (manifestErrors.length) return { type: 'manifest-invalid', file: 'manifest.json', errors: manifestErrors.map(toPayload), served };
    const errors = (out.errors.length ? out.errors : [{ code: 'BUILD_ERROR', severity: 'error', message: 'the build failed' } as BuildDiagnostic]).map(toPayload);
    return { type: 'error', ...errors[0]!, errors, served };
  };

  const onBuilt = (out: BuildOutput, request: RebuildRequest): number | undefined => {
    lastBuild = out;
    inputs.update(out.ok ? out.watchFiles : undefined);
    rebuilds++;
    if (!out.ok || !out.manifest) {
      shownProblem = problemOf(out);
      clients.broadcast(shownProblem);
      return undefined;
    }
    const hash = hashFiles(out.files);
    const changedOutput = builds.current()?.hash !== hash;
    const hadProblem = shownProblem !== undefined;
    builds.serve({ manifest: out.manifest, files: out.files, hash });
    shownProblem = undefined;
    // Unchanged output (a file touched, a comment in an unused module): no reload unless an overlay must go.
    if (changedOutput || hadProblem || request.reason === 'manual') return sendReload(request, out.durationMs, hash);
    return undefined;
  };

  const hello = (client: DevClient, session: string) => {
    const served = builds.current();
    clients.send(client, {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      session,
      clientId: client.id,
      ...(served ? { app: { id: served.manifest.id, version: served.manifest.version } } : {}),
      build: { ok: shownProblem === undefined && served !== undefined, ...(served ? { hash: served.hash } : {}) },
    });
    if (shownProblem) clients.send(client, shownProblem);
  };

  const problems = (): ErrorPayload[] => shownProblem?.errors ?? (lastBuild && !lastBuild.ok ? lastBuild.errors.map(toPayload) : []);
  return { builds, inputs, onBuilt, hello, problems, lastBuild: () => lastBuild, rebuilds: () => rebuilds };
}

/** What the server does with each client's messages and connections. */
function clientHandlers(clients: ClientBook, state: ReturnType<typeof createBuildState>, session: string, emit: (e: DevServerEvent) => void): ChannelHandlers {
  return {
    connection(c) {
      state.hello(c, session);
      emit({ type: 'client', connected: true, clients: clients.count(), role: c.role });
    },
    message(message, client) {
      if (message.type === 'ack') clients.acknowledged(client, message.id, message.hash);
      else if (message.type === 'bridge-call') {
        emit({ type: 'bridge-call', source: client.id, call: message.call });
        clients.broadcast({ type: 'bridge-call', source: client.id, call: message.call }, { except: client, droppable: true });
      } else if (message.type === 'runtime-error') {
        emit({ type: 'runtime-error', source: client.id, error: message.error });
        clients.broadcast({ type: 'runtime-error', source: client.id, error: message.error }, { except: client, droppable: true });
      }
    },
    rejected: (reason, client) => emit({ type: 'rejected', source: client.id, reason }),
    disconnect: (c) => emit({ type: 'client', connected: false, clients: clients.count(), role: c.role }),
  };
}

function closer(parts: {
  rebuilder: Rebuilder<BuildOutput>;
  clients: ClientBook;
  build: BuildContext;
  watcher: () => ProjectWatcher | undefined;
  channels: DevChannel[];
  http: () => Server | undefined;
}) {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= (async () => {
      const { rebuilder, clients, build } = parts;
      const wasBuilding = rebuilder.busy();
      rebuilder.stop();
      clients.flush();
      // A rebuild running now is cancelled, not waited for: shutting down takes milliseconds, not a build.
      if (wasBuilding) await build.cancel().catch(() => undefined);
      const http = parts.http();
      const steps: Promise<unknown>[] = [parts.watcher()?.close() ?? Promise.resolve(), ...parts.channels.map((c) => c.close())];
      if (http) {
        steps.push(
          new Promise<void>((done) => {
            http.close(() => done());
            http.closeAllConnections();
          }),
        );
      }
      await Promise.allSettled(steps);
      // esbuild last: a rebuild that was running when close() began must not outlive its context.
      await deadline(rebuilder.idle(), 1000);
      await deadline(build.dispose(), 1000);
    })();
    return closing;
  };
}

/**
 * Starts the dev server: builds the project once, serves exactly the package's files from memory,
 * watches the project, rebuilds on change and tells connected pages to reload when a rebuild is done.
 * Resolves once the first build is done and the server listens, with every handler in place (the first
 * build may have failed: the server then shows the errors until a build succeeds).
 */
export async function createDevServer(options: DevServerOptions): Promise<DevServer> {
  const stat = await fs.stat(resolve(options.projectDir)).catch(() => undefined);
  if (!stat?.isDirectory()) throw new MiniappError('SERVER_PROJECT_NOT_FOUND', { path: options.projectDir });
  // The real path, as the build reports the files it read: a project reached through a symlink (macOS's
  // /tmp, a linked home folder) would otherwise have every source seen twice, once as outside the project.
  const projectDir = await fs.realpath(resolve(options.projectDir));
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MiniappError('SERVER_INVALID_PORT', { port });
  const token = options.token ?? randomBytes(24).toString('hex');
  const emit = (e: DevServerEvent) => options.onEvent?.(e);

  const channels: DevChannel[] = [];
  const clients = createClientBook({ channels: () => channels, ackTimeoutMs: options.ackTimeoutMs ?? 3000, onReloaded: (r) => emit({ type: 'reloaded', ...r }) });
  const state = createBuildState(projectDir, clients);
  // watch: a Vite project keeps Vite's own watcher between saves, so each rebuild is incremental.
  const build = createBuildContext({
    projectDir,
    mode: 'development',
    profile: options.profile ?? 'dev',
    newestHostVersion: options.newestHostVersion,
    renameWebManifest: options.renameWebManifest,
    watch: true,
  });
  let watcher: ProjectWatcher | undefined;
  let http: Server | undefined;
  const afterBuild = (out: BuildOutput, request: RebuildRequest) => {
    const reloadId = state.onBuilt(out, request);
    // After the clients are told (off the save-to-reload path), and after a failure too: a file outside
    // the project that has the error must be watched to see it fixed.
    watcher?.add(out.watchFiles);
    emit({ type: 'build', ok: out.ok, reason: request.reason, changed: request.changed, durationMs: out.durationMs, errors: out.errors, warnings: out.warnings, reloadId, clients: clients.count() });
  };
  const rebuilder = createRebuilder<BuildOutput>({
    debounceMs: options.debounceMs ?? 0,
    build: () => build.rebuild(),
    onStart: (request) => clients.broadcast({ type: 'building', changed: request.changed }),
    onDone: afterBuild,
    onFailure: (err) => emit({ type: 'failure', message: err instanceof Error ? err.message : String(err) }),
  });
  const close = closer({ rebuilder, clients, build, watcher: () => watcher, channels, http: () => http });

  try {
    // Watching starts before the first build, so a save made while the server starts is not lost: one
    // made during the first build is rebuilt after it (that build may have read the file before the save).
    let early: { path: string; kind: ChangeKind }[] | undefined = [];
    const onChange = (path: string, kind: ChangeKind) => {
      if (early) early.push({ path, kind });
      else if (state.inputs.affects(path, kind)) rebuilder.schedule(path);
    };
    if (options.watch !== false) {
      watcher = await watchProject(projectDir, onChange, (err) => emit({ type: 'failure', message: `watcher: ${err.message}` }));
      await watcher.ready;
    }
    // The first build runs before listening, so the first request already gets the app (or its errors).
    afterBuild(await build.rebuild(), { changed: [], reason: 'change' });
    const changedMeanwhile = early;
    early = undefined;
    for (const c of changedMeanwhile) onChange(c.path, c.kind);
    http = await startHttp({ options, token, state, rebuilder, channels, clients, emit });
    const address = await listen(http, host, port);
    return describe({ host, port: address.port, token, state, clients, rebuilder, close });
  } catch (err) {
    await close();
    throw err;
  }
}

/** The HTTP server with its request handler and WebSocket endpoint attached, not yet listening. */
async function startHttp(p: {
  options: DevServerOptions;
  token: string;
  state: ReturnType<typeof createBuildState>;
  rebuilder: Rebuilder<BuildOutput>;
  channels: DevChannel[];
  clients: ClientBook;
  emit: (e: DevServerEvent) => void;
}): Promise<Server> {
  const { options, token, state, emit } = p;
  const refused = (status: number, reason: string, kind: string, req: IncomingMessage) =>
    emit({
      type: 'refused',
      status,
      kind,
      reason: reason.slice(0, 200),
      url: redactedTarget(req.url ?? ''),
      ...(req.headers.origin !== undefined ? { origin: req.headers.origin.slice(0, 200) } : {}),
    });
  // A connection that has not finished its request headers within 10 s is closed (Node's default is 60 s):
  // a hostile page or peer cannot keep half-opened upgrades around (they never take a client slot).
  const http = createServer({ headersTimeout: 10_000, connectionsCheckingInterval: 2_000 });
  http.on(
    'request',
    createRequestHandler({
      token,
      builds: state.builds,
      allowedHosts: options.allowedHosts,
      problem: state.problems,
      reload: () => void p.rebuilder.run('manual').catch(() => undefined),
      onRefused: refused,
    }),
  );
  http.on('clientError', (_err, socket) => socket.destroy());
  const ws = await createWebSocketChannel(http, {
    token,
    allowedHosts: options.allowedHosts,
    maxClients: options.maxClients,
    helloTimeoutMs: options.helloTimeoutMs,
    onRefused: (r, req) => refused(r.status, r.reason, r.kind, req),
  });
  p.channels.push(ws, ...(options.channels ?? []));
  const handlers = clientHandlers(p.clients, state, randomUUID(), emit);
  for (const ch of p.channels) ch.listen(handlers);
  return http;
}

function describe(p: {
  host: string;
  port: number;
  token: string;
  state: ReturnType<typeof createBuildState>;
  clients: ClientBook;
  rebuilder: Rebuilder<BuildOutput>;
  close: () => Promise<void>;
}): DevServer {
  const { host, port, state } = p;
  const origin = (h: string) => `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
  const all = host === '0.0.0.0' || host === '::';
  const url = `${origin(all ? '127.0.0.1' : host)}/`;
  return {
    url,
    simulatorUrl: `${url}__miniapp/`,
    wsUrl: `${url.replace(/^http/, 'ws')}__miniapp/ws?token=${p.token}`,
    networkUrls: all ? lanAddresses().map((a) => `${origin(a)}/`) : [],
    host,
    port,
    token: p.token,
    state: () => ({
      lastBuild: state.lastBuild(),
      served: state.builds.current(),
      clients: p.clients.count(),
      pages: p.clients.pages(),
      rebuilds: state.rebuilds(),
      retainedBytes: state.builds.retainedBytes(),
    }),
    reload: () => p.rebuilder.run('manual'),
    idle: () => p.rebuilder.idle(),
    close: p.close,
  };
}
