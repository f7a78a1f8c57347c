import { inspect } from 'node:util';
import type { ConsoleLevel, GuestMessage } from '../channel.js';

/** The page's console arguments as one line of text (at most 10,000 characters). */
export function formatArgs(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 3, breakLength: Infinity, maxStringLength: 2000 })))
    .join(' ')
    .slice(0, 10_000);
}

/** An error (or whatever was thrown) as plain text; never throws, whatever the page threw. */
export const describe = (reason: unknown): { message: string; stack?: string } => {
  try {
    if (reason && typeof reason === 'object' && 'message' in reason) {
      const r = reason as { message: unknown; stack?: unknown; name?: unknown };
      return { message: `${typeof r.name === 'string' ? `${r.name}: ` : ''}${String(r.message)}`, stack: typeof r.stack === 'string' ? r.stack : undefined };
    }
    return { message: formatArgs([reason]) };
  } catch {
    return { message: 'an unprintable value' };
  }
};

/** The page's console: every line goes to the host as a console message. */
export function guestConsole(send: (m: GuestMessage) => void): Console {
  const consoleTo =
    (level: ConsoleLevel) =>
    (...args: unknown[]) =>
      send({ type: 'console', level, text: formatArgs(args) });
  const methods = {
    log: consoleTo('log'),
    info: consoleTo('info'),
    warn: consoleTo('warn'),
    error: consoleTo('error'),
    debug: consoleTo('debug'),
    trace: consoleTo('debug'),
    dir: consoleTo('log'),
    table: consoleTo('log'),
    group: consoleTo('log'),
    groupCollapsed: consoleTo('log'),
    groupEnd: () => undefined,
    time: () => undefined,
    timeEnd: () => undefined,
    timeLog: () => undefined,
    count: () => undefined,
    countReset: () => undefined,
    assert: (ok: unknown, ...args: unknown[]) => (ok ? undefined : consoleTo('error')('Assertion failed:', ...args)),
    clear: () => undefined,
  };
  return methods as unknown as Console;
}
