/**
 * What the host keeps of an app's activity is bounded, whatever the app does: lists keep a count and
 * their first entries, and recorded values are previews, JSON-safe (a report is never lost to a value
 * JSON cannot write, such as a BigInt) and size-bounded (a report is never as large as what the app sent).
 */

/** A list that keeps its first `limit` entries and counts the rest. */
export class BoundedList<T> {
  readonly items: T[] = [];
  total = 0;
  constructor(readonly limit: number) {}
  push(item: T): boolean {
    this.total++;
    if (this.items.length >= this.limit) return false;
    this.items.push(item);
    return true;
  }
  get dropped(): number {
    return this.total - this.items.length;
  }
}

/** How many entries of each kind a host keeps per app (counts go on). */
export const RECORD_LIMITS = { calls: 500, violations: 500, ui: 200, console: 1000, errors: 1000, textChars: 4000 } as const;

/** The bytes (as JSON, roughly) a preview of recorded params may take; of a result, RESULT_PREVIEW_BYTES. */
export const PARAMS_PREVIEW_BYTES = 8 * 1024;
export const RESULT_PREVIEW_BYTES = 16 * 1024;

const MAX_DEPTH = 12;
const MAX_ITEMS = 200;

const tag = (v: object) => Object.prototype.toString.call(v).slice(8, -1);

/**
 * A copy of `value` that JSON can write and that takes about `maxBytes` at most: long strings are cut
 * (ending in "…"), long arrays and objects keep their first entries, values JSON cannot carry are
 * described ("[BigInt 1n]", "[Date]"). `truncated` says whether anything was cut or described.
 */
export function preview(value: unknown, maxBytes: number): { value: unknown; truncated: boolean } {
  let budget = maxBytes;
  let truncated = false;
  const ancestors: object[] = [];
  const text = (s: string): string => {
    if (s.length + 2 <= budget) {
      budget -= s.length + 2;
      return s;
    }
    truncated = true;
    const keep = Math.max(0, budget - 3);
    budget = 0;
    return `${s.slice(0, keep)}…`;
  };
  const copy = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'boolean' || typeof v === 'number') {
      budget -= 8;
      if (typeof v !== 'number' || Number.isFinite(v)) return v;
      truncated = true;
      return `[${String(v)}]`;
    }
    if (typeof v === 'string') return text(v);
    if (typeof v !== 'object') {
      truncated = true;
      return typeof v === 'bigint' ? text(`[BigInt ${v}n]`) : `[${typeof v}]`;
    }
    if (budget <= 0 || depth > MAX_DEPTH || ancestors.includes(v)) {
      truncated = true;
      return '[…]';
    }
    const t = tag(v);
    if (t !== 'Object' && t !== 'Array') {
      truncated = true;
      return `[${t}]`;
    }
    ancestors.push(v);
    budget -= 2;
    let out: unknown;
    if (Array.isArray(v)) {
      const items: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        if (budget <= 0 || i >= MAX_ITEMS) {
          truncated = true;
          items.push(`[… ${v.length - i} more]`);
          break;
        }
        items.push(v[i] === undefined ? null : copy(v[i], depth + 1));
      }
      out = items;
    } else {
      const entries: Record<string, unknown> = {};
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        if (budget <= 0 || i >= MAX_ITEMS) {
          truncated = true;
          Object.defineProperty(entries, '…', { value: `${keys.length - i} more`, enumerable: true });
          break;
        }
        const item = (v as Record<string, unknown>)[keys[i]!];
        if (item === undefined) continue;
        const key = text(keys[i]!);
        const value = copy(item, depth + 1);
        if (key === '__proto__') Object.defineProperty(entries, key, { value, enumerable: true, writable: true, configurable: true });
        else entries[key] = value;
      }
      out = entries;
    }
    ancestors.pop();
    return out;
  };
  try {
    return { value: copy(value, 0), truncated };
  } catch {
    // A getter that throws (in-process, a page object): describe instead of failing the report.
    return { value: '[unreadable]', truncated: true };
  }
}
