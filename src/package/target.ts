import { existsSync, promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { checkPackageManifest, locatePackageError } from './manifest.js';
import { readPackageFile } from './file.js';
import { readPackage } from './reader.js';
import { checkManifestBytes } from '../manifest/check.js';
import type { ManifestCheckOptions, ManifestCheckResult } from '../manifest/types.js';

export type TargetKind = 'directory' | 'manifest' | 'package';

export interface TargetCheckResult extends ManifestCheckResult {
  kind: TargetKind;
  /** Absolute path of what was checked. */
  path: string;
}

export interface TargetCheckOptions extends Omit<ManifestCheckOptions, 'file' | 'fileExists' | 'where'> {
  cwd?: string;
}

/**
 * Checks what a user points at: a project directory (its manifest.json, with the entry point looked up
 * on disk), a manifest file, or a .zip package (read with the strict package reader).
 */
export async function checkManifestTarget(target: string, options: TargetCheckOptions = {}): Promise<TargetCheckResult> {
  const path = resolve(options.cwd ?? process.cwd(), target);
  let stat;
  try {
    stat = await fs.stat(path);
  } catch (err) {
    throw new MiniappError('PATH_NOT_FOUND', { path: target }, { cause: err });
  }
  if (stat.isDirectory()) {
    const manifestPath = join(path, 'manifest.json');
    const bytes = await fs.readFile(manifestPath).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new MiniappError('MANIFEST_NOT_FOUND', { path: target }, { cause: err });
      throw new MiniappError('FILE_UNREADABLE', { path: manifestPath, reason: err.message }, { cause: err });
    });
    const result = checkManifestBytes(bytes, {
      ...options,
      file: join(target, 'manifest.json').replace(/^\.\//, ''),
      fileExists: (rel) => existsSync(join(path, rel)),
      where: target === '.' ? 'the current directory' : target,
    });
    return { kind: 'directory', path, ...result };
  }
  const bytes = /\.zip$/i.test(path)
    ? await readPackageFile(path)
    : await fs.readFile(path).catch((err: Error) => {
        throw new MiniappError('FILE_UNREADABLE', { path: target, reason: err.message }, { cause: err });
      });
  if (isZip(path, bytes)) return { kind: 'package', path, ...(await checkPackageTarget(bytes, target, options)) };
  return { kind: 'manifest', path, ...checkManifestBytes(bytes, { ...options, file: target }) };
}

const isZip = (path: string, bytes: Uint8Array) => /\.zip$/i.test(path) || (bytes[0] === 0x50 && bytes[1] === 0x4b);

/** A package goes through the strict reader: structure, every entry's CRC, then its manifest. */
async function checkPackageTarget(bytes: Uint8Array, target: string, options: TargetCheckOptions): Promise<ManifestCheckResult> {
  try {
    const pkg = readPackage(bytes);
    await pkg.checkEntries();
    const { cwd: _cwd, ...manifestOptions } = options;
    return checkPackageManifest(pkg, target, manifestOptions);
  } catch (err) {
    throw locatePackageError(err, target);
  }
}
