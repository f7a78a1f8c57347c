import { checkManifestTarget } from '../package/target.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { validateOptions } from './options.js';

export interface ValidateResult {
  path: string;
  kind: string;
  id?: string;
  version?: string;
  valid: boolean;
}

export async function run(args: string[], options: OptionsOf<typeof validateOptions>, ctx: CommandContext): Promise<CommandResult<ValidateResult>> {
  const target = args[0]!;
  const checked = await checkManifestTarget(target, {
    cwd: ctx.cwd,
    profile: options.profile,
    newestHostVersion: options.newestHostVersion,
  });
  if (checked.kind === 'directory' && checked.errors.length === 0) {
    // A project directory also gets the manifest-code consistency lint (bundled in memory, nothing written).
    const { lintProject, rebaseDiagnostics } = await import('../build/index.js');
    const lint = await lintProject({ projectDir: checked.path, profile: options.profile, newestHostVersion: options.newestHostVersion });
    checked.errors.push(...rebaseDiagnostics(lint.errors, checked.path, ctx.cwd));
    checked.warnings.push(...rebaseDiagnostics(lint.warnings, checked.path, ctx.cwd));
  }
  const value = (checked.value ?? {}) as Record<string, unknown>;
  const valid = checked.errors.length === 0;
  return {
    ok: valid && !(options.strict && checked.warnings.length > 0),
    result: {
      path: checked.path,
      kind: checked.kind,
      id: typeof value.id === 'string' ? value.id : undefined,
      version: typeof value.version === 'string' ? value.version : undefined,
      valid,
    },
    errors: checked.errors,
    warnings: checked.warnings,
  };
}

export function render(outcome: CommandResult<ValidateResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  const w = outcome.warnings?.length ?? 0;
  const e = outcome.errors?.length ?? 0;
  const what = r.id ? `${r.id}@${r.version ?? '?'}` : r.path;
  const ws = `${w} warning${w === 1 ? '' : 's'}`;
  // --strict turns warnings into a failure: the headline must agree with the exit status.
  if (e === 0 && !outcome.ok) return `${ctx.colors.red('✗')} ${what}: ${ws} (--strict fails on warnings)`;
  if (e === 0) return `${ctx.colors.green('✓')} ${what} is valid${w ? ` (${ws})` : ''}`;
  return `${ctx.colors.red('✗')} ${what}: ${e} error${e === 1 ? '' : 's'}${w ? `, ${w} warning${w === 1 ? '' : 's'}` : ''}`;
}
