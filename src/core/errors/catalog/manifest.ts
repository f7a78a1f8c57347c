import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);
const orFix = (a: Record<string, unknown>, fallback: string) => (a.fix ? String(a.fix) : fallback);

export const manifestErrors = {
  MANIFEST_NOT_FOUND: {
    title: 'No manifest.json',
    message: (a) => `no manifest.json in ${q(a.path)}`,
    hint: () => 'Run the command on a mini-program project directory, a manifest.json file or a .zip package; `miniapp init` creates a project.',
  },
  MANIFEST_EMPTY: {
    title: 'Manifest is empty',
    message: () => 'manifest.json is empty',
    hint: () => 'Write a JSON object with at least id, version, minHostVersion, entryPoint, permissions and allowedDomains.',
  },
  MANIFEST_TOO_LARGE: {
    title: 'Manifest is too large',
    message: (a) => `manifest.json is ${String(a.size)} bytes, over the ${String(a.limit)}-byte limit`,
    hint: () => 'A manifest is a few hundred bytes of metadata; move data out of it.',
  },
  MANIFEST_ENCODING: {
    title: 'Manifest is not plain UTF-8',
    message: (a) => String(a.reason),
    hint: (a) => orFix(a, 'Save manifest.json as UTF-8 without a byte-order mark.'),
  },
  MANIFEST_SYNTAX: {
    title: 'Manifest is not valid JSON',
    message: (a) => `manifest.json is not valid JSON: ${String(a.reason)}`,
    hint: () => 'Fix the JSON syntax at the position shown (strings in double quotes, no trailing commas, no comments).',
  },
  MANIFEST_TOO_DEEP: {
    title: 'Manifest nests too deeply',
    message: (a) => `manifest.json nests deeper than ${String(a.limit)} levels`,
    hint: () => 'The manifest is a flat object of short fields; remove the nested data.',
  },
  MANIFEST_DUPLICATE_KEY: {
    title: 'Duplicate key in manifest',
    message: (a) => `key ${q(a.key)} appears more than once in the same object (first at line ${String(a.firstLine)})`,
    hint: () => 'Keep one copy: hosts and reviewers must never read two different values from one file.',
  },
  MANIFEST_NOT_OBJECT: {
    title: 'Manifest is not an object',
    message: (a) => `manifest.json must hold a JSON object, found ${String(a.found)}`,
    hint: () => 'Wrap the fields in { ... }.',
  },
  MANIFEST_MISSING_FIELD: {
    title: 'Required manifest field missing',
    message: (a) => `required field ${q(a.field)} is missing`,
    hint: (a) => `Add ${q(a.field)}${a.example ? `, for example ${String(a.example)}` : ''}.`,
  },
  MANIFEST_UNKNOWN_FIELD: {
    title: 'Unknown manifest field',
    message: (a) => `unknown field ${q(a.field)}`,
    hint: (a) => (a.suggestion ? `Did you mean ${q(a.suggestion)}?` : `Remove it; allowed fields are ${String(a.allowed)}.`),
  },
  MANIFEST_INVALID_TYPE: {
    title: 'Manifest field has the wrong type',
    message: (a) => `${String(a.field)} must be ${String(a.expected)}, found ${String(a.found)}`,
    hint: (a) => orFix(a, `Change the value to ${String(a.expected)}.`),
  },
  MANIFEST_INVALID_VALUE: {
    title: 'Manifest field has an invalid value',
    message: (a) => `${String(a.field)} ${String(a.reason)}`,
    hint: (a) => orFix(a, 'See docs/manifest.md for the accepted values.'),
  },
  MANIFEST_INVALID_ID: {
    title: 'Invalid app id',
    message: (a) => `${q(a.value)} is not a valid app id: ${String(a.reason)}`,
    hint: (a) => orFix(a, 'Use reverse-DNS: at least two lowercase labels of letters, digits and inner hyphens, e.g. "com.partner.loans".'),
  },
  MANIFEST_INVALID_VERSION: {
    title: 'Invalid version',
    message: (a) => `${String(a.field)} ${q(a.value)} is not a strict semantic version`,
    hint: (a) => orFix(a, 'Use MAJOR.MINOR.PATCH, e.g. "2.3.1" (no "v" prefix, no leading zeros).'),
  },
  MANIFEST_INVALID_ENTRY_POINT: {
    title: 'Invalid entry point',
    message: (a) => `entryPoint ${q(a.value)} ${String(a.reason)}`,
    hint: (a) => orFix(a, 'Use a relative path inside the package with forward slashes, e.g. "index.html".'),
  },
  MANIFEST_ENTRY_POINT_MISSING: {
    title: 'Entry point file missing',
    message: (a) => `entryPoint ${q(a.value)} does not exist in ${String(a.where)}`,
    hint: () => 'Create the file or point entryPoint at the HTML file the app starts from.',
  },
  MANIFEST_UNKNOWN_PERMISSION: {
    title: 'Unknown permission',
    message: (a) => `${q(a.value)} is not a known permission`,
    hint: (a) => (a.suggestion ? `Did you mean ${q(a.suggestion)}?` : `Known permissions: ${String(a.known)}.`),
  },
  MANIFEST_DUPLICATE_ITEM: {
    title: 'Duplicate list item',
    message: (a) => `${String(a.field)} lists ${q(a.value)} more than once`,
    hint: () => 'Remove the repeated entry.',
  },
  MANIFEST_INVALID_DOMAIN: {
    title: 'Invalid allowed domain',
    message: (a) => `${q(a.value)} ${String(a.reason)}`,
    hint: (a) => orFix(a, 'Give a lowercase host name such as "api.partner.com" or a wildcard such as "*.partner.com".'),
  },
  MANIFEST_HOST_VERSION_UNKNOWN: {
    title: 'minHostVersion is newer than any known host',
    message: (a) => `minHostVersion ${q(a.value)} is newer than the newest host version this toolchain knows (${String(a.newest)})`,
    hint: () => 'Lower minHostVersion, update miniapp, or pass --newest-host-version if you target a pre-release host.',
  },
  MANIFEST_RELEASE_FORBIDDEN: {
    title: 'Not allowed in a release',
    message: (a) => `${String(a.field)} ${String(a.reason)}`,
    hint: (a) => orFix(a, 'Remove it for release builds, or validate with --profile dev for local testing.'),
  },
  MANIFEST_ADVICE: {
    title: 'Manifest advice',
    message: (a) => `${String(a.field)} ${String(a.reason)}`,
    hint: (a) => orFix(a, 'See docs/manifest.md.'),
  },
} satisfies ErrorCatalog;
