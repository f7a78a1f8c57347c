import { MiniappError } from '../core/errors/index.js';
import { MANIFEST_ENTRY } from '../format/index.js';
import { checkManifestBytes } from '../manifest/check.js';
import type { ManifestCheckOptions, ManifestCheckResult } from '../manifest/types.js';
import type { ZipPackage } from './reader.js';

export { MANIFEST_ENTRY };

/**
 * Checks a package's manifest.json with the one manifest module, answering "does this file exist"
 * from the package's own entries (exact names: hosts extract to case-sensitive file systems too).
 */
export function checkPackageManifest(pkg: ZipPackage, label: string, options: Omit<ManifestCheckOptions, 'file' | 'fileExists' | 'where'> = {}): ManifestCheckResult {
  const entry = pkg.entry(MANIFEST_ENTRY);
  if (!entry) throw new MiniappError('MANIFEST_NOT_FOUND', { path: label });
  const bytes = pkg.read(entry);
  return checkManifestBytes(bytes, {
    ...options,
    file: `${label}!/${MANIFEST_ENTRY}`,
    fileExists: (name) => pkg.entry(name) !== undefined,
    where: label,
  });
}

/** Re-throws a reader error with the package file as its location, so diagnostics name the file. */
export function locatePackageError(err: unknown, file: string): unknown {
  if (err instanceof MiniappError && err.location.file === undefined) {
    return new MiniappError(err.code, err.args, { cause: err, location: { file }, diagnostics: err.diagnostics });
  }
  return err;
}
