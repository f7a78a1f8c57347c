import { resolve } from 'node:path';
import type { Diagnostic } from '../core/errors/index.js';
import { openAuditLog } from '../host/audit.js';
import { installPackage, type InstallReport } from '../host/install.js';
import { loadTrustStore } from '../host/trust-store.js';
import { NEWEST_HOST_VERSION, parseHostVersionOption } from '../manifest/host-versions.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { installOptions } from './options.js';

/** `miniapp install <package|url>`: the host's install pipeline, step by step, into an apps directory. */
export async function run(args: string[], options: OptionsOf<typeof installOptions>, ctx: CommandContext): Promise<CommandResult<InstallReport>> {
  const source = args[0]!;
  const hostVersion = parseHostVersionOption(options.hostVersion, 'install');
  const trustStore = options.trustStore ? await loadTrustStore(options.trustStore, ctx.cwd) : undefined;
  const audit = options.audit ? openAuditLog({ path: resolve(ctx.cwd, options.audit) }) : undefined;
  ctx.logger.progress(`installing ${source}`);
  try {
    const report = await installPackage({
      source,
      appsDir: resolve(ctx.cwd, options.appsDir),
      hostVersion: hostVersion ?? NEWEST_HOST_VERSION,
      trustStore,
      allowUnsigned: options.allowUnsigned,
      cwd: ctx.cwd,
      signal: ctx.signal,
      audit,
    });
    const refusal: Diagnostic = { code: report.code!, severity: 'error', message: report.message!, hint: report.hint, file: source };
    const errors = report.ok ? [] : [refusal, ...(report.diagnostics ?? [])];
    return { ok: report.ok, result: report, errors };
  } finally {
    audit?.close();
  }
}

export function render(outcome: CommandResult<InstallReport>, ctx: CommandContext): string {
  const r = outcome.result!;
  const mark = { passed: ctx.colors.green('✓'), failed: ctx.colors.red('✗'), skipped: ctx.colors.dim('-') };
  const lines = r.steps.map((s) => `  ${mark[s.status]} ${s.step.padEnd(15)}${s.code ? ` ${s.code}` : ''}${s.status !== 'passed' && s.message ? ` ${s.message}` : ''}`);
  const what = r.id ? `${r.id}@${r.version}` : r.source;
  const head = r.ok ? `${mark.passed} installed ${what} into ${r.dir}` : `${mark.failed} ${what} refused: ${r.code}`;
  return [head, ...lines].join('\n');
}
