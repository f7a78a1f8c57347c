import { resolve } from 'node:path';
import semverValid from 'semver/functions/valid.js';
import { MiniappError, type Diagnostic } from '../core/errors/index.js';
import { writeFileAtomic } from '../core/fs/atomic.js';
import { openAuditLog } from '../host/audit.js';
import { runConformance, type ConformanceReport } from '../host/conformance.js';
import { conformanceJunit } from '../host/junit.js';
import { loadTrustStore } from '../host/trust-store.js';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import type { Profile } from '../manifest/types.js';
import type { CommandContext, CommandResult } from './types.js';

/** `miniapp conformance <package|dir>`: install, launch, drive the lifecycle and check as a host would. */
export async function run(args: string[], options: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult<ConformanceReport>> {
  const target = args[0]!;
  const usage = (reason: string) => new MiniappError('USAGE_ERROR', { reason, command: 'conformance' });
  const hostVersion = options.hostVersion as string | undefined;
  if (hostVersion !== undefined && !semverValid(hostVersion)) throw usage(`--host-version ${JSON.stringify(hostVersion)} is not a version such as 3.2.0`);
  if (!((options.memoryMb as number) > 0)) throw usage(`--memory-mb must be a positive number of MB, not ${String(options.memoryMb)}`);
  if (!((options.startupBudget as number) > 0)) throw usage(`--startup-budget must be a positive number of ms, not ${String(options.startupBudget)}`);
  const trustStore = options.trustStore ? await loadTrustStore(options.trustStore as string, ctx.cwd) : undefined;
  const audit = options.audit ? openAuditLog({ path: resolve(ctx.cwd, options.audit as string) }) : undefined;
  let report: ConformanceReport;
  try {
    report = await runConformance({
      target,
      cwd: ctx.cwd,
      hostVersion: hostVersion ?? NEWEST_HOST_VERSION,
      trustStore,
      profile: options.profile as Profile | undefined,
      startupBudgetMs: options.startupBudget as number,
      memoryMb: options.memoryMb as number,
      audit,
      onProgress: (m) => ctx.logger.progress(m),
    });
  } finally {
    audit?.close();
  }
  if (options.junit) {
    await writeFileAtomic(resolve(ctx.cwd, options.junit as string), conformanceJunit(report));
    ctx.logger.info(`wrote JUnit report to ${options.junit as string}`);
  }
  const errors: Diagnostic[] = report.checks
    .filter((c) => c.status === 'failed')
    .map((c) => ({ code: c.code ?? 'CONFORMANCE_FAILED', severity: 'error', message: `${c.name}: ${c.message ?? 'failed'}`, file: target }));
  return { ok: report.ok, result: report, errors };
}

export function render(outcome: CommandResult<ConformanceReport>, ctx: CommandContext): string {
  const r = outcome.result!;
  const mark = { passed: ctx.colors.green('✓'), failed: ctx.colors.red('✗'), skipped: ctx.colors.dim('-') };
  const name = r.app ? `${r.app.id}@${r.app.version}` : r.target;
  const failed = r.checks.filter((c) => c.status === 'failed').length;
  const lines = r.checks.map((c) => `  ${mark[c.status]} ${c.name.padEnd(24)}${c.code ? ` ${c.code}` : ''}${c.message && c.status !== 'passed' ? ` ${ctx.colors.dim(c.message)}` : c.message ? ` ${ctx.colors.dim(c.message)}` : ''}`);
  const head = r.ok ? `${mark.passed} ${name} conforms${r.signed ? '' : ' (unsigned: signature checks skipped)'}` : `${mark.failed} ${name}: ${failed} check${failed === 1 ? '' : 's'} failed`;
  const tail = `  start-up ${r.timings.startupMs ?? '–'} ms, peak memory ${(r.memory.peakGuestBytes / 1048576).toFixed(1)} MB, total ${Math.round(r.timings.totalMs)} ms`;
  return [head, ...lines, tail].join('\n');
}
