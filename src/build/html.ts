/**
 * A small, careful scanner for the tags a build rewrites in the entry HTML: <script> and <link>.
 * It understands comments, quoted and unquoted attribute values, and raw-text elements (a "<script"
 * inside an inline script or a <textarea> is not a tag). It is not a full HTML parser: it finds tags
 * and the exact offsets of their attribute values, so a rewrite changes only those bytes.
 */

export interface HtmlAttribute {
  /** Lowercased attribute name. */
  name: string;
  /** Decoded value; "" for a boolean attribute. */
  value: string;
  /** Offsets of the raw value in the source (inside the quotes), or undefined for a boolean attribute. */
  valueStart?: number;
  valueEnd?: number;
}

export interface HtmlTag {
  /** Lowercased tag name. */
  name: string;
  /** Offset of "<" and just after ">". */
  start: number;
  end: number;
  attributes: HtmlAttribute[];
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext']);
const SPACE = /[\t\n\f\r ]/;

const ENTITIES: Record<string, string> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>' };
function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const cp = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** Every start tag in the document, in order. */
export function scanTags(html: string): HtmlTag[] {
  const tags: HtmlTag[] = [];
  let i = 0;
  const n = html.length;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? n : close + 3;
      continue;
    }
    const next = html[lt + 1] ?? '';
    if (next === '!' || next === '?' || next === '/') {
      const close = html.indexOf('>', lt + 2);
      i = close < 0 ? n : close + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(next)) {
      i = lt + 1;
      continue;
    }
    const tag = readTag(html, lt);
    tags.push(tag);
    i = tag.end;
    if (RAW_TEXT.has(tag.name)) {
      // Skip to the matching end tag: its content is text, not markup.
      const closing = new RegExp(`</${tag.name}[\\t\\n\\f\\r />]`, 'ig');
      closing.lastIndex = i;
      const m = closing.exec(html);
      i = m ? m.index : n;
    }
  }
  return tags;
}

function readTag(html: string, start: number): HtmlTag {
  const n = html.length;
  let i = start + 1;
  while (i < n && !SPACE.test(html[i]!) && html[i] !== '>' && html[i] !== '/') i++;
  const name = html.slice(start + 1, i).toLowerCase();
  const attributes: HtmlAttribute[] = [];
  while (i < n) {
    while (i < n && (SPACE.test(html[i]!) || html[i] === '/')) i++;
    if (i >= n || html[i] === '>') break;
    const nameStart = i;
    // An attribute name may start with "=" per the HTML spec; it never contains space, "/", ">" or a later "=".
    i++;
    while (i < n && !SPACE.test(html[i]!) && html[i] !== '/' && html[i] !== '>' && html[i] !== '=') i++;
    const attrName = html.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < n && SPACE.test(html[j]!)) j++;
    if (html[j] !== '=') {
      attributes.push({ name: attrName, value: '' });
      continue;
    }
    j++;
    while (j < n && SPACE.test(html[j]!)) j++;
    const quote = html[j];
    let valueStart: number;
    let valueEnd: number;
    if (quote === '"' || quote === "'") {
      valueStart = j + 1;
      const close = html.indexOf(quote, valueStart);
      valueEnd = close < 0 ? n : close;
      i = close < 0 ? n : close + 1;
    } else {
      valueStart = j;
      while (j < n && !SPACE.test(html[j]!) && html[j] !== '>') j++;
      valueEnd = j;
      i = j;
    }
    attributes.push({ name: attrName, value: decodeEntities(html.slice(valueStart, valueEnd)), valueStart, valueEnd });
  }
  return { name, start, end: Math.min(i + 1, n), attributes };
}

export const attr = (tag: HtmlTag, name: string): HtmlAttribute | undefined => tag.attributes.find((a) => a.name === name);

export interface HtmlEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits (in any order) to the source. */
export function applyEdits(html: string, edits: HtmlEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of sorted) {
    out += html.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + html.slice(at);
}

/** Escapes a value for a double-quoted attribute. */
export const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** True for a URL the build must leave alone: a scheme (https:, data:), protocol-relative, or a fragment. */
export const isExternalUrl = (url: string) => /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i.test(url.trim());

/** What kind of script a <script> tag is: an ES module, a classic script, or data/templates the build ignores. */
export function scriptKind(tag: HtmlTag): 'module' | 'classic' | 'other' {
  const type = attr(tag, 'type')?.value.trim().toLowerCase();
  if (type === undefined || type === '' || /^(?:text|application)\/(?:x-)?(?:javascript|ecmascript)$/.test(type)) return 'classic';
  if (type === 'module') return 'module';
  return 'other';
}

export const isStylesheetLink = (tag: HtmlTag) =>
  (
    attr(tag, 'rel')
      ?.value.toLowerCase()
      .split(/[\t\n\f\r ]+/) ?? []
  ).includes('stylesheet');
