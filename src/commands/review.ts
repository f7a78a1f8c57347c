import { MiniappError } from '../core/errors/index.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { reviewOptions } from './options.js';
import { callRegistry, readToken, registryBase } from '../registry/client.js';
import type { ReviewView } from '../registry/review.js';

const ACTIONS = ['list', 'show', 'approve', 'reject'] as const;

/** `miniapp review list|show|approve|reject [app@version]`: a reviewer's side of the registry. */
export async function run(args: string[], options: OptionsOf<typeof reviewOptions>, ctx: CommandContext): Promise<CommandResult<ReviewView[] | ReviewView>> {
  const [action, subject] = args as [string, string | undefined];
  if (!(ACTIONS as readonly string[]).includes(action))
    throw new MiniappError('USAGE_ERROR', { reason: `unknown review action ${JSON.stringify(action)}: use ${ACTIONS.join(', ')}`, command: 'review' });
  if (action !== 'list' && !subject) throw new MiniappError('USAGE_ERROR', { reason: `review ${action} needs the version: <app id>@<version>`, command: 'review' });
  const base = registryBase(options.registry);
  const token = await readToken(ctx.env, options.tokenFile, ctx.cwd);
  const path =
    action === 'list'
      ? `/api/submissions${options.status ? `?status=${encodeURIComponent(options.status)}` : ''}`
      : `/api/submissions/${encodeURIComponent(subject!)}${action === 'show' ? '' : `/${action}`}`;
  const body = action === 'approve' ? {} : action === 'reject' ? { reason: options.reason } : undefined;
  const answer = await callRegistry<ReviewView[] | ReviewView>(base, path, { token, body, signal: ctx.signal });
  return answer.ok ? { ok: true, result: answer.result } : { ok: false, errors: answer.errors };
}

function line(v: ReviewView): string {
  const c = v.conformance?.status ?? 'none';
  return `${`${v.id}@${v.version}`.padEnd(40)} ${v.status.padEnd(10)} conformance ${c.padEnd(8)} partner ${v.partner}`;
}

function detail(v: ReviewView): string {
  const pc = v.permissionChanges;
  const changes = [...pc.added.map((p) => `+${p}`), ...pc.removed.map((p) => `-${p}`)].join(' ') || 'none';
  const lines = [
    `${v.id}@${v.version}: ${v.status}${v.reason ? ` (${v.reason})` : ''}${v.yanked ? ', yanked' : ''}`,
    `  name:           ${v.manifest.name ?? '-'}`,
    `  partner:        ${v.partner}`,
    `  signer:         ${v.signer.keyId} (${v.signer.partner}${v.signer.revoked ? ', key revoked since' : ''})`,
    `  permissions:    ${v.manifest.permissions.join(', ') || 'none'}`,
    `  changes:        ${changes}${pc.since ? ` since ${pc.since}` : ' (first release)'}`,
    `  domains:        ${v.manifest.allowedDomains.join(', ') || 'none'}`,
    `  minHostVersion: ${v.manifest.minHostVersion}`,
    `  package:        ${v.size} bytes, sha256 ${v.sha256}`,
    `  conformance:    ${v.conformance?.status ?? 'none'}${v.conformance?.failed ? `: ${v.conformance.failed.join('; ')}` : ''}`,
  ];
  for (const r of v.releases) lines.push(`  release:        ${r.channel} ${r.percent}% ${r.state}`);
  return lines.join('\n');
}

export function render(outcome: CommandResult<ReviewView[] | ReviewView>): string {
  const r = outcome.result;
  if (!r) return '';
  if (Array.isArray(r)) return r.length ? r.map(line).join('\n') : 'nothing to review';
  return detail(r);
}
