import { buildErrors, initErrors } from './catalog/build.js';
import { generalErrors } from './catalog/general.js';
import { hostErrors } from './catalog/host.js';
import { manifestErrors } from './catalog/manifest.js';
import { packageErrors } from './catalog/package.js';
import { registryErrors } from './catalog/registry.js';
import { runtimeErrors } from './catalog/runtime.js';
import { serverErrors } from './catalog/server.js';
import { signingErrors } from './catalog/signing.js';
import type { Diagnostic, ErrorArgs, ErrorCatalog, ErrorDefinition, Location, Severity } from './types.js';

export type { Diagnostic, ErrorArgs, ErrorCatalog, ErrorDefinition, Location, Severity } from './types.js';

/**
 * The one catalogue of permanent error codes. Each domain keeps its entries in catalog/<domain>.ts;
 * codes are never renamed or reused once released (docs/errors.md lists them, a test keeps it in sync).
 */
export const errorCatalog: ErrorCatalog = {
  ...generalErrors,
  ...manifestErrors,
  ...packageErrors,
  ...signingErrors,
  ...buildErrors,
  ...initErrors,
  ...hostErrors,
  ...runtimeErrors,
  ...serverErrors,
  ...registryErrors,
};

type CatalogCodes = typeof generalErrors &
  typeof manifestErrors &
  typeof packageErrors &
  typeof signingErrors &
  typeof buildErrors &
  typeof initErrors &
  typeof hostErrors &
  typeof runtimeErrors &
  typeof serverErrors &
  typeof registryErrors;
/** Every code in the catalogue, checked by the compiler: a code that is not in it does not compile. */
export type ErrorCode = keyof CatalogCodes & string;

function definitionOf(code: string): ErrorDefinition {
  const def = errorCatalog[code];
  if (!def) throw new Error(`unknown error code ${code}: add it to src/core/errors/catalog`);
  return def;
}

/** Builds a diagnostic (a value, not a throw) from a catalogue code. */
export function diagnostic(code: ErrorCode, args: ErrorArgs = {}, location: Location = {}, severity: Severity = 'error'): Diagnostic {
  const def = definitionOf(code);
  const d: Diagnostic = { code, severity, message: def.message(args), hint: def.hint(args) };
  for (const key of ['file', 'pointer', 'line', 'column'] as const) {
    if (location[key] !== undefined) (d as unknown as Record<string, unknown>)[key] = location[key];
  }
  return d;
}

export interface MiniappErrorOptions {
  cause?: unknown;
  location?: Location;
  /** Further problems found alongside this one (for example every manifest error). */
  diagnostics?: Diagnostic[];
}

/**
 * A user-facing failure with a permanent code: the CLI prints its message and hint, never its stack.
 * Anything else thrown is an internal error.
 */
export class MiniappError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly args: ErrorArgs;
  readonly location: Location;
  readonly diagnostics: Diagnostic[];
  readonly exitCode: 1 | 2;

  constructor(code: ErrorCode, args: ErrorArgs = {}, options: MiniappErrorOptions = {}) {
    const def = definitionOf(code);
    super(def.message(args), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MiniappError';
    this.code = code;
    this.hint = def.hint(args);
    this.args = args;
    this.location = options.location ?? {};
    this.diagnostics = options.diagnostics ?? [];
    this.exitCode = def.exitCode ?? 1;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The error as a diagnostic, for `errors` arrays and JSON output. */
  toDiagnostic(): Diagnostic {
    return diagnostic(this.code, this.args, this.location);
  }
}

/**
 * A brand shared by every copy of this module: the CLI loads each command as its own bundle, so an error
 * thrown by a command's copy of MiniappError must still be recognised by the CLI's copy.
 */
const BRAND = Symbol.for('miniapp.error');

export function isMiniappError(value: unknown): value is MiniappError {
  return value instanceof MiniappError || (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true);
}

/** Renders the catalogue as Markdown (docs/errors.md); a test checks the committed file matches. */
export function renderErrorCatalogMarkdown(catalog: ErrorCatalog = errorCatalog): string {
  const sample: ErrorArgs = new Proxy({}, { get: (_t, key) => `<${String(key)}>` });
  const lines = [
    '# Error codes',
    '',
    '<!-- Generated from src/core/errors/catalog by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every failure miniapp reports carries one of these permanent codes. Codes are never renamed or reused;',
    'CI scripts can match on them (`--json` prints them in `errors[].code`). Exit status is 1 unless noted.',
    '',
    '| code | title | message | hint | exit |',
    '| --- | --- | --- | --- | --- |',
  ];
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  for (const code of Object.keys(catalog).sort()) {
    const def = catalog[code]!;
    lines.push(`| \`${code}\` | ${esc(def.title)} | ${esc(def.message(sample))} | ${esc(def.hint(sample))} | ${def.exitCode ?? 1} |`);
  }
  return `${lines.join('\n')}\n`;
}
