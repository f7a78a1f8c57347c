import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../bridge/catalog.js';
import type { WireError } from '../channel.js';

/** Params larger than this (as JSON) are refused before validation: bridge calls carry data, not files. */
export const MAX_PARAMS_BYTES = 1024 * 1024;

type AjvClass = typeof import('ajv').default;
let ajv: InstanceType<AjvClass> | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Ajv is loaded and each method's schema compiled on first use, so a run pays only for what it calls. */
function ajvInstance(): InstanceType<AjvClass> {
  if (ajv) return ajv;
  const Ajv = (createRequire(import.meta.url)('ajv') as { default: AjvClass }).default;
  ajv = new Ajv({ allErrors: false, strict: true });
  ajv.addKeyword({
    keyword: 'maxDecimals',
    type: 'number',
    schemaType: 'number',
    error: { message: (cxt) => `must have at most ${String(cxt.schemaValue)} decimal places` },
    validate: (places: number, value: number) => hasAtMostDecimals(value, places),
  });
  return ajv;
}

/** True when `value` has at most `places` decimals, tolerant of binary floating point (0.1 + 0.2). */
export function hasAtMostDecimals(value: number, places: number): boolean {
  const scaled = value * 10 ** places;
  return Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, Math.abs(scaled)) && Number.isFinite(value);
}

function pathOf(error: ErrorObject): string {
  const base = error.instancePath;
  const p = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${base}/${String(p.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${base}/${String(p.additionalProperty)}`;
  return base;
}

/** Checks params (already plain data) against a method's schema; undefined when they are valid. */
export function checkParams(method: string, schema: JsonSchema, params: unknown): WireError | undefined {
  let size: number;
  try {
    size = JSON.stringify(params ?? {}).length;
  } catch {
    return { code: 'INVALID_PARAMS', message: 'params cannot be serialised as JSON', path: '' };
  }
  if (size > MAX_PARAMS_BYTES) {
    return { code: 'INVALID_PARAMS', message: `params are ${size} bytes as JSON, over the ${MAX_PARAMS_BYTES}-byte limit`, path: '' };
  }
  let validate = compiled.get(method);
  if (!validate) {
    validate = ajvInstance().compile(schema);
    compiled.set(method, validate);
  }
  if (validate(params)) return undefined;
  const error = validate.errors![0]!;
  const path = pathOf(error);
  const extra = error.keyword === 'enum' && Array.isArray((error.params as { allowedValues?: unknown[] }).allowedValues) && (error.params as { allowedValues: unknown[] }).allowedValues.length <= 8
    ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
    : '';
  return { code: 'INVALID_PARAMS', message: `${path || 'params'} ${error.message ?? 'is invalid'}${extra}`, path };
}
