import type { ErrorObject } from 'ajv';
import semverGt from 'semver/functions/gt.js';
import semverPrerelease from 'semver/functions/prerelease.js';
import { diagnostic, type Diagnostic, type ErrorArgs, type ErrorCode, type Severity } from '../core/errors/index.js';
import { suggest } from '../core/suggest.js';
import { explainUnsafePackagePath } from '../format/paths.js';
import { checkAllowedDomain } from './domains.js';
import { NEWEST_HOST_VERSION } from './host-versions.js';
import { parseJsonWithPositions, type Position } from './json.js';
import { checkAgainstSchema, knownFields, knownPermissions, manifestSchema } from './schema.js';
import type { Manifest, ManifestCheckOptions, ManifestCheckResult } from './types.js';

/** Larger manifests are refused before parsing: a manifest is a few hundred bytes. */
export const MANIFEST_MAX_BYTES = 256 * 1024;

const EXAMPLES: Record<string, string> = {
  id: '"com.partner.loans"',
  version: '"1.0.0"',
  minHostVersion: '"3.0.0"',
  entryPoint: '"index.html"',
  permissions: '["storage"]',
  allowedDomains: '["api.partner.com"]',
};

class Collector {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  constructor(
    private readonly file: string,
    private readonly positions: Map<string, Position>,
  ) {}

  add(code: ErrorCode, args: ErrorArgs, pointer: string, severity: Severity = 'error', atKey = false): void {
    const pos = (atKey && this.positions.get(`${pointer}#key`)) || this.positions.get(pointer) || this.positions.get('');
    const d = diagnostic(code, args, { file: this.file, pointer, ...pos }, severity);
    (severity === 'error' ? this.errors : this.warnings).push(d);
  }
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);
const at = (value: unknown, pointer: string): unknown => {
  let cur = value;
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
};

/** Reads manifest bytes: size, encoding and JSON syntax. */
function decode(bytes: Uint8Array, file: string): { text?: string; errors: Diagnostic[] } {
  if (bytes.length > MANIFEST_MAX_BYTES) return { errors: [diagnostic('MANIFEST_TOO_LARGE', { size: bytes.length, limit: MANIFEST_MAX_BYTES }, { file })] };
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { errors: [diagnostic('MANIFEST_ENCODING', { reason: 'manifest.json starts with a UTF-8 byte-order mark', fix: 'Save the file as UTF-8 without BOM.' }, { file, line: 1, column: 1 })] };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { errors: [diagnostic('MANIFEST_ENCODING', { reason: 'manifest.json is UTF-16', fix: 'Save the file as UTF-8 without BOM.' }, { file, line: 1, column: 1 })] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const bad = lossy.indexOf('\ufffd');
    const before = lossy.slice(0, Math.max(0, bad));
    const line = before.split('\n').length;
    const column = bad - before.lastIndexOf('\n');
    return { errors: [diagnostic('MANIFEST_ENCODING', { reason: 'manifest.json is not valid UTF-8' }, { file, line, column })] };
  }
  if (text.trim() === '') return { errors: [diagnostic('MANIFEST_EMPTY', {}, { file })] };
  return { text, errors: [] };
}

function explainId(value: string): { reason: string; fix?: string } {
  if (value.length > 128) return { reason: 'it is longer than 128 characters' };
  if (value !== value.toLowerCase()) return { reason: 'it has uppercase letters', fix: `Use lowercase: "${value.toLowerCase()}".` };
  const labels = value.split('.');
  if (labels.length < 2) return { reason: 'it needs at least two dot-separated labels', fix: `Use reverse-DNS, e.g. "com.${value || 'partner'}.app".` };
  if (labels.some((l) => l === '')) return { reason: 'it has an empty label' };
  const badChar = /[^a-z0-9.-]/.exec(value);
  if (badChar) {
    const fixed = value.replace(/[^a-z0-9.-]+/g, '-');
    return { reason: `it contains ${JSON.stringify(badChar[0])}`, fix: `Use letters, digits and inner hyphens only, e.g. "${fixed}".` };
  }
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) return { reason: 'a label starts or ends with a hyphen' };
  if (labels.some((l) => l.length > 63)) return { reason: 'a label is longer than 63 characters' };
  return { reason: 'it does not match the reverse-DNS rule' };
}

/**
 * The app id rule, shared by the manifest and `miniapp init`. Returns undefined for a valid id, or
 * the reason and hint the manifest would report.
 */
export function checkAppId(value: string): { reason: string; hint: string } | undefined {
  if (new RegExp(manifestSchema().properties.id!.pattern!, 'u').test(value)) return undefined;
  const { reason, fix } = explainId(value);
  const d = diagnostic('MANIFEST_INVALID_ID', { value, reason, fix });
  return { reason: d.message, hint: d.hint ?? '' };
}

/** A corrected version for the common near misses ("v1.2", "1.2", "01.2.3"), or undefined. */
export function suggestVersion(value: string): string | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(value.trim());
  if (!m) return undefined;
  return [m[1], m[2] ?? '0', m[3] ?? '0'].map((n) => String(Number(n))).join('.');
}

function explainVersion(value: string): string | undefined {
  const fixed = suggestVersion(value);
  return fixed && fixed !== value ? `Use MAJOR.MINOR.PATCH: "${fixed}".` : undefined;
}

/** Maps one ajv error to a diagnostic. Fields with a richer rule of their own are left to it. */
function reportSchemaError(err: ErrorObject, value: unknown, out: Collector): void {
  const pointer = err.instancePath;
  const field = pointer.split('/')[1] ?? '';
  const data = at(value, pointer);
  switch (err.keyword) {
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      out.add('MANIFEST_MISSING_FIELD', { field: missing, example: EXAMPLES[missing] }, pointer);
      return;
    }
    case 'additionalProperties': {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      const fields = knownFields();
      out.add(
        'MANIFEST_UNKNOWN_FIELD',
        { field: extra, suggestion: suggest(extra, fields), allowed: fields.join(', ') },
        `${pointer}/${extra.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        'error',
        true,
      );
      return;
    }
    case 'type': {
      const expected = (err.params as { type: string }).type;
      const article = expected === 'array' || expected === 'object' ? 'an' : 'a';
      out.add('MANIFEST_INVALID_TYPE', { field: pointer.slice(1) || 'manifest', expected: `${article} ${expected}`, found: typeName(data) }, pointer);
      return;
    }
  }
  // Value rules: richer explanations for the fields that have them; uniqueness is checked separately.
  if (err.keyword === 'uniqueItems' || field === 'allowedDomains' || field === 'entryPoint' || field === 'icon') return;
  if (field === 'id') {
    out.add('MANIFEST_INVALID_ID', { value: data, ...explainId(String(data)) }, pointer);
  } else if (field === 'version' || field === 'minHostVersion') {
    out.add('MANIFEST_INVALID_VERSION', { field, value: data, fix: explainVersion(String(data)) }, pointer);
  } else if (field === 'permissions' && err.keyword === 'enum') {
    const known = knownPermissions();
    out.add('MANIFEST_UNKNOWN_PERMISSION', { value: data, suggestion: suggest(String(data), known), known: known.join(', ') }, pointer);
  } else {
    out.add('MANIFEST_INVALID_VALUE', { field: pointer.slice(1), reason: err.message ?? 'is invalid' }, pointer);
  }
}

function checkDuplicates(list: unknown, field: string, out: Collector): void {
  if (!Array.isArray(list)) return;
  const seen = new Set<unknown>();
  list.forEach((item, i) => {
    if (seen.has(item)) out.add('MANIFEST_DUPLICATE_ITEM', { field, value: item }, `/${field}/${i}`);
    seen.add(item);
  });
}

function checkSemantics(m: Record<string, unknown>, options: ManifestCheckOptions, out: Collector): void {
  const profile = options.profile ?? 'dev';
  checkDuplicates(m.permissions, 'permissions', out);
  checkDuplicates(m.allowedDomains, 'allowedDomains', out);

  if (Array.isArray(m.allowedDomains)) {
    m.allowedDomains.forEach((d, i) => {
      if (typeof d !== 'string') return;
      const problem = checkAllowedDomain(d, profile);
      if (problem) out.add(problem.code, { value: d, field: `allowedDomains[${i}] ${JSON.stringify(d)}`, reason: problem.reason, fix: problem.fix }, `/allowedDomains/${i}`);
    });
  }

  for (const field of ['entryPoint', 'icon'] as const) {
    const value = m[field];
    if (typeof value !== 'string') continue;
    const unsafe = explainUnsafePackagePath(value);
    if (unsafe) {
      if (field === 'entryPoint') out.add('MANIFEST_INVALID_ENTRY_POINT', { value, reason: unsafe }, '/entryPoint');
      else out.add('MANIFEST_INVALID_VALUE', { field: 'icon', reason: `${JSON.stringify(value)} ${unsafe}`, fix: 'Use a relative path inside the package, e.g. "icon.png".' }, '/icon');
    } else if (options.fileExists && !options.fileExists(value)) {
      const where = options.where ?? 'the package';
      if (field === 'entryPoint') out.add('MANIFEST_ENTRY_POINT_MISSING', { value, where }, '/entryPoint');
      else out.add('MANIFEST_INVALID_VALUE', { field: 'icon', reason: `${JSON.stringify(value)} does not exist in ${where}` }, '/icon', 'warning');
    }
  }
  if (typeof m.entryPoint === 'string' && !explainUnsafePackagePath(m.entryPoint) && !/\.html?$/i.test(m.entryPoint)) {
    out.add(
      'MANIFEST_ADVICE',
      { field: 'entryPoint', reason: `${JSON.stringify(m.entryPoint)} is not an .html file`, fix: 'The host opens the entry point in a WebView; point it at an HTML file.' },
      '/entryPoint',
      'warning',
    );
  }

  const newest = options.newestHostVersion ?? NEWEST_HOST_VERSION;
  if (typeof m.minHostVersion === 'string' && isSemver(m.minHostVersion) && semverGt(m.minHostVersion, newest)) {
    out.add('MANIFEST_HOST_VERSION_UNKNOWN', { value: m.minHostVersion, newest }, '/minHostVersion');
  }

  if (typeof m.signature === 'string' && !/^sha256:[0-9a-f]{64}$/.test(m.signature)) {
    out.add(
      'MANIFEST_ADVICE',
      {
        field: 'signature',
        reason: `${JSON.stringify(m.signature)} is not a signer key id ("sha256:" and 64 hex digits), so hosts ignore it`,
        fix: 'Set it to the key id `miniapp keygen` printed, or remove it; the signature itself is added by `miniapp sign`.',
      },
      '/signature',
      'warning',
    );
  }

  if (profile === 'release') {
    if (typeof m.version === 'string' && isSemver(m.version) && semverPrerelease(m.version)) {
      out.add(
        'MANIFEST_ADVICE',
        { field: 'version', reason: `${JSON.stringify(m.version)} is a pre-release version`, fix: 'Store reviewers expect a release version such as "1.0.0".' },
        '/version',
        'warning',
      );
    }
    if (m.name === undefined) out.add('MANIFEST_ADVICE', { field: 'name', reason: 'is not set, so the host shows the app id', fix: 'Add a display "name".' }, '', 'warning');
  }
}

const SEMVER = () => new RegExp(manifestSchema().properties.version!.pattern!, 'u');
const isSemver = (v: string) => SEMVER().test(v);

/**
 * Checks manifest bytes against the schema and every semantic rule, returning all problems at once
 * with file, JSON pointer, line and column.
 */
export function checkManifestBytes(bytes: Uint8Array, options: ManifestCheckOptions = {}): ManifestCheckResult {
  const file = options.file ?? 'manifest.json';
  const decoded = decode(bytes, file);
  if (decoded.text === undefined) return { errors: decoded.errors, warnings: [] };
  return checkManifestText(decoded.text, options);
}

export function checkManifestText(text: string, options: ManifestCheckOptions = {}): ManifestCheckResult {
  const file = options.file ?? 'manifest.json';
  const parsed = parseJsonWithPositions(text, { file });
  if (parsed.value === undefined) return { errors: parsed.diagnostics, warnings: [] };
  const value = parsed.value;
  const out = new Collector(file, parsed.positions);
  out.errors.push(...parsed.diagnostics);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.add('MANIFEST_NOT_OBJECT', { found: typeName(value) }, '');
    return { value, errors: out.errors, warnings: out.warnings };
  }
  const schema = checkAgainstSchema(value);
  for (const err of schema.errors) reportSchemaError(err, value, out);
  checkSemantics(value as Record<string, unknown>, options, out);
  const errors = sortByPosition(out.errors);
  return { value, manifest: errors.length === 0 ? (value as Manifest) : undefined, errors, warnings: sortByPosition(out.warnings) };
}

function sortByPosition(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
