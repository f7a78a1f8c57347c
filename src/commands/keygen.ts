import { resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { keygenOptions } from './options.js';
import type { KeygenResult } from '../signing/keygen.js';
import { passphraseFromEnv } from '../signing/passphrase.js';

export async function run(_args: string[], options: OptionsOf<typeof keygenOptions>, ctx: CommandContext): Promise<CommandResult<KeygenResult>> {
  if (!options.out) throw new MiniappError('USAGE_ERROR', { reason: 'keygen needs --out <prefix> (writes <prefix>.key.pem and <prefix>.pub.pem)', command: 'keygen' });
  const { assertKeyBits, writeSigningKey } = await import('../signing/keygen.js');
  const passphrase = passphraseFromEnv(options.passphraseEnv, ctx.env);
  assertKeyBits(options.bits);
  ctx.logger.progress(`generating a ${options.bits}-bit RSA key…`);
  const result = await writeSigningKey(resolve(ctx.cwd, options.out), { bits: options.bits, passphrase, signal: ctx.signal });
  return { ok: true, result };
}

export function render(outcome: CommandResult<KeygenResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  return [
    `${ctx.colors.green('✓')} wrote ${r.privateKeyPath} (private, ${r.bits}-bit RSA${r.encrypted ? ', encrypted' : ''}, mode 0600) and ${r.publicKeyPath}`,
    `key id: ${r.keyId}`,
    `Pin it in manifest.json as "signature": "${r.keyId}"; keep the private key out of version control.`,
  ].join('\n');
}
