import type { Responder } from './dispatcher.js';
import { BridgeFailure } from './failure.js';
import type { NetworkFixture } from './network.js';

/**
 * A fixtures file (`--fixtures`): canned network responses, and fixed answers for bridge methods.
 *   { "network": [{ "url": "https://api.partner.com/rates", "json": { "eur": 1 } }],
 *     "bridge": { "payment.pay": { "error": { "code": "PAYMENT_FAILED" } }, "location.get": { "result": {...} } } }
 */
export interface Fixtures {
  network?: NetworkFixture[];
  bridge?: Record<string, { result?: unknown; error?: { code: string; message?: string } }>;
}

export function explainBadFixtures(value: unknown): string | undefined {
  const f = value as Fixtures;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return 'it must be a JSON object with "network" and/or "bridge"';
  for (const key of Object.keys(f)) if (key !== 'network' && key !== 'bridge' && key !== '$schema') return `unknown key ${JSON.stringify(key)} (expected "network" or "bridge")`;
  if (f.network !== undefined) {
    if (!Array.isArray(f.network)) return '"network" must be an array';
    const bad = f.network.findIndex((n) => !n || typeof n.url !== 'string' || (n.status !== undefined && (!Number.isInteger(n.status) || n.status < 200 || n.status > 599)));
    if (bad !== -1) return `network[${bad}] needs a "url" string and an optional integer "status" from 200 to 599`;
  }
  if (f.bridge !== undefined) {
    if (!f.bridge || typeof f.bridge !== 'object' || Array.isArray(f.bridge)) return '"bridge" must be an object of method names';
    for (const [method, answer] of Object.entries(f.bridge)) {
      if (!answer || typeof answer !== 'object' || (answer.error !== undefined && typeof answer.error?.code !== 'string'))
        return `bridge[${JSON.stringify(method)}] must be { "result": ... } or { "error": { "code": ... } }`;
    }
  }
  return undefined;
}

export function fixturesResponder(fixtures: Fixtures): Responder {
  const answers = new Map(Object.entries(fixtures.bridge ?? {}));
  return (method) => {
    const answer = answers.get(method);
    if (!answer) return undefined;
    return {
      handler: () => {
        if (answer.error) throw new BridgeFailure(answer.error.code, answer.error.message ?? `${method} failed with ${answer.error.code} (fixture)`);
        return structuredClone(answer.result ?? {});
      },
    };
  };
}
