import { diagnostic, type Diagnostic } from '../core/errors/index.js';

/** 1-based line and column of a value (or key) in the source text. */
export interface Position {
  line: number;
  column: number;
}

export interface JsonParseResult {
  /** The parsed value; undefined when the text is not valid JSON. */
  value?: unknown;
  /** JSON pointer → position of the value; `pointer + '#key'` → position of the property name. */
  positions: Map<string, Position>;
  /** Syntax, depth and duplicate-key problems, all of them. */
  diagnostics: Diagnostic[];
}

export interface JsonParseOptions {
  /** Name used in diagnostics. */
  file?: string;
  /** Deepest nesting accepted; deeper input stops the parse with MANIFEST_TOO_DEEP. */
  maxDepth?: number;
}

class StopParse extends Error {}

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A strict JSON parser that also reports where each value is and refuses duplicate keys.
 * JSON.parse keeps the last of two equal keys silently, so a reviewer and a host could read two
 * different manifests from one file; this parser makes that an error. Objects are built with
 * defineProperty, so a "__proto__" key is an ordinary own property and never a prototype.
 * @long one closure over the cursor (i, line, lineStart) whose inner functions are the grammar's rules, each short
 */
export function parseJsonWithPositions(text: string, options: JsonParseOptions = {}): JsonParseResult {
  const file = options.file;
  const maxDepth = options.maxDepth ?? 64;
  const positions = new Map<string, Position>();
  const diagnostics: Diagnostic[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const here = (): Position => ({ line, column: i - lineStart + 1 });
  const fail = (reason: string, at: Position = here()): never => {
    diagnostics.push(diagnostic('MANIFEST_SYNTAX', { reason }, { file, ...at }));
    throw new StopParse();
  };
  const describe = (ch: string | undefined) => (ch === undefined ? 'end of file' : JSON.stringify(ch));

  function skipWhitespace(): void {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) i++;
      else if (c === 0x0a) {
        i++;
        line++;
        lineStart = i;
      } else return;
    }
  }

  function parseString(): string {
    const start = here();
    i++; // opening quote
    let out = '';
    let chunk = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunk, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string (escape it, e.g. \\n)');
      if (c === 0x5c) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          fail(`invalid escape \\${e ?? ''}`);
        }
        chunk = i;
        continue;
      }
      i++;
    }
  }

  function parseNumber(): number {
    const rest = text.slice(i, i + 400);
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(rest);
    if (!m) fail(`unexpected ${describe(text[i])}`);
    i += m![0].length;
    return Number(m![0]);
  }

  function parseValue(pointer: string, depth: number): unknown {
    skipWhitespace();
    positions.set(pointer, here());
    const c = text[i];
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) {
        diagnostics.push(diagnostic('MANIFEST_TOO_DEEP', { limit: maxDepth }, { file, pointer, ...here() }));
        throw new StopParse();
      }
      return c === '{' ? parseObject(pointer, depth + 1) : parseArray(pointer, depth + 1);
    }
    if (c === '"') return parseString();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    for (const [word, value] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    return fail(`unexpected ${describe(c)}`);
  }

  function parseObject(pointer: string, depth: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    const seen = new Map<string, Position>();
    i++;
    skipWhitespace();
    if (text[i] === '}') {
      i++;
      return obj;
    }
    for (;;) {
      skipWhitespace();
      if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe(text[i])}`);
      const keyPos = here();
      const key = parseString();
      const childPointer = `${pointer}/${escapePointer(key)}`;
      const first = seen.get(key);
      if (first) {
        diagnostics.push(diagnostic('MANIFEST_DUPLICATE_KEY', { key, firstLine: first.line }, { file, pointer: childPointer, ...keyPos }));
      } else {
        seen.set(key, keyPos);
        positions.set(`${childPointer}#key`, keyPos);
      }
      skipWhitespace();
      if (text[i] !== ':') fail(`expected ":" after property name, found ${describe(text[i])}`);
      i++;
      const value = first ? parseValue(`${childPointer}#duplicate`, depth) : parseValue(childPointer, depth);
      if (!first) Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
      skipWhitespace();
      const sep = text[i];
      if (sep === ',') {
        i++;
        skipWhitespace();
        if (text[i] === '}') fail('trailing comma before "}"');
        continue;
      }
      if (sep === '}') {
        i++;
        return obj;
      }
      fail(`expected "," or "}", found ${describe(sep)}`);
    }
  }

  function parseArray(pointer: string, depth: number): unknown[] {
    const arr: unknown[] = [];
    i++;
    skipWhitespace();
    if (text[i] === ']') {
      i++;
      return arr;
    }
    for (;;) {
      arr.push(parseValue(`${pointer}/${arr.length}`, depth));
      skipWhitespace();
      const sep = text[i];
      if (sep === ',') {
        i++;
        skipWhitespace();
        if (text[i] === ']') fail('trailing comma before "]"');
        continue;
      }
      if (sep === ']') {
        i++;
        return arr;
      }
      fail(`expected "," or "]", found ${describe(sep)}`);
    }
  }

  try {
    const value = parseValue('', 0);
    skipWhitespace();
    if (i < text.length) fail(`unexpected ${describe(text[i])} after the end of the JSON value`);
    return { value, positions, diagnostics };
  } catch (err) {
    if (err instanceof StopParse) return { positions, diagnostics };
    throw err;
  }
}
