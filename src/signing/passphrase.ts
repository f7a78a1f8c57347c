import { MiniappError } from '../core/errors/index.js';

/** A passphrase is never a flag value (it would land in shell history): only the name of a variable is. */
export function passphraseFromEnv(variable: unknown, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (variable === undefined || variable === '') return undefined;
  const value = env[String(variable)];
  if (!value) throw new MiniappError('PASSPHRASE_ENV_MISSING', { name: String(variable) });
  return value;
}
