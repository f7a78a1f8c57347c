import { LIMITS } from '../protocol.js';

/**
 * A value an app handed to the bridge (params, a result, an error), copied into what fits on the dev
 * server's wire: plain JSON, nested at most `MAX_DEPTH` levels, strings cut at LIMITS.maxStringLength,
 * and a budget of values and characters per value, so the message always passes the server's check
 * (src/server/validate.ts) and stays under its 1 MB frame limit (48 K characters each, so even a string of
 * control characters, 6 bytes each as JSON, fits twice). Never throws: a getter that throws,
 * a cycle, a Proxy or a 10,000-level structure gives a marker instead. The page's own call is untouched;
 * only what the inspector shows is bounded. Shared by the live-reload client and the simulator.
 */
export interface WireBudget {
  values: number;
  chars: number;
}

/** The envelope ({type, call: {params}}) takes 2 of the server's 32 levels; a few more to spare. */
export const MAX_DEPTH = LIMITS.maxDepth - 4;
/** Params and result each get this budget: the server allows LIMITS.maxValues for both together. */
export const newBudget = (): WireBudget => ({ values: Math.floor(LIMITS.maxValues / 2.5), chars: 48 * 1024 });

export const OMITTED = '…';
export const TOO_DEEP = '[nested too deep to show]';
export const UNREADABLE = '[unreadable]';

export const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

const spent = (b: WireBudget) => b.values <= 0 || b.chars <= 0;

function define(out: Record<string, unknown>, key: string, value: unknown): void {
  // Defined, not assigned: a "__proto__" key stays a plain key.
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

function wireObject(value: object, budget: WireBudget, depth: number): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      if (spent(budget)) {
        out.push(OMITTED);
        break;
      }
      const w = wireValue(value[i], budget, depth + 1);
      out.push(w === undefined ? null : w);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (spent(budget)) {
      define(out, OMITTED, OMITTED);
      break;
    }
    const w = wireValue((value as Record<string, unknown>)[key], budget, depth + 1);
    budget.chars -= Math.min(key.length, 256);
    if (w !== undefined) define(out, cut(key, 256), w);
  }
  return out;
}

export function wireValue(value: unknown, budget: WireBudget = newBudget(), depth = 0): unknown {
  if (budget.values-- <= 0 || budget.chars <= 0) return OMITTED;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') {
    const s = cut(value, LIMITS.maxStringLength);
    budget.chars -= s.length;
    return s;
  }
  if (typeof value === 'bigint') return String(value);
  if (typeof value !== 'object') return undefined; // functions, symbols, undefined: left out, as JSON does
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  try {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return wireValue(toJSON.call(value), budget, depth + 1);
    return wireObject(value, budget, depth);
  } catch {
    return UNREADABLE;
  }
}

/** A thrown value as the inspector lists it: code, message (cut) and the params path, never throwing. */
/** String(v) cut to `max`, or a marker when turning it into text throws (a hostile toString). */
export function wireText(v: unknown, max: number): string {
  try {
    return cut(String(v), max);
  } catch {
    return UNREADABLE;
  }
}

export function wireError(value: unknown): { code: string; message: string; path?: string } {
  const text = wireText;
  let v: { code?: unknown; message?: unknown; path?: unknown } | undefined;
  try {
    v = value && typeof value === 'object' ? { code: (value as { code?: unknown }).code, message: (value as { message?: unknown }).message, path: (value as { path?: unknown }).path } : undefined;
  } catch {
    v = undefined;
  }
  return {
    code: text(v?.code || 'INTERNAL_ERROR', 100),
    message: text(v?.message || value, 2000),
    ...(typeof v?.path === 'string' ? { path: cut(v.path, 200) } : {}),
  };
}
