// Blanks out what a program never fetches, keeping every offset: comments (licence banners included) in
// JavaScript and CSS, and in HTML its comments and the href of <a>/<area> (navigation, which the host may
// open outside the app). The URL lint reads what is left.

import { attr, scanTags } from './html.js';

const blank = (s: string) => s.replace(/[^\n]/g, ' ');

/** Characters after which a "/" starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const KEYWORDS_BEFORE_REGEX = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/** JavaScript (or CSS, which has block comments and strings only) with its comments turned into spaces. */
export function blankComments(code: string, css = false): string {
  // Comment ranges are collected in one pass over the code; the result is assembled once at the end.
  const comments: [number, number][] = [];
  let i = 0;
  let last = ''; // the last significant character of code, to tell a regex from a division
  const templates: number[] = []; // brace depth at each open template literal's ${
  let depth = 0;
  const n = code.length;
  const skipString = (quote: string) => {
    let j = i + 1;
    while (j < n && code[j] !== quote && code[j] !== '\n') j += code[j] === '\\' ? 2 : 1;
    return Math.min(j + 1, n);
  };
  const skipTemplate = (from: number): number => {
    let j = from;
    while (j < n && code[j] !== '`') {
      if (code[j] === '\\') j += 2;
      else if (code[j] === '$' && code[j + 1] === '{') {
        templates.push(depth);
        depth++;
        return j + 2;
      } else j++;
    }
    return Math.min(j + 1, n);
  };
  const skipRegex = (): number => {
    let j = i + 1;
    let inClass = false;
    while (j < n && code[j] !== '\n' && (inClass || code[j] !== '/')) {
      if (code[j] === '\\') j++;
      else if (code[j] === '[') inClass = true;
      else if (code[j] === ']') inClass = false;
      j++;
    }
    return Math.min(j + 1, n);
  };
  while (i < n) {
    const c = code[i]!;
    if (c === '/' && (code[i + 1] === '*' || (!css && code[i + 1] === '/'))) {
      const end = code[i + 1] === '*' ? code.indexOf('*/', i + 2) : code.indexOf('\n', i);
      const stop = end < 0 ? n : code[i + 1] === '*' ? end + 2 : end;
      comments.push([i, stop]);
      i = stop;
      continue;
    }
    let next = i + 1;
    if (c === '"' || c === "'") next = skipString(c);
    else if (!css && c === '`') next = skipTemplate(i + 1);
    else if (!css && c === '{') depth++;
    else if (!css && c === '}') {
      depth--;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        next = skipTemplate(i + 1);
      }
    } else if (!css && c === '/' && (BEFORE_REGEX.has(last) || KEYWORDS_BEFORE_REGEX.test(code.slice(Math.max(0, i - 12), i).trimEnd()))) next = skipRegex();
    if (c !== ' ' && c !== '\n' && c !== '\t' && c !== '\r') last = next > i + 1 || /[\w$)\]]/.test(c) ? 'x' : c;
    i = next;
  }
  if (comments.length === 0) return code;
  let out = '';
  let at = 0;
  for (const [a, b] of comments) {
    out += code.slice(at, a) + blank(code.slice(a, b));
    at = b;
  }
  return out + code.slice(at);
}

/** The HTML with comments, navigation links and comments inside inline scripts and styles blanked. */
export function blankHtmlNonFetching(html: string): string {
  let out = html.replace(/<!--[\s\S]*?(?:-->|$)/g, blank);
  for (const tag of scanTags(out)) {
    const href = (tag.name === 'a' || tag.name === 'area') && attr(tag, 'href');
    if (href && href.valueStart !== undefined) out = out.slice(0, href.valueStart) + blank(out.slice(href.valueStart, href.valueEnd)) + out.slice(href.valueEnd);
    if (tag.name === 'script' || tag.name === 'style') {
      const close = out.indexOf(`</${tag.name}`, tag.end);
      const end = close < 0 ? out.length : close;
      out = out.slice(0, tag.end) + blankComments(out.slice(tag.end, end), tag.name === 'style') + out.slice(end);
    }
  }
  return out;
}
