/**
 * The one rule for names inside a package (zip entry names, entryPoint, icon). The package writer
 * refuses what the strict reader refuses, and the manifest uses the same rule for its paths.
 * Returns why a name is unsafe, or undefined when it is acceptable.
 */
export function explainUnsafePackagePath(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  const control = explainControlCharacter(name);
  if (control) return control;
  if (name.includes('\\')) return 'contains a backslash';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[a-zA-Z]:/.test(name)) return 'starts with a drive letter';
  if (name.includes(':')) return 'contains ":"';
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) return 'contains a ".." segment';
  if (segments.some((s) => s === '.')) return 'contains a "." segment';
  if (segments.slice(0, -1).some((s) => s === '') || segments[segments.length - 1] === '') return 'contains an empty path segment';
  return explainNameLength(name, segments);
}

/** File systems limit a name (one path segment) to 255 bytes; ext4, APFS and F2FS count UTF-8 bytes. */
export const MAX_SEGMENT_BYTES = 255;
/** The whole name, in UTF-8 bytes: an extracted path stays well under PATH_MAX (4096) below a host's app folder. */
export const MAX_NAME_BYTES = 1024;

/** UTF-8 length without encoding (this module imports nothing and allocates nothing). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

function explainNameLength(name: string, segments: string[]): string | undefined {
  if (utf8Length(name) > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes in UTF-8`;
  const long = segments.find((s) => utf8Length(s) > MAX_SEGMENT_BYTES);
  if (long !== undefined) return `has a path segment of ${utf8Length(long)} bytes in UTF-8 (at most ${MAX_SEGMENT_BYTES})`;
  return undefined;
}

/**
 * Characters refused in names, because they are invisible or change how a name displays (a reviewer's
 * file list must show what a host extracts): C0 and C1 controls and DEL, the bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const SEPARATOR = /[\u2028\u2029]/;

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function explainControlCharacter(name: string): string | undefined {
  const rules: Array<[RegExp, string]> = [
    [CONTROL, 'a control character'],
    [BIDI, 'a bidirectional control character'],
    [SEPARATOR, 'a line or paragraph separator'],
  ];
  for (const [pattern, what] of rules) {
    const found = pattern.exec(name);
    if (found) return `contains ${what} (${codePoint(found[0])})`;
  }
  return undefined;
}

/** Folds a name the way case-insensitive, normalising file systems do, to find colliding names. */
export function collisionKey(name: string): string {
  return name.normalize('NFC').toLowerCase().normalize('NFC');
}
