import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { repoRoot } from './cli.js';

const schema = JSON.parse(readFileSync(join(repoRoot, 'schema', 'cli-envelope.schema.json'), 'utf8'));
const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

/** The problems of one --json document against schema/cli-envelope.schema.json; [] when it conforms. */
export function envelopeProblems(stdout: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (err) {
    return [`stdout is not one JSON document: ${(err as Error).message}: ${stdout.slice(0, 200)}`];
  }
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
