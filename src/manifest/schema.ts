import { readFileSync } from 'node:fs';
import type { ErrorObject } from 'ajv';
// Generated at build time from schema/manifest.schema.json by scripts/build.mjs (ajv standalone code),
// so validation does not pay ajv's schema compilation at every start-up.
import validateManifestSchema from './generated/manifest-validator.js';
import { toolchainPath } from '../core/toolchain.js';

export interface SchemaCheck {
  valid: boolean;
  errors: ErrorObject[];
}

export function checkAgainstSchema(value: unknown): SchemaCheck {
  const valid = validateManifestSchema(value) as boolean;
  return { valid, errors: valid ? [] : [...((validateManifestSchema as unknown as { errors?: ErrorObject[] }).errors ?? [])] };
}

interface SchemaFile {
  $id: string;
  required: string[];
  properties: Record<string, { pattern?: string; items?: { enum?: string[] }; examples?: string[]; description?: string }>;
}

let schemaFile: SchemaFile | undefined;
/** The schema document itself (schema/manifest.schema.json), for rules that reuse its patterns and lists. */
export function manifestSchema(): SchemaFile {
  schemaFile ??= JSON.parse(readFileSync(toolchainPath('schema', 'manifest.schema.json'), 'utf8')) as SchemaFile;
  return schemaFile;
}

export const knownFields = (): string[] => Object.keys(manifestSchema().properties);
export const knownPermissions = (): string[] => manifestSchema().properties.permissions?.items?.enum ?? [];
