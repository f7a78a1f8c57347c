import { relative, resolve } from 'node:path';
import type { CommandContext, CommandResult } from './types.js';
import { formatDiagnostic } from './diagnostics.js';
import { MiniappError } from '../core/errors/index.js';
import type { Profile } from '../manifest/types.js';
import type { DevServer, DevServerEvent } from '../server/index.js';

export interface ServeResult {
  url: string;
  simulatorUrl: string;
  networkUrls: string[];
  rebuilds: number;
  reloads: number;
  bridgeCalls: number;
}

const short = (value: unknown, max = 120) => {
  const s = value === undefined ? '' : JSON.stringify(value) ?? '';
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
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
      void server.reload();
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

export async function run(args: string[], options: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult<ServeResult>> {
  const projectDir = resolve(ctx.cwd, args[0] ?? '.');
  const port = options.port as number;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MiniappError('SERVER_INVALID_PORT', { port });
  const { colors, logger } = ctx;
  const counts = { reloads: 0, bridgeCalls: 0 };
  let built = false; // a good build exists: a failed one leaves it served
  const shown = (file: string | undefined) => (file ? relative(ctx.cwd, resolve(projectDir, file)) || file : file);

  const onEvent = (e: DevServerEvent) => {
    switch (e.type) {
      case 'build': {
        const ms = `${Math.round(e.durationMs)} ms`;
        const what = e.changed.length ? ` (${e.changed.slice(0, 3).join(', ')}${e.changed.length > 3 ? `, +${e.changed.length - 3}` : ''})` : '';
        if (e.ok) {
          built = true;
          const clients = e.reloadId !== undefined && e.clients > 0 ? `, reloading ${e.clients} client${e.clients === 1 ? '' : 's'}` : '';
          logger.info(`${colors.green('✓')} built in ${ms}${what}${clients}`);
        } else {
          logger.info(`${colors.red('✗')} build failed${what}; ${built ? 'still serving the last good build' : 'pages show the errors until it builds'}`);
          for (const d of e.errors) logger.info(formatDiagnostic({ ...d, file: shown(d.file) }, colors));
        }
        for (const d of e.warnings) logger.debug(formatDiagnostic({ ...d, file: shown(d.file) }, colors));
        break;
      }
      case 'reloaded':
        counts.reloads++;
        logger.info(`${colors.cyan('↻')} ${e.acknowledged} of ${e.sent} client${e.sent === 1 ? '' : 's'} reloaded`);
        break;
      case 'bridge-call':
        counts.bridgeCalls++;
        if (options.inspect) {
          const c = e.call;
          const outcome = c.outcome === 'ok' ? `${colors.green('ok')} ${short(c.result, 80)}` : `${colors.red(c.error?.code ?? 'error')} ${c.error?.message ?? ''}`;
          logger.info(`${colors.dim('bridge')} ${colors.bold(c.method)} ${short(c.params)} → ${outcome} ${colors.dim(`${c.latencyMs} ms`)}`);
        }
        break;
      case 'refused':
        logger.warn(`refused ${e.url}${e.origin ? ` from ${e.origin}` : ''}: ${e.reason}`);
        break;
      case 'client':
        logger.debug(`${e.connected ? 'client connected' : 'client left'} (${e.clients} connected)`);
        break;
      case 'failure':
        logger.warn(e.message);
        break;
    }
  };

  const { createDevServer } = await import('../server/index.js');
  logger.progress('building…');
  const server = await createDevServer({
    projectDir,
    host: options.host as string,
    port,
    profile: options.profile as Profile,
    newestHostVersion: options.newestHostVersion as string | undefined,
    onEvent,
  });
  const stopKeys = listenForKeys(ctx, server);
  try {
    logger.info('');
    logger.info(`  ${colors.bold('miniapp dev server')}`);
    logger.info(`  Local:     ${colors.cyan(server.url)}`);
    for (const u of server.networkUrls) logger.info(`  Network:   ${colors.cyan(u)}`);
    logger.info(`  Simulator: ${colors.cyan(server.simulatorUrl)}`);
    logger.debug(`  WebSocket: ${server.wsUrl}`);
    if (server.networkUrls.length) logger.info(await qrCode(server.networkUrls[0]!));
    else if (server.host !== '127.0.0.1' && server.host !== 'localhost' && server.host !== '::1') logger.warn(`listening on ${server.host}: other machines may reach this server`);
    logger.info(colors.dim(ctx.interactive && ctx.stdin.isTTY ? '  press r to reload, q or Ctrl-C to stop' : '  Ctrl-C to stop; POST /__miniapp/reload reloads'));
    logger.info('');
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) return done();
      ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
  } finally {
    stopKeys();
    await server.close();
  }
  const state = server.state();
  return {
    ok: true,
    result: { url: server.url, simulatorUrl: server.simulatorUrl, networkUrls: server.networkUrls, rebuilds: state.rebuilds, reloads: counts.reloads, bridgeCalls: counts.bridgeCalls },
  };
}

export function render(outcome: CommandResult<ServeResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  return `${ctx.colors.dim('dev server stopped')}: ${r.rebuilds} build${r.rebuilds === 1 ? '' : 's'}, ${r.reloads} reload${r.reloads === 1 ? '' : 's'}, ${r.bridgeCalls} bridge call${r.bridgeCalls === 1 ? '' : 's'}`;
}
