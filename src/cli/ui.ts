import kleur from 'kleur';
import type { Diagnostic } from '../core/errors/index.js';
import type { Colors, Logger } from './types.js';

/** The one place colour is decided: off for NO_COLOR, --no-color, --json and a non-TTY stream. */
export function createColors(enabled: boolean): Colors {
  kleur.enabled = enabled;
  const wrap = (fn: (s: string) => string) => (s: string) => (enabled ? fn(s) : s);
  return {
    red: wrap(kleur.red),
    yellow: wrap(kleur.yellow),
    green: wrap(kleur.green),
    cyan: wrap(kleur.cyan),
    dim: wrap(kleur.dim),
    bold: wrap(kleur.bold),
  };
}

export function colorEnabled(opts: { json: boolean; noColor: boolean; env: Readonly<Record<string, string | undefined>>; isTTY: boolean }): boolean {
  if (opts.json || opts.noColor) return false;
  if (opts.env.NO_COLOR !== undefined && opts.env.NO_COLOR !== '') return false;
  if (opts.env.FORCE_COLOR !== undefined && opts.env.FORCE_COLOR !== '0') return true;
  if (opts.env.TERM === 'dumb') return false;
  return opts.isTTY;
}

export function createLogger(opts: { quiet: boolean; verbose: boolean; colors: Colors; write: (s: string) => void }): Logger {
  const { quiet, verbose, colors, write } = opts;
  return {
    info: (m) => {
      if (!quiet) write(`${m}\n`);
    },
    warn: (m) => write(`${colors.yellow('warning')} ${m}\n`),
    debug: (m) => {
      if (verbose) write(`${colors.dim(m)}\n`);
    },
    progress: (m) => {
      if (!quiet) write(`${colors.dim(m)}\n`);
    },
  };
}

/** `file:line:column severity CODE message (hint: ...)`, one line per problem, like a compiler. */
export function formatDiagnostic(d: Diagnostic, colors: Colors): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''} ` : '';
  const sev = d.severity === 'error' ? colors.red('error') : colors.yellow('warning');
  const hint = d.hint ? colors.dim(` (hint: ${d.hint})`) : '';
  const frame = d.frame ? `\n${colors.dim(d.frame)}` : '';
  return `${where}${sev} ${colors.bold(d.code)} ${d.message}${hint}${frame}`;
}
