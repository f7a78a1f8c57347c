import { resolve } from 'node:path';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { publishOptions } from './options.js';
import { readPackageFile } from '../package/file.js';
import { callRegistry, readToken, registryBase } from '../registry/client.js';
import type { PublishResult } from '../registry/publish.js';

/** `miniapp publish <signed.zip> --registry URL`: uploads a signed package; the registry decides as a host would. */
export async function run(args: string[], options: OptionsOf<typeof publishOptions>, ctx: CommandContext): Promise<CommandResult<PublishResult>> {
  const base = registryBase(options.registry);
  const token = await readToken(ctx.env, options.tokenFile, ctx.cwd);
  const file = args[0]!;
  const bytes = await readPackageFile(file, { cwd: ctx.cwd });
  ctx.logger.progress(`publishing ${file} (${bytes.length} bytes) to ${base}`);
  const answer = await callRegistry<PublishResult>(base, '/api/publish', { token, bytes, signal: ctx.signal });
  if (!answer.ok) return { ok: false, errors: answer.errors.map((e) => ({ ...e, file: e.file ?? resolve(ctx.cwd, file) })) };
  return { ok: true, result: answer.result };
}

export function render(outcome: CommandResult<PublishResult>, ctx: CommandContext): string {
  const r = outcome.result;
  if (!r) return '';
  const what = `${r.id}@${r.version}`;
  if (r.duplicate) return `${ctx.colors.green('✓')} ${what} was already published with these bytes (sha256 ${r.sha256}): nothing new stored; status ${r.status}`;
  return `${ctx.colors.green('✓')} published ${what} (sha256 ${r.sha256}, ${r.size} bytes, signed by ${r.keyId}); status ${r.status}: a reviewer approves it next`;
}
