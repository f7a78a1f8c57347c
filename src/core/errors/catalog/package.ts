import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);
const at = (a: Record<string, unknown>) => (a.entry === undefined ? '' : `entry ${q(a.entry)}: `);
const rebuild = 'Rebuild the package with `miniapp build`; never edit a package by hand or with a generic zip tool.';

/** Defects the strict package reader refuses. Hosts refuse the same packages, so these are permanent. */
export const packageErrors = {
  PACKAGE_TOO_LARGE: {
    title: 'Package file is too large',
    message: (a) => `${q(a.path)} is ${String(a.size)} bytes, over the ${String(a.limit)}-byte package limit`,
    hint: () => 'Mini-program packages are small; remove unused assets or raise the limit only if your host accepts it.',
  },
  PACKAGE_NOT_ZIP: {
    title: 'Not a zip package',
    message: (a) => `the package is not a zip archive: ${String(a.reason)}`,
    hint: () => 'Pass a .zip made by `miniapp build` (or `miniapp sign`).',
  },
  PACKAGE_MALFORMED: {
    title: 'Malformed zip structure',
    message: (a) => `${at(a)}${String(a.reason)}`,
    hint: () => rebuild,
  },
  PACKAGE_LEADING_BYTES: {
    title: 'Bytes before the first entry',
    message: (a) => `${String(a.count)} byte(s) precede the first zip entry`,
    hint: () => `Prepended bytes are a known way to smuggle content past a reviewer. ${rebuild}`,
  },
  PACKAGE_TRAILING_BYTES: {
    title: 'Bytes after the end record',
    message: (a) => `${String(a.count)} byte(s) follow the zip end-of-central-directory record`,
    hint: () => `Appended bytes are not covered by what a reviewer sees. ${rebuild}`,
  },
  PACKAGE_UNACCOUNTED_BYTES: {
    title: 'Bytes not belonging to any entry',
    message: (a) => `${String(a.count)} byte(s) at offset ${String(a.offset)} belong to no entry`,
    hint: () => `Every byte of a package must belong to an entry, the central directory or the end record. ${rebuild}`,
  },
  PACKAGE_FOREIGN_COMMENT: {
    title: 'Unexpected zip comment',
    message: (a) => `${at(a)}the ${a.entry === undefined ? 'archive' : 'entry'} has a ${String(a.length)}-byte comment that is not a miniapp signature block`,
    hint: () => 'A package carries no comment other than the signature block `miniapp sign` adds. Rebuild it, then sign it.',
  },
  PACKAGE_OVERLAPPING_ENTRIES: {
    title: 'Overlapping entries',
    message: (a) => `${at(a)}its bytes overlap ${a.other === undefined ? 'the central directory' : `entry ${q(a.other)}`}`,
    hint: () => `Overlapping entries let one byte range be read as two files (a "zip bomb" or a parser confusion attack). ${rebuild}`,
  },
  PACKAGE_HEADER_MISMATCH: {
    title: 'Local header disagrees with the central directory',
    message: (a) => `${at(a)}the local header's ${String(a.field)} (${String(a.local)}) differs from the central directory's (${String(a.central)})`,
    hint: () => `Two readers could extract different files from this package. ${rebuild}`,
  },
  PACKAGE_DUPLICATE_NAME: {
    title: 'Duplicate entry name',
    message: (a) => `${at(a)}${String(a.reason)} ${q(a.other)}`,
    hint: () => 'Names must stay distinct on case-insensitive, normalising file systems (iOS, macOS, Windows); rename one of the files.',
  },
  PACKAGE_UNSAFE_NAME: {
    title: 'Unsafe entry name',
    message: (a) => `entry name ${q(a.entry)} ${String(a.reason)}`,
    hint: () => 'Entry names are relative paths with forward slashes, no "..", "." or empty segments, no drive letters, backslashes or control characters.',
  },
  PACKAGE_NOT_REGULAR_FILE: {
    title: 'Entry is not a regular file',
    message: (a) => `${at(a)}is a ${String(a.kind)}, not a regular file`,
    hint: () => 'Packages hold regular files only (no directories entries, symlinks or devices); replace links with copies of the files.',
  },
  PACKAGE_ENCRYPTED: {
    title: 'Encrypted entry',
    message: (a) => `${at(a)}is encrypted`,
    hint: () => 'Hosts cannot read encrypted entries; package the files without a password.',
  },
  PACKAGE_UNSUPPORTED_METHOD: {
    title: 'Unsupported compression method',
    message: (a) => `${at(a)}uses compression method ${String(a.method)}; only 0 (stored) and 8 (deflate) are accepted`,
    hint: () => rebuild,
  },
  PACKAGE_ZIP64: {
    title: 'ZIP64 is not accepted',
    message: (a) => `${at(a)}uses ZIP64 (${String(a.reason)})`,
    hint: () => 'Packages are far below 4 GiB and 65535 entries and never need ZIP64; rebuild without it.',
  },
  PACKAGE_UNSUPPORTED_FEATURE: {
    title: 'Unsupported zip feature',
    message: (a) => `${at(a)}${String(a.reason)}`,
    hint: () => rebuild,
  },
  PACKAGE_LIMIT_EXCEEDED: {
    title: 'Package over a limit',
    message: (a) => `${at(a)}${String(a.what)} is ${String(a.value)}, over the limit of ${String(a.limit)}`,
    hint: () => 'Limits protect hosts from zip bombs; see docs/package-format.md for the defaults and how to change them.',
  },
  PACKAGE_CRC_MISMATCH: {
    title: 'Entry checksum mismatch',
    message: (a) => `${at(a)}its content has CRC-32 ${String(a.actual)}, the directory says ${String(a.expected)}`,
    hint: () => 'The package is corrupt or was modified; get a fresh copy or rebuild it.',
  },
  PACKAGE_SIZE_MISMATCH: {
    title: 'Entry size mismatch',
    message: (a) => `${at(a)}${String(a.reason)}`,
    hint: () => 'The package is corrupt or was modified; get a fresh copy or rebuild it.',
  },
  PACKAGE_ENTRY_NOT_FOUND: {
    title: 'No such entry',
    message: (a) => `the package has no entry ${q(a.entry)}`,
    hint: () => 'Check the name; `miniapp inspect <package>` lists the files.',
  },
  PACKAGE_MANIFEST_INVALID: {
    title: 'Package manifest is invalid',
    message: (a) => `the package's manifest.json has ${String(a.count)} error(s)${a.first ? `, the first: ${String(a.first)}` : ''}`,
    hint: () => 'Run `miniapp validate <package>` to see every problem, fix the project and rebuild.',
  },
  PACKAGE_SIGNATURE_BLOCK_MALFORMED: {
    title: 'Malformed signature block',
    message: (a) => `the signature block is malformed: ${String(a.reason)}`,
    hint: () => 'Sign the package again with `miniapp sign --resign`, starting from the unsigned build.',
  },
  PACKAGE_UNSIGNED: {
    title: 'Package is not signed',
    message: () => 'the package carries no signature block',
    hint: () => 'Sign it with `miniapp sign <package> --key <key.pem>`.',
  },
  PACKAGE_ALREADY_SIGNED: {
    title: 'Package is already signed',
    message: (a) => `the package is already signed by key ${String(a.keyId)}`,
    hint: () => 'Pass --resign to replace the signature.',
  },
} satisfies ErrorCatalog;
