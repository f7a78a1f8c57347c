import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { parseHostVersionOption } from '../manifest/host-versions.js';
import { writeFilesAtomic } from '../core/fs/atomic.js';
import type { CommandContext, CommandResult, OptionsOf } from './types.js';
import type { inspectOptions } from './options.js';
import { locatePackageError } from '../package/manifest.js';
import { readPackageFile } from '../package/file.js';
import type { PackageReport } from '../signing/inspect.js';

export interface InspectResult extends Omit<PackageReport, 'errors' | 'warnings'> {
  path: string;
  extracted?: { signedData: string; signature: string; opensslCommand: string };
}

export const opensslVerifyCommand = (dir: string) =>
  `openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -verify pub.pem -signature ${join(dir, 'signature.bin')} ${join(dir, 'signed-data.bin')}`;

export async function run(args: string[], options: OptionsOf<typeof inspectOptions>, ctx: CommandContext): Promise<CommandResult<InspectResult>> {
  const path = args[0]!;
  const { inspectPackage, extractSigned } = await import('../signing/inspect.js');
  const { loadKeyring, trustPublicKey } = await import('../signing/keyring.js');
  if (options.pubkey && options.keyring) throw new MiniappError('USAGE_ERROR', { reason: 'give either --pubkey or --keyring, not both', command: 'inspect' });
  const trust = options.keyring ? await loadKeyring(options.keyring, ctx.cwd) : options.pubkey ? await trustPublicKey(options.pubkey, ctx.cwd) : undefined;
  const hostVersion = parseHostVersionOption(options.hostVersion, 'inspect');
  const bytes = await readPackageFile(path, { cwd: ctx.cwd });
  let report: PackageReport;
  let extracted: InspectResult['extracted'];
  try {
    report = await inspectPackage(bytes, { label: path, trust, hostVersion });
    if (options.extractSigned) {
      const dir = resolve(ctx.cwd, options.extractSigned);
      const parts = extractSigned(bytes);
      await fs.mkdir(dir, { recursive: true }).catch((err: Error) => {
        throw new MiniappError('WRITE_FAILED', { path: dir, reason: err.message }, { cause: err });
      });
      await writeFilesAtomic(
        [
          { path: join(dir, 'signed-data.bin'), data: parts.signedData },
          { path: join(dir, 'signature.bin'), data: parts.signature },
        ],
        { signal: ctx.signal },
      );
      extracted = { signedData: join(dir, 'signed-data.bin'), signature: join(dir, 'signature.bin'), opensslCommand: opensslVerifyCommand(options.extractSigned) };
    }
  } catch (err) {
    throw locatePackageError(err, path);
  }
  const { errors, warnings, ...rest } = report;
  return { ok: errors.length === 0, result: { path, ...rest, extracted }, errors, warnings };
}

const kb = (n: number) => (n < 10_240 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

export function render(outcome: CommandResult<InspectResult>, ctx: CommandContext): string {
  const r = outcome.result!;
  const m = r.manifest ?? {};
  const sig = r.signature;
  const status =
    sig.status === 'unsigned'
      ? ctx.colors.yellow('unsigned')
      : sig.status === 'verified'
        ? `${ctx.colors.green('verified')}, key ${sig.keyId}`
        : sig.status === 'invalid'
          ? `${ctx.colors.red('INVALID')} ${sig.code} ${sig.message}`
          : `signed by key ${sig.keyId} (not verified: pass --pubkey or --keyring)`;
  const lines = [
    `${ctx.colors.bold(`${String(m.id ?? '?')}@${String(m.version ?? '?')}`)}${m.name ? ` "${String(m.name)}"` : ''}  (minHostVersion ${String(m.minHostVersion ?? '?')})`,
    `entry point:  ${String(m.entryPoint ?? '?')}`,
    `permissions:  ${r.permissions.join(', ') || '(none)'}`,
    `domains:      ${r.allowedDomains.join(', ') || '(none)'}`,
    `signer pin:   ${r.signerPin ?? (typeof m.signature === 'string' && m.signature ? `(none: ${JSON.stringify(m.signature)} is not a key id, so hosts ignore it)` : '(none)')}`,
    `signature:    ${status}`,
    `files:        ${r.files.length}, ${kb(r.totalSize)} uncompressed, package ${kb(r.packageSize)}`,
    ...r.files.map((f) => `  ${kb(f.size).padStart(10)}  ${f.name}`),
  ];
  if (r.extracted) lines.push(`wrote ${r.extracted.signedData} and ${r.extracted.signature}`, `check with: ${r.extracted.opensslCommand}`);
  return lines.join('\n');
}
