/**
 * Text that came from a page or a file, made safe to print on a terminal: every control character (C0,
 * DEL, C1, so ESC, CSI, OSC, BEL...) and every bidirectional override is shown as an escape (`\x1b`,
 * `\u202e`) instead of acting on the terminal, and the text is cut to `max` characters.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (c: string) => {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
};

export function printable(text: unknown, options: { max?: number; newlines?: boolean } = {}): string {
  let s = typeof text === 'string' ? text : text === undefined ? '' : String(text);
  const max = options.max ?? 500;
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return s.replace(options.newlines ? UNSAFE_BUT_NEWLINE : UNSAFE, escapeChar);
}

/** A request target as a log line shows it: the token replaced, cut to `max` characters, escaped. */
export function redactedTarget(url: string, max = 120): string {
  return printable(url.replace(/([?&]token=)[^&#]*/gi, '$1…'), { max });
}
