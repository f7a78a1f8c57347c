import { promises as fs, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PERMISSIONS, type Permission } from '../bridge/catalog.js';
import { parseHostVersionOption } from '../manifest/host-versions.js';
import { MiniappError } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { loadOrCreateHostKey } from '../runtime/host/host-key.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { runOptions } from './options.js';
import { explainBadFixtures, type Fixtures } from '../runtime/host/fixtures.js';
import { explainBadRecording, type Recording } from '../runtime/host/recorder.js';
import { runApp, type RunReport } from '../runtime/run.js';

const invalid = (option: string, reason: string, fix?: string) => new MiniappError('RUN_OPTION_INVALID', { option, reason, fix });

function checkPermissions(option: string, values: string[]): string[] {
  for (const v of values) {
    if (!Object.prototype.hasOwnProperty.call(PERMISSIONS, v)) throw invalid(option, `names an unknown permission ${JSON.stringify(v)}`, `Known permissions: ${Object.keys(PERMISSIONS).join(', ')}.`);
    if (!PERMISSIONS[v as Permission].consent)
      throw invalid(
        option,
        `names "${v}", which needs no user consent`,
        `Consent permissions: ${Object.entries(PERMISSIONS)
          .filter(([, p]) => p.consent)
          .map(([n]) => n)
          .join(', ')}.`,
      );
  }
  return values;
}

async function readJson(path: string, kind: string): Promise<unknown> {
  const text = await fs.readFile(path, 'utf8').catch((err: Error) => {
    throw new MiniappError('FILE_UNREADABLE', { path, reason: err.message }, { cause: err });
  });
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new MiniappError('RUN_FILE_INVALID', { path, kind, reason: (err as Error).message }, { cause: err });
  }
}

export async function run(args: string[], options: OptionsOf<typeof runOptions>, ctx: CommandContext): Promise<CommandResult<RunReport>> {
  const grant = checkPermissions('--grant', options.grant ?? []);
  const deny = checkPermissions('--deny', options.deny ?? []);
  const both = grant.find((p) => deny.includes(p));
  if (both) throw invalid('--grant/--deny', `both grant and deny "${both}"`);
  const hostVersion = parseHostVersionOption(options.hostVersion, 'run');
  const timeoutMs = options.timeout;
  if (!(timeoutMs > 0)) throw invalid('--timeout', 'must be a positive number of milliseconds');

  let fixtures: Fixtures | undefined;
  if (options.fixtures) {
    const path = resolve(ctx.cwd, options.fixtures);
    fixtures = (await readJson(path, 'fixtures')) as Fixtures;
    const reason = explainBadFixtures(fixtures);
    if (reason) throw new MiniappError('RUN_FILE_INVALID', { path, kind: 'fixtures', reason });
  }
  let replay: Recording | undefined;
  if (options.replay) {
    const path = resolve(ctx.cwd, options.replay);
    replay = (await readJson(path, 'a recording')) as Recording;
    const reason = explainBadRecording(replay);
    if (reason) throw new MiniappError('RUN_FILE_INVALID', { path, kind: 'a recording', reason });
  }
  const ca = options.ca ? await fs.readFile(resolve(ctx.cwd, options.ca), 'utf8') : undefined;
  const configHome = ctx.env.XDG_CONFIG_HOME || join(ctx.env.HOME || homedir(), '.config');
  const keyFile = resolve(ctx.cwd, options.hostKeyFile ?? join(configHome, 'miniapp', 'host.key'));

  // --audit: the run's security-relevant events as JSON lines (src/host/audit.ts); opened first so a
  // run that fails still leaves its host.start/host.stop lines.
  const audit = options.audit ? (await import('../host/audit.js')).openAuditLog({ path: resolve(ctx.cwd, options.audit) }) : undefined;
  try {
    return await runWithAudit(args, options, ctx, { timeoutMs, hostVersion, grant, deny, fixtures, replay, ca, keyFile }, audit);
  } finally {
    audit?.close();
  }
}

async function runWithAudit(
  args: string[],
  options: OptionsOf<typeof runOptions>,
  ctx: CommandContext,
  o: { timeoutMs: number; hostVersion?: string; grant: string[]; deny: string[]; fixtures?: Fixtures; replay?: Recording; ca?: string; keyFile: string },
  audit: import('../host/audit.js').AuditLog | undefined,
): Promise<CommandResult<RunReport>> {
  const { timeoutMs, hostVersion, grant, deny, fixtures, replay, ca, keyFile } = o;
  ctx.logger.progress(`launching ${args[0]}…`);
  const inProcess = options.unsafeInProcess === true;
  const { sandboxIsolation } = await import('../sandbox/jail.js');
  const isolation = inProcess ? { level: 'in-process', reason: '--unsafe-in-process' } : sandboxIsolation();
  if (isolation.level !== 'os-sandbox') {
    ctx.logger.warn(
      inProcess
        ? 'WARNING: --unsafe-in-process runs this app with YOUR rights: it can read your files and environment, use your network and start processes. Only for code you wrote.'
        : `WARNING: no OS sandbox here (${isolation.reason}). The app runs as a plain process: a hostile package could reach your network and signal your processes.`,
    );
  }
  const outcome = await runApp(args[0]!, {
    cwd: ctx.cwd,
    // By default the guest runs in a sandbox process, inside the OS jail where this machine has one, with
    // the same limits as conformance: a script that never yields is stopped, and a hostile package gets
    // neither the user's files, environment, network nor processes. RLIMIT_CPU backs the run's timeout.
    isolation: inProcess ? 'in-process' : 'sandbox',
    limits: { cpuSeconds: Math.ceil(timeoutMs / 1000) + 30 },
    timeoutMs,
    hostVersion,
    grant,
    deny,
    dataDir: resolve(ctx.cwd, options.dataDir),
    hostKey: await loadOrCreateHostKey(keyFile),
    network: options.network,
    fixtures,
    replay,
    ca,
    paymentOutcome: options.payment,
    pubkey: options.pubkey,
    audit,
    onLaunched: (app) => {
      const stop = () => void app.close();
      ctx.signal.addEventListener('abort', stop, { once: true });
    },
  });
  if (options.record) {
    const path = resolve(ctx.cwd, options.record);
    mkdirSync(dirname(path), { recursive: true }); // a run's calls must not be lost to a missing folder
    await writeFileAtomic(path, `${JSON.stringify(outcome.app.host.recorder.toRecording(outcome.report.app.id), null, 2)}\n`);
    const { calls, count } = outcome.app.host.recorder;
    ctx.logger.info(`recorded ${calls.length === count ? '' : `the first ${calls.length.toLocaleString('en-US')} of `}${count.toLocaleString('en-US')} bridge calls to ${options.record}`);
  }
  return { ok: outcome.errors.length === 0, result: outcome.report, errors: outcome.errors, warnings: outcome.warnings };
}

const ms = (n: number | undefined) => (n === undefined ? '–' : `${Math.round(n)} ms`);
const short = (v: unknown, max = 80) => {
  let s: string;
  try {
    s = JSON.stringify(v) ?? 'undefined';
  } catch {
    s = String(v); // recorded values are JSON-safe previews; this is only a backstop
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/**
 * The DOM's own console line for a file the package lacks ("GET <url> 404 (Not Found)."): the same
 * failure RUN_RESOURCE_MISSING reports below it, with the hint, so the human output says it once.
 */
function reportedMissing(text: string, missing: ReadonlySet<string>): boolean {
  const m = /^GET (\S+) 404 \(Not Found\)\.?$/.exec(text);
  if (!m) return false;
  try {
    return missing.has(decodeURIComponent(new URL(m[1]!).pathname).replace(/^\/+/, ''));
  } catch {
    return false;
  }
}

export function render(outcome: CommandResult<RunReport>, ctx: CommandContext): string {
  const r = outcome.result!;
  const c = ctx.colors;
  const lines: string[] = [];
  const missing = new Set(r.guestErrors.filter((e) => e.kind === 'resource').map((e) => e.message.replace(/ is referenced but not in the package$/, '')));
  const consoleShown = r.console.filter((e) => !(e.level === 'error' && reportedMissing(e.text, missing)));
  const head = `${r.app.id}@${r.app.version} on host ${r.hostVersion}: stopped by ${r.stoppedBy} after ${ms(r.timings.totalMs)} (launch ${ms(r.timings.launchMs)}, first bridge call ${ms(r.timings.firstCallMs)})`;
  lines.push(`${outcome.ok ? c.green('✓') : c.red('✗')} ${head}`);
  const iso = r.isolation;
  const isoLine = `isolation: ${iso.level}${iso.reason ? ` (${iso.reason})` : ''}${iso.missing?.length ? `; without ${iso.missing.join(', ')}` : ''}`;
  lines.push(iso.level === 'os-sandbox' ? c.dim(`  ${isoLine}`) : c.yellow(`  ${isoLine}`));
  if (r.exit && r.exit.reason !== 'STOPPED' && r.exit.reason !== 'EXITED') lines.push(c.red(`  stopped: ${r.exit.reason}${r.exit.detail ? ` (${r.exit.detail})` : ''}`));
  const counted = (total: number, kept: number) => `${total.toLocaleString('en-US')}${total > kept ? `; first ${kept.toLocaleString('en-US')} recorded` : ''}`;
  if (consoleShown.length) {
    lines.push('', c.bold(r.consoleCount > r.console.length ? `console (${counted(r.consoleCount, r.console.length)})` : 'console'));
    for (const e of consoleShown) lines.push(`  ${(e.level === 'error' ? c.red : e.level === 'warn' ? c.yellow : c.dim)(e.level.padEnd(5))} ${e.text.split('\n')[0]}`);
  }
  lines.push('', c.bold(`bridge calls (${counted(r.callCount, r.calls.length)})`));
  for (const call of r.calls) {
    const what = call.ok ? c.dim(short(call.result, 60)) : c.red(`${call.error!.code}${call.error!.path ? ` at ${call.error!.path}` : ''}`);
    lines.push(`  ${call.ok ? c.green('✓') : c.red('✗')} ${call.method} ${c.dim(short(call.params, 60))} → ${what} ${c.dim(`${call.latencyMs} ms`)}`);
  }
  if (r.callCount > r.calls.length)
    lines.push(c.dim(`  … ${(r.callCount - r.calls.length).toLocaleString('en-US')} more, counted but not recorded (the host keeps the first ${r.recordLimits.calls})`));
  if (r.violations.length) {
    lines.push('', c.bold(`policy violations (${counted(r.violationCount, r.violations.length)})`));
    for (const v of r.violations) lines.push(`  ${c.red('✗')} ${v.api} ${v.url}: ${v.reason}`);
  }
  if (r.staticReferences.length) {
    lines.push('', c.bold(`references a WebView would fetch (${r.staticReferences.length})`));
    for (const s of r.staticReferences) lines.push(`  ${c.red('✗')} ${s.file}:${s.line} ${s.where} ${s.url}: ${s.reason}`);
  }
  return lines.join('\n');
}
