import type { ErrorObject } from 'ajv';
import type { WireError } from '../channel.js';
import { MAX_PARAMS_BYTES, toJsonParams } from '../json-value.js';
import { validators } from './generated/params-validators.js';

export { MAX_PARAMS_BYTES };

function pathOf(error: ErrorObject): string {
  const base = error.instancePath;
  const p = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${base}/${String(p.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${base}/${String(p.additionalProperty)}`;
  return base;
}

/**
 * Makes params what every isolation carries, a plain JSON copy (src/runtime/json-value.ts: the guest
 * applies the same function before sending), then checks it against a catalogue method's params schema.
 * Returns the copy the handlers get, or the coded error naming the path at fault. The validators are
 * ajv's, compiled from the catalogue when miniapp is built (scripts/build.mjs), so a host pays nothing
 * at start-up or at an app's first call.
 */
export function normaliseParams(method: string, params: unknown): { ok: true; value: Record<string, unknown> } | { ok: false; error: WireError } {
  const plain = toJsonParams(params);
  if (!plain.ok) return { ok: false, error: { code: 'INVALID_PARAMS', message: plain.message, path: plain.path } };
  const invalid = checkParams(method, plain.value);
  return invalid ? { ok: false, error: invalid } : { ok: true, value: plain.value as Record<string, unknown> };
}

/** Checks params that are already a plain JSON copy against a method's params schema; undefined when valid. */
export function checkParams(method: string, params: unknown): WireError | undefined {
  const validate = Object.hasOwn(validators, method) ? validators[method]! : undefined;
  if (!validate) throw new Error(`no params validator for ${method}: rebuild miniapp (npm run build)`);
  if (validate(params)) return undefined;
  const error = validate.errors![0]!;
  const path = pathOf(error);
  const extra =
    error.keyword === 'enum' && Array.isArray((error.params as { allowedValues?: unknown[] }).allowedValues) && (error.params as { allowedValues: unknown[] }).allowedValues.length <= 8
      ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
      : '';
  return { code: 'INVALID_PARAMS', message: `${path || 'params'} ${error.message ?? 'is invalid'}${extra}`, path };
}
