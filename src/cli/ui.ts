import kleur from 'kleur';
import type { Colors, Logger } from '../commands/types.js';

export { formatDiagnostic } from '../commands/diagnostics.js';

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
