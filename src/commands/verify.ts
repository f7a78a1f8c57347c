import { MiniappError } from '../core/errors/index.js';
import { parseHostVersionOption } from '../manifest/host-versions.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { verifyOptions } from './options.js';
import type { PackageVerdict } from '../signing/verify-files.js';
import type { Trust } from '../signing/verify.js';

export interface VerifyCommandResult {
  packages: PackageVerdict[];
  passed: number;
  failed: number;
}

export async function run(args: string[], options: OptionsOf<typeof verifyOptions>, ctx: CommandContext): Promise<CommandResult<VerifyCommandResult>> {
  const { pubkey, keyring } = options;
  if (!pubkey && !keyring) throw new MiniappError('VERIFY_KEY_MISSING');
  if (pubkey && keyring) throw new MiniappError('USAGE_ERROR', { reason: 'give either --pubkey or --keyring, not both', command: 'verify' });
  const hostVersion = parseHostVersionOption(options.hostVersion, 'verify');
  const { loadKeyring, trustPublicKey } = await import('../signing/index.js');
  const trust: Trust = keyring ? await loadKeyring(keyring, ctx.cwd) : await trustPublicKey(pubkey!, ctx.cwd);

  const { verifyFiles } = await import('../signing/verify-files.js');
  const verdicts = await verifyFiles(args, {
    cwd: ctx.cwd,
    trust,
    hostVersion,
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
    signal: ctx.signal,
    onVerified: (done, total) => {
      if (total > 1) ctx.logger.progress(`verified ${done}/${total}`);
    },
  });
  const passed = verdicts.filter((v) => v.ok).length;
  // For --json, each refused package is also one entry of `errors` (code, message, hint, file), so CI
  // scripts can read refusals the same way for every command; the human view prints them per package.
  const errors = ctx.json ? verdicts.filter((v) => !v.ok).map((v) => ({ code: v.code, severity: 'error' as const, message: v.message, ...(v.hint ? { hint: v.hint } : {}), file: v.path })) : undefined;
  return { ok: passed === verdicts.length, result: { packages: verdicts, passed, failed: verdicts.length - passed }, errors };
}

export function render(outcome: CommandResult<VerifyCommandResult>, ctx: CommandContext): string {
  const lines: string[] = [];
  for (const v of outcome.result!.packages) {
    const what = v.id ? `${v.id}@${v.version ?? '?'}` : '';
    if (v.ok) lines.push(`${ctx.colors.green('✓')} ${v.path}: OK ${what} (key ${v.keyId})`);
    else {
      lines.push(`${ctx.colors.red('✗')} ${v.path}: ${v.code} ${v.message}${v.hint ? ` (hint: ${v.hint})` : ''}`);
      for (const d of v.diagnostics ?? []) lines.push(`    ${d.file ?? v.path}${d.line ? `:${d.line}:${d.column ?? 1}` : ''} ${d.code} ${d.message}`);
    }
  }
  return lines.join('\n');
}
