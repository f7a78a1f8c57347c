import type { ErrorObject } from 'ajv';
import type { WireError } from '../channel.js';
import { validators } from './generated/params-validators.js';

import { MAX_PARAMS_BYTES } from '../../bridge/mock/rules.js';

export { MAX_PARAMS_BYTES };

function pathOf(error: ErrorObject): string {
  const base = error.instancePath;
  const p = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${base}/${String(p.missingProperty)}`;
  if (error.keyword === 'additionalProperties') return `${base}/${String(p.additionalProperty)}`;
  return base;
}

/**
 * Checks params (already plain data) against a catalogue method's params schema; undefined when they
 * are valid. The validators are ajv's, compiled from the catalogue when miniapp is built
 * (scripts/build.mjs), so a host pays nothing at start-up or at an app's first call.
 */
export function checkParams(method: string, params: unknown): WireError | undefined {
  let size: number;
  try {
    size = JSON.stringify(params ?? {}).length;
  } catch {
    return { code: 'INVALID_PARAMS', message: 'params cannot be serialised as JSON', path: '' };
  }
  if (size > MAX_PARAMS_BYTES) {
    return { code: 'INVALID_PARAMS', message: `params are ${size} bytes as JSON, over the ${MAX_PARAMS_BYTES}-byte limit`, path: '' };
  }
  const validate = Object.hasOwn(validators, method) ? validators[method]! : undefined;
  if (!validate) throw new Error(`no params validator for ${method}: rebuild miniapp (npm run build)`);
  if (validate(params)) return undefined;
  const error = validate.errors![0]!;
  const path = pathOf(error);
  const extra = error.keyword === 'enum' && Array.isArray((error.params as { allowedValues?: unknown[] }).allowedValues) && (error.params as { allowedValues: unknown[] }).allowedValues.length <= 8
    ? `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`
    : '';
  return { code: 'INVALID_PARAMS', message: `${path || 'params'} ${error.message ?? 'is invalid'}${extra}`, path };
}
