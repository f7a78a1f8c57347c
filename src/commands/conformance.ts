import { join, resolve } from 'node:path';
import { MiniappError, type Diagnostic } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { openAuditLog } from '../host/audit.js';
import { runConformance, type ConformanceReport } from '../host/conformance.js';
import { conformanceJunit } from '../host/junit.js';
import { loadTrustStore } from '../host/trust-store.js';
import { NEWEST_HOST_VERSION, parseHostVersionOption } from '../manifest/host-versions.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { conformanceOptions } from './options.js';
import type { Isolation } from '../sandbox/jail.js';

/** The conformance report with the isolation the app ran under. */
type Report = ConformanceReport & { isolation: Isolation };

/** `miniapp conformance <package|dir>`: install, launch, drive the lifecycle and check as a host would. */
export async function run(args: string[], options: OptionsOf<typeof conformanceOptions>, ctx: CommandContext): Promise<CommandResult<Report>> {
  const target = args[0]!;
  const usage = (reason: string) => new MiniappError('USAGE_ERROR', { reason, command: 'conformance' });
  const hostVersion = parseHostVersionOption(options.hostVersion, 'conformance');
  if (!(options.memoryMb > 0)) throw usage(`--memory-mb must be a positive number of MB, not ${options.memoryMb}`);
  if (!(options.startupBudget > 0)) throw usage(`--startup-budget must be a positive number of ms, not ${options.startupBudget}`);
  // Conformance runs a package the user did not write: without the OS sandbox it refuses to, unless the
  // user accepts the weaker isolation by name.
  const { sandboxIsolation } = await import('../sandbox/jail.js');
  const isolation = sandboxIsolation();
  if (isolation.level !== 'os-sandbox') {
    if (!options.allowWeakIsolation) throw new MiniappError('ISOLATION_UNAVAILABLE', { reason: isolation.reason });
    ctx.logger.warn(
      `WARNING: no OS sandbox here (${isolation.reason}); running with ${isolation.level} isolation as --allow-weak-isolation asks. A hostile package could reach your network and signal your processes.`,
    );
  }
  const trustStore = options.trustStore ? await loadTrustStore(options.trustStore, ctx.cwd) : undefined;
  const audit = options.audit ? openAuditLog({ path: resolve(ctx.cwd, options.audit) }) : undefined;
  let report: ConformanceReport;
  try {
    report = await runConformance({
      target,
      cwd: ctx.cwd,
      hostVersion: hostVersion ?? NEWEST_HOST_VERSION,
      trustStore,
      profile: options.profile,
      startupBudgetMs: options.startupBudget,
      memoryMb: options.memoryMb,
      audit,
      onProgress: (m) => ctx.logger.progress(m),
    });
  } finally {
    audit?.close();
  }
  if (options.junit) {
    await writeFileAtomic(resolve(ctx.cwd, options.junit), conformanceJunit(report));
    ctx.logger.info(`wrote JUnit report to ${options.junit}`);
  }
  const errors: Diagnostic[] = report.checks
    .filter((c) => c.status === 'failed')
    .map((c) => ({
      code: c.code ?? 'CONFORMANCE_FAILED',
      severity: 'error',
      message: `${c.name}: ${c.message ?? 'failed'}`,
      file: c.file ? join(target, c.file) : target,
      ...(c.line ? { line: c.line } : {}),
    }));
  return { ok: report.ok, result: { ...report, isolation }, errors };
}

export function render(outcome: CommandResult<Report>, ctx: CommandContext): string {
  const r = outcome.result!;
  const mark = { passed: ctx.colors.green('✓'), failed: ctx.colors.red('✗'), skipped: ctx.colors.dim('-') };
  const name = r.app ? `${r.app.id}@${r.app.version}` : r.target;
  const failed = r.checks.filter((c) => c.status === 'failed').length;
  const lines = r.checks.map(
    (c) =>
      `  ${mark[c.status]} ${c.name.padEnd(24)}${c.code ? ` ${c.code}` : ''}${c.message && c.status !== 'passed' ? ` ${ctx.colors.dim(c.message)}` : c.message ? ` ${ctx.colors.dim(c.message)}` : ''}`,
  );
  const checked = r.checks.find((c) => c.name === 'install.signature')?.status === 'passed';
  const caveat = !r.signed ? ' (unsigned: signature checks skipped)' : checked ? '' : ' (signed, signature not checked: no --trust-store)';
  const head = r.ok ? `${mark.passed} ${name} conforms${caveat}` : `${mark.failed} ${name}: ${failed} check${failed === 1 ? '' : 's'} failed`;
  const tail = `  start-up ${r.timings.startupMs ?? '–'} ms, peak memory ${(r.memory.peakGuestBytes / 1048576).toFixed(1)} MB${r.memory.peakRssBytes ? ` (process ${(r.memory.peakRssBytes / 1048576).toFixed(1)} MB resident)` : ''}, total ${Math.round(r.timings.totalMs)} ms`;
  const iso = r.isolation;
  const isoLine = iso ? [`  isolation: ${iso.level}${iso.reason ? ` (${iso.reason})` : ''}${iso.missing?.length ? `; without ${iso.missing.join(', ')}` : ''}`] : [];
  return [head, ...lines, tail, ...isoLine].join('\n');
}
