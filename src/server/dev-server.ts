import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { basename, resolve } from 'node:path';
import { createBuildContext } from '../build/index.js';
import type { BuildContext, BuildDiagnostic, BuildOutput } from '../build/index.js';
import { MiniappError } from '../core/errors/index.js';
import type { Manifest } from '../manifest/types.js';
import type { DevChannel, DevClient } from './channel.js';
import { hashFiles } from './descriptor.js';
import { createRequestHandler, type ServedBuild } from './http.js';
import { PROTOCOL_VERSION, stripAnsi, type BridgeCallRecord, type DevClientMessage, type DevServerMessage, type ErrorPayload } from './protocol.js';
import { createRebuilder, type RebuildRequest } from './rebuilder.js';
import { watchProject, type ChangeKind, type ProjectWatcher } from './watcher.js';
import { createWebSocketChannel, type UpgradeRefusal } from './ws-channel.js';

export interface DevServerOptions {
  /** The mini-program project (manifest.json, entry HTML, src/, public/). */
  projectDir: string;
  /** Interface to bind (default 127.0.0.1: loopback only). "0.0.0.0" exposes the server to the LAN. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Watch the project and rebuild on change (default true). */
  watch?: boolean;
  /** Changes closer together than this start one rebuild (default 0: the events of one save, read in one turn of the event loop, start one rebuild; later ones during it start exactly one more, and only the last result is reported). */
  debounceMs?: number;
  /** How long to wait for reloaded pages to acknowledge before reporting the count (default 3000 ms). */
  ackTimeoutMs?: number;
  /** Manifest rule set (default "dev": loopback domains allowed). */
  profile?: 'dev' | 'release';
  newestHostVersion?: string;
  /** Extra channels besides the WebSocket endpoint (tests and embedders use createMemoryChannel()). */
  channels?: DevChannel[];
  /** Fixed token (tests); by default a random one per process. */
  token?: string;
  /** Everything that happens, for a terminal or a test to show. */
  onEvent?: (event: DevServerEvent) => void;
}

export type DevServerEvent =
  | { type: 'build'; ok: boolean; reason: RebuildRequest['reason']; changed: string[]; durationMs: number; errors: BuildDiagnostic[]; warnings: BuildDiagnostic[]; reloadId?: number; clients: number }
  | { type: 'reloaded'; id: number; acknowledged: number; sent: number }
  | { type: 'bridge-call'; source: string; call: BridgeCallRecord }
  | { type: 'client'; connected: boolean; clients: number }
  | { type: 'refused'; status: number; reason: string; url: string; origin?: string }
  | { type: 'failure'; message: string };

export interface DevServer {
  /** http://host:port/ as a browser on this machine opens it. */
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
  state(): { lastBuild?: BuildOutput; served?: { manifest: Manifest; hash: string; files: ReadonlyMap<string, Uint8Array> }; clients: number; rebuilds: number };
  /** Rebuilds now and tells clients to reload (the `r` key and POST /__miniapp/reload). */
  reload(): Promise<BuildOutput>;
  /** Resolves when no rebuild is running or pending. */
  idle(): Promise<void>;
  /** Stops watching, disposes esbuild, disconnects clients and stops listening. Safe to call twice. */
  close(): Promise<void>;
}

/** Settings esbuild reads while bundling that are not among a build's inputs. */
const BUILD_SETTINGS = new Set(['tsconfig.json', 'jsconfig.json', 'package.json']);

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

/**
 * Starts the dev server: builds the project once, serves exactly the package's files from memory,
 * watches the project, rebuilds on change and tells connected pages to reload when a rebuild is done.
 * Resolves once the first build is done and the server listens (the first build may have failed: the
 * server then shows the errors until a build succeeds).
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
  const session = randomUUID();
  const emit = (e: DevServerEvent) => options.onEvent?.(e);
  const ackTimeoutMs = options.ackTimeoutMs ?? 3000;

  let lastBuild: BuildOutput | undefined;
  /** Every file the last good build read; undefined while the build fails (it may not have read them all). */
  let reads: Set<string> | undefined;

  /**
   * Whether a change can alter the build: a file appearing or disappearing can, new content can only in a
   * file the last good build read (or a settings file esbuild reads without listing it). A log or
   * report written into the project many times a second would otherwise keep superseding rebuilds, and
   * no reload would ever be sent for the edit that matters.
   */
  const affectsBuild = (path: string, kind: ChangeKind) =>
    kind === 'entry' || !reads || BUILD_SETTINGS.has(basename(path)) || reads.has(resolve(projectDir, path));
  let served: ServedBuild | undefined;
  let shownProblem: DevServerMessage | undefined; // the error or manifest-invalid message pages must show
  let rebuilds = 0;
  let reloadSeq = 0;
  const pendingAcks = new Map<number, { sent: number; acknowledged: number; timer: NodeJS.Timeout }>();
  const channels: DevChannel[] = [];
  const clients = () => channels.reduce((n, c) => n + c.clients.size, 0);
  const broadcast = (message: DevServerMessage, except?: DevClient) => {
    for (const ch of channels) for (const c of ch.clients) if (c !== except) c.send(message);
  };

  const build: BuildContext = createBuildContext({ projectDir, mode: 'development', profile: options.profile ?? 'dev', newestHostVersion: options.newestHostVersion });
  let watcher: ProjectWatcher | undefined;
  let http: Server | undefined;

  const finishAcks = (id: number) => {
    const p = pendingAcks.get(id);
    if (!p) return;
    clearTimeout(p.timer);
    pendingAcks.delete(id);
    emit({ type: 'reloaded', id, acknowledged: p.acknowledged, sent: p.sent });
  };

  const sendReload = (request: RebuildRequest, durationMs: number): number | undefined => {
    if (!served) return undefined;
    for (const id of [...pendingAcks.keys()]) finishAcks(id);
    const id = ++reloadSeq;
    const sent = clients();
    const message: DevServerMessage = { type: 'reload', id, hash: served.hash, reason: request.reason, changed: request.changed, durationMs: Math.round(durationMs) };
    if (sent > 0) pendingAcks.set(id, { sent, acknowledged: 0, timer: setTimeout(() => finishAcks(id), ackTimeoutMs) });
    broadcast(message);
    return id;
  };

  const onBuilt = (out: BuildOutput, request: RebuildRequest) => {
    lastBuild = out;
    reads = out.ok ? new Set(out.watchFiles) : undefined;
    rebuilds++;
    let reloadId: number | undefined;
    if (out.ok && out.manifest) {
      const hash = hashFiles(out.files);
      const changedOutput = served?.hash !== hash;
      const hadProblem = shownProblem !== undefined;
      served = { manifest: out.manifest, files: out.files, hash };
      shownProblem = undefined;
      // Unchanged output (a file touched, a comment in an unused module): no reload unless an overlay must go.
      if (changedOutput || hadProblem || request.reason === 'manual') reloadId = sendReload(request, out.durationMs);
    } else {
      const manifestErrors = out.errors.filter(isManifestProblem);
      if (manifestErrors.length) {
        shownProblem = { type: 'manifest-invalid', file: 'manifest.json', errors: manifestErrors.map(toPayload) };
      } else {
        const errors = (out.errors.length ? out.errors : [{ code: 'BUILD_ERROR', severity: 'error', message: 'the build failed' } as BuildDiagnostic]).map(toPayload);
        shownProblem = { type: 'error', ...errors[0]!, errors };
      }
      broadcast(shownProblem);
    }
    // After the clients are told (off the save-to-reload path), and after a failure too: a file outside
    // the project that has the error must be watched to see it fixed.
    watcher?.add(out.watchFiles);
    emit({ type: 'build', ok: out.ok, reason: request.reason, changed: request.changed, durationMs: out.durationMs, errors: out.errors, warnings: out.warnings, reloadId, clients: clients() });
  };

  const rebuilder = createRebuilder<BuildOutput>({
    debounceMs: options.debounceMs ?? 0,
    build: () => build.rebuild(),
    onStart: (request) => broadcast({ type: 'building', changed: request.changed }),
    onDone: onBuilt,
    onFailure: (err) => emit({ type: 'failure', message: err instanceof Error ? err.message : String(err) }),
  });

  const onMessage = (message: DevClientMessage, client: DevClient) => {
    if (message.type === 'ack') {
      const p = pendingAcks.get(message.id);
      if (!p) return;
      p.acknowledged++;
      if (p.acknowledged >= p.sent) finishAcks(message.id);
    } else if (message.type === 'bridge-call') {
      emit({ type: 'bridge-call', source: client.id, call: message.call });
      broadcast({ type: 'bridge-call', source: client.id, call: message.call }, client);
    }
  };

  const hello = (client: DevClient) => {
    client.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      session,
      clientId: client.id,
      ...(served ? { app: { id: served.manifest.id, version: served.manifest.version } } : {}),
      build: { ok: shownProblem === undefined && served !== undefined, ...(served ? { hash: served.hash } : {}) },
    });
    if (shownProblem) client.send(shownProblem);
  };

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      rebuilder.stop();
      for (const id of [...pendingAcks.keys()]) finishAcks(id);
      const steps: Promise<unknown>[] = [watcher?.close() ?? Promise.resolve(), ...channels.map((c) => c.close())];
      if (http) {
        const server = http;
        steps.push(
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
        );
      }
      await Promise.allSettled(steps);
      // esbuild last: a rebuild that was running when close() began must not outlive its context.
      await rebuilder.idle().catch(() => undefined);
      await build.dispose();
    })();
    return closing;
  };

  try {
    // The first build runs before listening, so the first request already gets the app (or its errors).
    onBuilt(await build.rebuild(), { changed: [], reason: 'change' });

    const refused = (r: UpgradeRefusal, req: IncomingMessage) => emit({ type: 'refused', status: r.status, reason: r.reason, url: req.url ?? '', origin: req.headers.origin });
    http = createServer();
    const address = await listen(http, host, port);
    const origin = (h: string) => `http://${h.includes(':') ? `[${h}]` : h}:${address.port}`;
    const browserHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const ws = await createWebSocketChannel(http, token, refused);
    channels.push(ws, ...(options.channels ?? []));
    for (const ch of channels) {
      ch.listen({
        connection: (c) => {
          hello(c);
          emit({ type: 'client', connected: true, clients: clients() });
        },
        message: onMessage,
        disconnect: () => emit({ type: 'client', connected: false, clients: clients() }),
      });
    }
    http.on(
      'request',
      createRequestHandler({
        token,
        served: () => served,
        problem: () => (shownProblem ? (shownProblem.type === 'manifest-invalid' ? shownProblem.errors : (shownProblem as { errors: ErrorPayload[] }).errors) : lastBuild && !lastBuild.ok ? lastBuild.errors.map(toPayload) : []),
        reload: () => {
          void rebuilder.run('manual');
        },
        onRefused: (status, reason, req) => emit({ type: 'refused', status, reason, url: req.url ?? '', origin: req.headers.origin }),
      }),
    );

    if (options.watch !== false) {
      watcher = await watchProject(
        projectDir,
        (path, kind) => {
          if (affectsBuild(path, kind)) rebuilder.schedule(path);
        },
        (err) => emit({ type: 'failure', message: `watcher: ${err.message}` }),
      );
      await watcher.ready;
      if (lastBuild) watcher.add(lastBuild.watchFiles);
    }

    const url = `${origin(browserHost)}/`;
    const server: DevServer = {
      url,
      simulatorUrl: `${url}__miniapp/`,
      wsUrl: `${url.replace(/^http/, 'ws')}__miniapp/ws?token=${token}`,
      networkUrls: host === '0.0.0.0' || host === '::' ? lanAddresses().map((a) => `${origin(a)}/`) : [],
      host,
      port: address.port,
      token,
      state: () => ({ lastBuild, served, clients: clients(), rebuilds }),
      reload: () => rebuilder.run('manual'),
      idle: () => rebuilder.idle(),
      close,
    };
    return server;
  } catch (err) {
    await close();
    throw err;
  }
}
