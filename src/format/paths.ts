/**
 * The one rule for names inside a package (zip entry names, entryPoint, icon). The package writer
 * refuses what the strict reader refuses, and the manifest uses the same rule for its paths.
 * Returns why a name is unsafe, or undefined when it is acceptable.
 */
export function explainUnsafePackagePath(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > 255) return 'is longer than 255 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'starts with a drive letter';
  if (name.includes(':')) return 'contains ":"';
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) return 'contains a ".." segment';
  if (segments.some((s) => s === '.')) return 'contains a "." segment';
  if (segments.slice(0, -1).some((s) => s === '') || segments[segments.length - 1] === '') return 'contains an empty path segment';
  return undefined;
}

/** Folds a name the way case-insensitive, normalising file systems do, to find colliding names. */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}
