import { MAX_PARAMS_BYTES } from '../bridge/mock/rules.js';

/**
 * Bridge params are JSON: the one contract every isolation applies (an in-process page, a worker, a
 * sandbox process whose wire is JSON lines). The guest turns params into a plain JSON copy with
 * `toJsonParams` before anything leaves the page, and the host checks what arrives with the same
 * function, so a `Date`, a `BigInt` or a `Map` is refused with the same coded error, naming the path,
 * under `run`, `miniapp/testing` and `conformance` alike. Both sides use it; the size limit is the
 * bridge's rule, stated once (src/bridge/mock/rules.js, which the browser mock applies too).
 */

export { MAX_PARAMS_BYTES };

const MAX_DEPTH = 64;

export type JsonParams = { ok: true; value: unknown; bytes: number } | { ok: false; path: string; message: string };

class Refusal {
  path: string;
  message: string;
  constructor(path: string, message: string) {
    this.path = path;
    this.message = message;
  }
}

const tag = (v: object) => Object.prototype.toString.call(v).slice(8, -1);

/** What a value that JSON cannot carry is, and what to send instead. */
function describeUnsupported(v: unknown): string {
  if (typeof v === 'bigint') return 'is a BigInt, which JSON cannot carry (send it as a string)';
  if (typeof v === 'function') return 'is a function';
  if (typeof v === 'symbol') return 'is a symbol';
  if (typeof v === 'number') return `is ${String(v)}, which JSON cannot carry`;
  if (v === undefined) return 'is undefined inside an array (use null)';
  const t = tag(v as object);
  if (t === 'Date') return 'is a Date, which JSON cannot carry (send date.toISOString())';
  return `is a ${t === 'Object' ? 'class instance' : t}; only JSON values (objects, arrays, strings, numbers, booleans, null) can be sent`;
}

/**
 * A plain JSON copy of `value` (objects with no prototype beyond a realm's Object.prototype, arrays,
 * strings, finite numbers, booleans, null; object properties that are undefined are dropped, as
 * JSON.stringify drops them), or the first path at fault. Stops as soon as the copy passes `maxBytes`.
 */
export function toJsonParams(value: unknown, maxBytes = MAX_PARAMS_BYTES): JsonParams {
  let bytes = 0;
  // The objects on the path from the root (a cycle returns to one of them); short, so an array.
  const ancestors: object[] = [];
  const count = (n: number, path: string) => {
    bytes += n;
    if (bytes > maxBytes) throw new Refusal(path, `params are over the ${maxBytes}-byte limit as JSON`);
  };
  const copy = (v: unknown, path: string, depth: number): unknown => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') {
      if (typeof v === 'number' && !Number.isFinite(v)) throw new Refusal(path, describeUnsupported(v));
      count(typeof v === 'string' ? v.length + 2 : 8, path);
      return v;
    }
    if (typeof v !== 'object') throw new Refusal(path, describeUnsupported(v));
    if (depth > MAX_DEPTH) throw new Refusal(path, `is nested more than ${MAX_DEPTH} levels deep`);
    if (ancestors.includes(v)) throw new Refusal(path, 'refers back to itself (a cycle)');
    ancestors.push(v);
    try {
      if (Array.isArray(v)) {
        count(2, path);
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) {
          if (v[i] === undefined) throw new Refusal(`${path}/${i}`, describeUnsupported(undefined));
          out.push(copy(v[i], `${path}/${i}`, depth + 1));
          count(1, path);
        }
        return out;
      }
      const proto = Object.getPrototypeOf(v) as object | null;
      // A page's plain objects have the page realm's Object.prototype: any realm's is fine.
      if (tag(v) !== 'Object' || (proto !== null && Object.getPrototypeOf(proto) !== null)) throw new Refusal(path, describeUnsupported(v));
      count(2, path);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined) continue;
        const at = `${path}/${key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key}`;
        count(key.length + 4, at);
        const value = copy(item, at, depth + 1);
        if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
        else out[key] = value;
      }
      return out;
    } finally {
      ancestors.pop();
    }
  };
  try {
    return { ok: true, value: copy(value, '', 0), bytes };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, path: err.path, message: `${err.path || 'params'} ${err.message}` };
    // A getter or proxy trap of the page threw while its params were read.
    return { ok: false, path: '', message: `params could not be read: ${(err as Error)?.message ?? String(err)}` };
  }
}
