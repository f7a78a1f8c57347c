import type { Diagnostic } from '../core/errors/index.js';
import type { OptionSpec, OptionsOf } from '../core/options.js';

export type { OptionSpec, OptionsOf, OptionValue } from '../core/options.js';

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

/** A command's module; `Options` is `OptionsOf<typeof xOptions>` (options.ts) for a registered command. */
export interface CommandModule<Options = Readonly<Record<string, unknown>>> {
  // A property, not a method: its parameters are checked strictly (a method's are bivariant), so a module
  // whose run expects options its specs do not give does not compile in the registry.
  run: (args: string[], options: Options, ctx: CommandContext) => Promise<CommandResult>;
  /** Human view of the result (stdout). Diagnostics are printed by the CLI, after it. */
  render?(outcome: CommandResult, ctx: CommandContext): string;
}

/** A command as the registry knows it: enough to parse and print help without loading it. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Commander argument syntax: "<path>", "[dir]", "<packages...>". */
  args?: string;
  options: readonly OptionSpec[];
  load: () => Promise<CommandModule>;
}

/** A registry entry before its options' types are forgotten: its module's run takes `OptionsOf<Specs>`. */
export interface TypedCommandSpec<Specs extends readonly OptionSpec[]> extends Omit<CommandSpec, 'options' | 'load'> {
  options: Specs;
  load: () => Promise<CommandModule<OptionsOf<Specs>>>;
}

/**
 * Checks one registry entry (the module's run takes exactly the options its specs resolve to), then
 * forgets the options' types so every entry fits one list. The CLI hands each module
 * `resolveOptions({ specs: spec.options })`, which is `OptionsOf<Specs>` by resolveOptions' own type.
 */
export const defineCommand = <const Specs extends readonly OptionSpec[]>(spec: TypedCommandSpec<Specs>): CommandSpec => spec as unknown as CommandSpec;
