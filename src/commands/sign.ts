import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { writeFilesAtomic } from '../core/fs/atomic.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { signOptions } from './options.js';
import { readPackageFile } from '../package/file.js';
import { passphraseFromEnv } from '../signing/passphrase.js';

export interface SignCommandResult {
  package: string;
  descriptor: string;
  id: string;
  version: string;
  keyId: string;
  size: number;
  sha256: string;
}

export async function run(args: string[], options: OptionsOf<typeof signOptions>, ctx: CommandContext): Promise<CommandResult<SignCommandResult>> {
  const input = args[0]!;
  const { loadPrivateKey, loadPrivateKeyFile, signPackage, releaseDescriptor } = await import('../signing/index.js');
  const passphrase = passphraseFromEnv(options.passphraseEnv, ctx.env);
  let key;
  if (options.key) key = await loadPrivateKeyFile(options.key, ctx.cwd, passphrase);
  else if (ctx.env.MINIAPP_SIGNING_KEY) key = loadPrivateKey(ctx.env.MINIAPP_SIGNING_KEY, 'MINIAPP_SIGNING_KEY', passphrase);
  else throw new MiniappError('KEY_MISSING');

  const bytes = await readPackageFile(input, { cwd: ctx.cwd });
  let signed;
  try {
    signed = signPackage(bytes, key, { profile: options.profile, newestHostVersion: options.newestHostVersion, resign: options.resign, label: input });
  } catch (err) {
    if (err instanceof MiniappError && err.location.file === undefined && err.code.startsWith('PACKAGE_')) {
      throw new MiniappError(err.code, err.args, { cause: err, location: { file: input } });
    }
    throw err;
  }
  const out = resolve(ctx.cwd, options.out || input);
  const descriptorPath = `${out.replace(/\.zip$/i, '')}.release.json`;
  const descriptor = releaseDescriptor(signed, basename(out));
  await mkdir(dirname(out), { recursive: true }); // `--out release/app.zip` in CI: like build's --out-dir
  // One output: the signed package and its descriptor land together, or (interrupted) neither does.
  await writeFilesAtomic(
    [
      { path: out, data: signed.bytes },
      { path: descriptorPath, data: `${JSON.stringify(descriptor, null, 2)}\n` },
    ],
    { signal: ctx.signal },
  );
  return {
    ok: true,
    result: { package: out, descriptor: descriptorPath, id: descriptor.id, version: descriptor.version, keyId: signed.keyId, size: descriptor.package.size, sha256: descriptor.package.sha256 },
    warnings: signed.warnings,
  };
}

export function render(outcome: CommandResult<SignCommandResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  return `${ctx.colors.green('✓')} signed ${r.id}@${r.version} → ${r.package} (key ${r.keyId})\n  release descriptor: ${r.descriptor}`;
}
