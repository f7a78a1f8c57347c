import { relative, resolve } from 'node:path';
import type { CommandContext, CommandResult, Logger, OptionsOf } from './types.js';
import type { serveOptions } from './options.js';
import { formatDiagnostic } from './diagnostics.js';
import { MiniappError } from '../core/errors/index.js';
import type { BuildDiagnostic } from '../build/index.js';
import type { DevServer, DevServerEvent } from '../server/index.js';
import { printable } from '../server/terminal-text.js';

export interface ServeResult {
  url: string;
  simulatorUrl: string;
  networkUrls: string[];
  rebuilds: number;
  reloads: number;
  bridgeCalls: number;
  runtimeErrors: number;
  refused: number;
}

/** A value from a page as one terminal-safe line: JSON, cut to `max`, control characters escaped. */
const short = (value: unknown, max = 120) => {
  let s = '';
  try {
    s = value === undefined ? '' : (JSON.stringify(value) ?? '');
  } catch {
    s = '[unprintable]';
  }
  return printable(s, { max });
};

/** The LAN address as a QR code for a device's debug host to scan (qrcode-terminal draws it with block characters). */
async function qrCode(text: string): Promise<string> {
  const mod = await import('qrcode-terminal');
  // CommonJS: Node exposes module.exports as the default export; generate() needs it as `this`.
  const qr = mod.default ?? mod;
  try {
    return await new Promise((done) => qr.generate(text, { small: true }, (code) => done(code)));
  } catch {
    return ''; // the QR code is a convenience: the address is printed above it
  }
}

/** The `r` (reload) and `q` keys while stdin is a terminal; raw mode turns Ctrl-C into a byte, so it is forwarded as SIGINT. */
function listenForKeys(ctx: CommandContext, server: DevServer): () => void {
  const stdin = ctx.stdin;
  if (!ctx.interactive || !stdin.isTTY || typeof stdin.setRawMode !== 'function') return () => undefined;
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer) => {
    const key = data.toString();
    if (key === 'r' || key === 'R') {
      ctx.logger.info('reloading…');
      void server.reload().catch(() => undefined);
    } else if (key === 'q' || key === '\u0003' || key === '\u0004') {
      process.kill(process.pid, 'SIGINT');
    }
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}

/** Prints a kind of noise once (refused requests, malformed messages), then only counts it. */
function oncePerKind(logger: Logger) {
  const seen = new Map<string, number>();
  return {
    log(kind: string, line: string) {
      // At most 20 kinds are remembered: whatever a page sends, this prints a bounded number of lines.
      if (!seen.has(kind) && seen.size >= 20) kind = 'other';
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      if (n === 1 && kind !== 'other') logger.warn(`${line} (further ones of this kind are counted, not shown)`);
    },
    summary: () => [...seen].filter(([, n]) => n > 1).map(([kind, n]) => `${n} × ${kind}`),
    total: () => [...seen.values()].reduce((a, b) => a + b, 0),
  };
}

/** A build diagnostic as printed: every field that came from a file escaped (a frame keeps its line breaks). */
const safeDiagnostic = (d: BuildDiagnostic, file: string | undefined): BuildDiagnostic => ({
  ...d,
  message: printable(d.message, { max: 2000, newlines: true }),
  ...(d.hint ? { hint: printable(d.hint, { max: 500 }) } : {}),
  ...(file ? { file: printable(file, { max: 300 }) } : {}),
  ...(d.frame ? { frame: printable(d.frame, { max: 2000, newlines: true }) } : {}),
});

function eventPrinter(ctx: CommandContext, options: OptionsOf<typeof serveOptions>, projectDir: string) {
  const { colors, logger } = ctx;
  const counts = { reloads: 0, bridgeCalls: 0, runtimeErrors: 0 };
  const refusals = oncePerKind(logger);
  const rejections = oncePerKind(logger);
  let built = false; // a good build exists: a failed one leaves it served
  const shown = (file: string | undefined) => (file ? relative(ctx.cwd, resolve(projectDir, file)) || file : file);
  const diagnostic = (d: BuildDiagnostic) => formatDiagnostic(safeDiagnostic(d, shown(d.file)), colors);

  const onBuild = (e: Extract<DevServerEvent, { type: 'build' }>) => {
    const ms = `${Math.round(e.durationMs)} ms`;
    const names = e.changed.slice(0, 3).map((c) => printable(c, { max: 120 }));
    const what = e.changed.length ? ` (${names.join(', ')}${e.changed.length > 3 ? `, +${e.changed.length - 3}` : ''})` : '';
    if (e.ok) {
      built = true;
      const clients = e.reloadId !== undefined && e.clients > 0 ? `, reloading ${e.clients} client${e.clients === 1 ? '' : 's'}` : '';
      logger.info(`${colors.green('✓')} built in ${ms}${what}${clients}`);
    } else {
      logger.info(`${colors.red('✗')} build failed${what}; ${built ? 'still serving the last good build' : 'pages show the errors until it builds'}`);
      for (const d of e.errors) logger.info(diagnostic(d));
    }
    for (const d of e.warnings) logger.debug(diagnostic(d));
  };

  const onEvent = (e: DevServerEvent) => {
    switch (e.type) {
      case 'build':
        return onBuild(e);
      case 'reloaded':
        counts.reloads++;
        return logger.info(`${colors.cyan('↻')} ${e.acknowledged} of ${e.sent} page${e.sent === 1 ? '' : 's'} reloaded`);
      case 'bridge-call': {
        counts.bridgeCalls++;
        if (!options.inspect) return;
        const c = e.call;
        const outcome =
          c.outcome === 'ok' ? `${colors.green('ok')} ${short(c.result, 80)}` : `${colors.red(printable(c.error?.code ?? 'error', { max: 100 }))} ${printable(c.error?.message ?? '', { max: 300 })}`;
        return logger.info(`${colors.dim('bridge')} ${colors.bold(printable(c.method, { max: 200 }))} ${short(c.params)} → ${outcome} ${colors.dim(`${c.latencyMs} ms`)}`);
      }
      case 'runtime-error': {
        counts.runtimeErrors++;
        const r = e.error;
        const where = r.source ? ` at ${printable(r.source, { max: 200 })}${r.line ? `:${r.line}${r.column ? `:${r.column}` : ''}` : ''}` : '';
        return logger.warn(`${r.kind === 'error' ? 'uncaught error' : 'unhandled rejection'} in the app: ${printable(r.message, { max: 500 })}${where}`);
      }
      case 'refused':
        return refusals.log(`${e.status} ${e.kind}`, `refused ${e.url}${e.origin ? ` from ${printable(e.origin, { max: 100 })}` : ''}: ${printable(e.reason, { max: 200 })}`);
      case 'rejected':
        return rejections.log(`ignored message: ${e.reason}`, `ignored a message from a page: ${printable(e.reason, { max: 200 })}`);
      case 'client':
        return logger.debug(`${e.connected ? 'client connected' : 'client left'} (${e.role}; ${e.clients} connected)`);
      case 'failure':
        return logger.warn(printable(e.message, { max: 500 }));
    }
  };
  return { onEvent, counts, refusals, rejections };
}

/** What `--host` on a non-loopback interface lets others see: said before anything is served. */
function warnExposure(ctx: CommandContext, server: DevServer): void {
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(server.host);
  if (loopback) return;
  const w = (line: string) => ctx.logger.warn(line);
  w(`listening on ${server.host}: every machine that can reach this address can`);
  w('  - read the app: every served file, with the sources inlined in the source maps of this development build;');
  w('  - watch every bridge call the app makes (params and results) and send the page messages: the token is in every served page.');
  w('Stop the server when you no longer need a device to reach it.');
}

function printBanner(ctx: CommandContext, server: DevServer): void {
  const { colors, logger } = ctx;
  logger.info('');
  logger.info(`  ${colors.bold('miniapp dev server')}`);
  logger.info(`  Local:     ${colors.cyan(server.url)}`);
  for (const u of server.networkUrls) logger.info(`  Network:   ${colors.cyan(u)}`);
  logger.info(`  Simulator: ${colors.cyan(server.simulatorUrl)}`);
  logger.debug(`  WebSocket: ${server.wsUrl}`);
}

export async function run(args: string[], options: OptionsOf<typeof serveOptions>, ctx: CommandContext): Promise<CommandResult<ServeResult>> {
  const projectDir = resolve(ctx.cwd, args[0] ?? '.');
  const port = options.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MiniappError('SERVER_INVALID_PORT', { port });
  const { colors, logger } = ctx;
  const printer = eventPrinter(ctx, options, projectDir);

  const { createDevServer } = await import('../server/index.js');
  logger.progress('building…');
  const server = await createDevServer({
    projectDir,
    host: options.host,
    port,
    allowedHosts: options.allowedHosts ?? [],
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
    renameWebManifest: options.renameWebManifest,
    onEvent: printer.onEvent,
  });
  const stopKeys = listenForKeys(ctx, server);
  try {
    printBanner(ctx, server);
    warnExposure(ctx, server);
    if (server.networkUrls.length) logger.info(await qrCode(server.networkUrls[0]!));
    logger.info(colors.dim(ctx.interactive && ctx.stdin.isTTY ? '  press r to reload, q or Ctrl-C to stop' : '  Ctrl-C to stop; POST /__miniapp/reload reloads'));
    logger.info('');
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) return done();
      ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
  } finally {
    stopKeys();
    await server.close();
    // The process is about to exit: end esbuild's service now rather than let it notice its parent is gone.
    await (await import('esbuild')).stop();
  }
  const noise = [...printer.refusals.summary(), ...printer.rejections.summary()];
  if (noise.length) logger.info(colors.dim(`refused or ignored while serving: ${noise.join(', ')}`));
  const state = server.state();
  const { counts } = printer;
  return {
    ok: true,
    result: {
      url: server.url,
      simulatorUrl: server.simulatorUrl,
      networkUrls: server.networkUrls,
      rebuilds: state.rebuilds,
      reloads: counts.reloads,
      bridgeCalls: counts.bridgeCalls,
      runtimeErrors: counts.runtimeErrors,
      refused: printer.refusals.total(),
    },
  };
}

export function render(outcome: CommandResult<ServeResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  const errors = r.runtimeErrors ? `, ${r.runtimeErrors} app error${r.runtimeErrors === 1 ? '' : 's'}` : '';
  return `${ctx.colors.dim('dev server stopped')}: ${r.rebuilds} build${r.rebuilds === 1 ? '' : 's'}, ${r.reloads} reload${r.reloads === 1 ? '' : 's'}, ${r.bridgeCalls} bridge call${r.bridgeCalls === 1 ? '' : 's'}${errors}`;
}
