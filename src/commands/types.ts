import type { Diagnostic } from '../core/errors/index.js';
import type { OptionSpec } from '../core/options.js';

/** Where logs and progress go: always stderr, so stdout holds only the result. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /** A step of long work ("bundling…", "verified 40/100"). */
  progress(message: string): void;
}

/** Colour functions; identity functions when colour is off (NO_COLOR, --no-color, --json, non-TTY). */
export interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

/** What a command shell gets besides its arguments and options. */
export interface CommandContext {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** True only when stdin is a TTY and CI is not set: nothing may prompt otherwise. */
  interactive: boolean;
  /** --json was given: the result is printed as one JSON document. */
  json: boolean;
  logger: Logger;
  colors: Colors;
  /** Aborted on SIGINT/SIGTERM; long-running commands close when it fires. */
  signal: AbortSignal;
  /** The toolchain's own install directory (where package.json is). */
  toolchainRoot: string;
  stdin: NodeJS.ReadStream;
}

/** What every command returns: data first, rendered for humans or printed as JSON by the CLI. */
export interface CommandResult<T = unknown> {
  ok: boolean;
  result?: T;
  errors?: Diagnostic[];
  warnings?: Diagnostic[];
}

export interface CommandModule {
  run(args: string[], options: Record<string, unknown>, ctx: CommandContext): Promise<CommandResult>;
  /** Human view of the result (stdout). Diagnostics are printed by the CLI, after it. */
  render?(outcome: CommandResult, ctx: CommandContext): string;
}

/** A command as the registry knows it: enough to parse and print help without loading it. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Commander argument syntax: "<path>", "[dir]", "<packages...>". */
  args?: string;
  options: OptionSpec[];
  load: () => Promise<CommandModule>;
}
