import { availableParallelism } from 'node:os';
import semverValid from 'semver/functions/valid.js';
import { isMiniappError, MiniappError } from '../core/errors/index.js';
import type { CommandContext, CommandResult } from '../cli/types.js';
import type { Profile } from '../manifest/types.js';
import { readPackageFile } from '../package/file.js';
import type { Trust, VerifyOutcome } from '../signing/verify.js';

export interface PackageVerdict extends VerifyOutcome {
  path: string;
}

export interface VerifyCommandResult {
  packages: PackageVerdict[];
  passed: number;
  failed: number;
}

export async function run(args: string[], options: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult<VerifyCommandResult>> {
  const pubkey = options.pubkey as string | undefined;
  const keyring = options.keyring as string | undefined;
  if (!pubkey && !keyring) throw new MiniappError('VERIFY_KEY_MISSING');
  if (pubkey && keyring) throw new MiniappError('USAGE_ERROR', { reason: 'give either --pubkey or --keyring, not both', command: 'verify' });
  const hostVersion = options.hostVersion as string | undefined;
  if (hostVersion !== undefined && !semverValid(hostVersion)) {
    throw new MiniappError('USAGE_ERROR', { reason: `--host-version ${JSON.stringify(hostVersion)} is not a version such as 3.2.0`, command: 'verify' });
  }
  const { loadKeyring, trustPublicKey, verifyPackage } = await import('../signing/index.js');
  const trust: Trust = keyring ? await loadKeyring(keyring, ctx.cwd) : await trustPublicKey(pubkey!, ctx.cwd);

  const verdicts: PackageVerdict[] = new Array(args.length);
  let next = 0;
  let done = 0;
  // Reading is async and hashing + RSA run on libuv's thread pool (crypto.verify with a callback), so a
  // few packages in flight per core keep every core busy while memory stays bounded.
  const inFlight = Math.min(args.length, availableParallelism() * 2);
  const worker = async () => {
    while (next < args.length && !ctx.signal.aborted) {
      const index = next++;
      const path = args[index]!;
      try {
        const bytes = await readPackageFile(path, { cwd: ctx.cwd });
        verdicts[index] = { path, ...(await verifyPackage(bytes, { trust, hostVersion, profile: options.profile as Profile, newestHostVersion: options.newestHostVersion as string | undefined, label: path })) };
      } catch (err) {
        if (!isMiniappError(err)) throw err;
        verdicts[index] = { path, ok: false, code: err.code, message: err.message, hint: err.hint };
      }
      done++;
      if (args.length > 1) ctx.logger.progress(`verified ${done}/${args.length}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const passed = verdicts.filter((v) => v.ok).length;
  return { ok: passed === verdicts.length, result: { packages: verdicts, passed, failed: verdicts.length - passed } };
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
