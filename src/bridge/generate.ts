import { CATALOG, COMMON_ERROR_CODES, METHOD_ERROR_CODES, PERMISSIONS, type JsonSchema, type MethodSpec } from './catalog.js';

/**
 * Everything derived from the catalogue as text: the TypeScript types, the browser mock's data and
 * docs/bridge.md. `npm run docs` writes them; test/bridge-sync.test.ts fails when a committed copy
 * differs from what the catalogue produces now.
 */

const entries = () => Object.entries(CATALOG) as [string, MethodSpec][];

/** A TypeScript type for a catalogue schema. */
export function schemaToTs(schema: JsonSchema, indent = ''): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const t = schema.type;
  if (Array.isArray(t)) return t.map((x) => schemaToTs({ ...schema, type: x }, indent)).join(' | ');
  switch (t) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${schemaToTs(schema.items ?? {}, indent)}>`;
    case 'object': {
      const props = Object.entries(schema.properties ?? {});
      if (props.length === 0) return schema.properties ? 'Record<string, never>' : 'Record<string, string>';
      const inner = `${indent}  `;
      const lines = props.map(([k, v]) => `${inner}${JSON.stringify(k)}${schema.required?.includes(k) ? '' : '?'}: ${schemaToTs(v, inner)};`);
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
    default:
      return 'unknown';
  }
}

export function renderBridgeTypes(): string {
  const lines = [
    '// Generated from src/bridge/catalog.ts by `npm run docs`. Do not edit by hand.',
    '/* eslint-disable */',
    '',
    '/** Every bridge method: its params, its result and the error codes it can fail with. */',
    'export interface BridgeMethods {',
  ];
  for (const [name, spec] of entries()) {
    const errors = [...Object.keys(COMMON_ERROR_CODES), ...spec.errors].map((c) => JSON.stringify(c)).join(' | ');
    lines.push(`  /** ${spec.description} Permission: ${spec.permission ?? 'none'}. Since host ${spec.since}. */`);
    lines.push(`  ${JSON.stringify(name)}: {`);
    lines.push(`    params: ${schemaToTs(spec.params, '    ')};`);
    lines.push(`    result: ${schemaToTs(spec.result, '    ')};`);
    lines.push(`    error: ${errors};`);
    lines.push('  };');
  }
  lines.push(
    '}',
    '',
    'export type BridgeMethodName = keyof BridgeMethods;',
    'export type BridgeParams<M extends BridgeMethodName> = BridgeMethods[M]["params"];',
    'export type BridgeResult<M extends BridgeMethodName> = BridgeMethods[M]["result"];',
    'export type BridgeErrorCodeOf<M extends BridgeMethodName> = BridgeMethods[M]["error"];',
    `export type BridgePermission = ${Object.keys(PERMISSIONS)
      .map((p) => JSON.stringify(p))
      .join(' | ')};`,
    '',
    "/** How a bridge call fails: `error.code` is one of the method's codes, `path` points at a bad param. */",
    'export interface BridgeError<M extends BridgeMethodName = BridgeMethodName> extends Error {',
    '  code: BridgeErrorCodeOf<M>;',
    '  path?: string;',
    '}',
    '',
    '/** `window.MiniAppBridge`, typed end to end: `MiniAppBridge.call<"payment.pay">(...)`. */',
    'export interface MiniAppBridge {',
    '  call<M extends BridgeMethodName>(method: M, ...params: {} extends BridgeParams<M> ? [params?: BridgeParams<M>] : [params: BridgeParams<M>]): Promise<BridgeResult<M>>;',
    '  canIUse(method: string): method is BridgeMethodName;',
    '  readonly hostVersion: string;',
    '  readonly lifecycleState: "loading" | "launched" | "shown" | "hidden" | "unloaded";',
    '}',
    '',
  );
  return lines.join('\n');
}

/** The data the browser mock runs on: plain JSON in an ES module, no Node APIs. */
export function renderMockData(): string {
  const data = {
    methods: Object.fromEntries(entries().map(([name, s]) => [name, { permission: s.permission, params: s.params, result: s.result, errors: s.errors, since: s.since }])),
    permissions: PERMISSIONS,
    commonErrors: Object.keys(COMMON_ERROR_CODES),
  };
  return `// Generated from src/bridge/catalog.ts by \`npm run docs\`. Do not edit by hand.\nexport const CATALOG = ${JSON.stringify(data, null, 1)};\n`;
}

function schemaSummary(schema: JsonSchema): string {
  const parts: string[] = [];
  if (schema.enum)
    parts.push(schema.enum.length > 8 ? `one of ${schema.enum.length} codes (${schema.enum.slice(0, 4).join(', ')}…)` : `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  else if (Array.isArray(schema.type)) parts.push(schema.type.join(' or '));
  else if (schema.type === 'array') parts.push(`array of ${schema.items ? schemaSummary(schema.items) : 'values'}`);
  else if (schema.type) parts.push(schema.type);
  if (schema.minLength !== undefined || schema.maxLength !== undefined) parts.push(`${schema.minLength ?? 0}–${schema.maxLength ?? '∞'} chars`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.maxDecimals !== undefined) parts.push(`at most ${schema.maxDecimals} decimals`);
  if (schema.pattern) parts.push(`matches \`${schema.pattern.replace(/\|/g, '\\|')}\``);
  if (schema.maxItems !== undefined) parts.push(`${schema.minItems ?? 0}–${schema.maxItems} items`);
  if (schema.description) parts.push(schema.description);
  return parts.join(', ');
}

function fieldsTable(schema: JsonSchema): string[] {
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return ['_none_'];
  return ['| field | required | type |', '| --- | --- | --- |', ...props.map(([k, v]) => `| \`${k}\` | ${schema.required?.includes(k) ? 'yes' : 'no'} | ${schemaSummary(v)} |`)];
}

export function renderBridgeDocs(): string {
  const lines = [
    '# Bridge reference',
    '',
    '<!-- Generated from src/bridge/catalog.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'A mini-program reaches the host only through `MiniAppBridge.call(method, params)`, which returns a promise of the',
    'result or rejects with an error carrying `code` and `message` (and `path`, the failing param, for `INVALID_PARAMS`).',
    '`MiniAppBridge.canIUse(method)` answers whether the running host has a method: use it to guard methods newer than',
    "your manifest's `minHostVersion` (the build lint warns about unguarded calls). Method names match exactly:",
    '`constructor`, `__proto__`, `Storage.get` or ` storage.get` are unknown methods.',
    '',
    'The host checks, in order: the method exists in this host version (`METHOD_NOT_FOUND`), the manifest declares its',
    'permission (`PERMISSION_DENIED`, before anything runs), the params match the schema (`INVALID_PARAMS`; params are',
    'copied once, as structured clone, before the check, and may be at most 1 MiB as JSON), and, for consent',
    'permissions, that the user agreed (`USER_DENIED`).',
    '',
    'Params are a JSON object; a param the method does not list is refused (`INVALID_PARAMS`), never ignored. The',
    "error's `path` is a JSON Pointer (RFC 6901) into the params: `/amount` for a bad or missing `amount`, `/extra`",
    'for an unknown `extra`, and `""` (the empty pointer) for the params as a whole. Storage (`storage.*`) is kept per',
    'app with a quota of 10 MiB (10 485 760 bytes) by default, counting the UTF-8 bytes of every key and value; a write',
    'that would go over it fails with `QUOTA_EXCEEDED` and writes nothing.',
    '',
    'TypeScript: `import type { MiniAppBridge } from "miniapp/bridge-types"`, or the types from `miniapp/testing`;',
    '`MiniAppBridge.call<"payment.pay">(...)` is typed from this catalogue.',
    '',
    '## Permissions',
    '',
    '| permission | user consent | what it grants |',
    '| --- | --- | --- |',
    ...Object.entries(PERMISSIONS).map(([name, p]) => `| \`${name}\` | ${p.consent ? 'yes' : 'no'} | ${p.description} |`),
    '',
    '## Error codes',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...Object.entries({ ...COMMON_ERROR_CODES, ...METHOD_ERROR_CODES }).map(([code, text]) => `| \`${code}\` | ${text} |`),
    '',
    '## Methods',
    '',
    '| method | permission | since | errors |',
    '| --- | --- | --- | --- |',
    ...entries().map(
      ([name, s]) => `| [\`${name}\`](#${name.replace(/\./g, '')}) | ${s.permission ? `\`${s.permission}\`` : 'none'} | ${s.since} | ${s.errors.map((e) => `\`${e}\``).join(', ') || '–'} |`,
    ),
  ];
  for (const [name, s] of entries()) {
    lines.push(
      '',
      `### ${name}`,
      '',
      s.description,
      '',
      `Permission: ${s.permission ? `\`${s.permission}\`` : 'none'}. Since host ${s.since}. Errors: ${s.errors.map((e) => `\`${e}\``).join(', ') || 'only the common ones'}.`,
      '',
      'Params:',
      '',
      ...fieldsTable(s.params),
      '',
      'Result:',
      '',
      ...fieldsTable(s.result),
    );
  }
  return `${lines.join('\n')}\n`;
}
