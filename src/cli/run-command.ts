import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { diagnostic, isMiniappError, MiniappError, type Diagnostic } from '../core/errors/index.js';
import { pendingTempFiles } from '../core/fs/atomic.js';
import { resolveOptions } from '../core/options.js';
import { toolchainRoot } from '../core/toolchain.js';
import { version, topLevelHelp } from './help.js';
import { commands, findCommand } from './registry.js';
import type { CommandContext, CommandModule, CommandResult, CommandSpec } from '../commands/types.js';
import { colorEnabled, createColors, createLogger, formatDiagnostic } from './ui.js';

interface Invocation {
  spec: CommandSpec;
  args: string[];
  flags: Record<string, unknown>;
  global: { json: boolean; quiet: boolean; verbose: boolean; noColor: boolean; config?: string };
}

/** Commander is loaded only here, after the fast paths, and only to parse. */
async function parse(argv: string[], onUsageError: (message: string, command?: string) => void, onText: (text: Record<string, string>) => void): Promise<Invocation | undefined> {
  const { Command, CommanderError, Option } = await import('commander');
  let invocation: Invocation | undefined;
  let errText = '';
  let outText = '';
  const program = new Command('miniapp')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (outText += s), writeErr: (s) => (errText += s) })
    .showSuggestionAfterError(true);
  for (const spec of commands) {
    const cmd = program.command(spec.name).description(spec.summary).exitOverride();
    if (spec.args) for (const a of spec.args.split(' ')) cmd.argument(a);
    for (const o of spec.options) {
      const opt = new Option(o.flags, o.description);
      if (o.choices) opt.choices(o.choices as string[]);
      if (o.type === 'list') opt.argParser((v: string, prev: string[] | undefined) => [...(prev ?? []), ...v.split(',').filter(Boolean)]);
      cmd.addOption(opt);
    }
    cmd
      .option('--json', 'print one JSON document on stdout')
      .option('-q, --quiet', 'print only errors')
      .option('--verbose', 'print debug logs on stderr')
      .option('--no-color', 'disable colours')
      .option('--config <file>', 'read options from this file instead of ./miniapp.config.json')
      .action((...actionArgs: unknown[]) => {
        const self = actionArgs[actionArgs.length - 1] as InstanceType<typeof Command>;
        const opts = self.opts();
        const flags: Record<string, unknown> = {};
        for (const o of spec.options) if (self.getOptionValueSource(o.name) === 'cli') flags[o.name] = opts[o.name];
        invocation = {
          spec,
          args: (actionArgs.slice(0, -2).flat() as unknown[]).filter((a): a is string => typeof a === 'string'),
          flags,
          global: { json: !!opts.json, quiet: !!opts.quiet, verbose: !!opts.verbose, noColor: opts.color === false, config: opts.config as string | undefined },
        };
      });
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help') {
        // The top level answers as `miniapp --help` does (help.ts); a command with commander's help.
        onText({ help: argv.some((a) => findCommand(a)) ? outText : topLevelHelp() });
        return undefined;
      }
      if (err.code === 'commander.version') {
        onText({ version: outText.trim() });
        return undefined;
      }
      onUsageError(
        errText.trim().replace(/^error: /, '') || err.message,
        argv.find((a) => findCommand(a)),
      );
      return undefined;
    }
    throw err;
  }
  if (!invocation) {
    // "miniapp" with global flags only.
    onText({ help: topLevelHelp() });
  }
  return invocation;
}

function readConfig(cwd: string, explicit?: string): { config?: unknown; file?: string } {
  const file = explicit ? resolve(cwd, explicit) : join(cwd, 'miniapp.config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new MiniappError('CONFIG_UNREADABLE', { file, reason: (err as Error).message }, { cause: err });
  }
  try {
    return { config: JSON.parse(text) as unknown, file };
  } catch (err) {
    throw new MiniappError('CONFIG_UNREADABLE', { file, reason: (err as Error).message }, { cause: err });
  }
}

/** The resolved options for --verbose; anything that may hold a secret is shown as set, never printed. */
function describeOptions(options: Record<string, unknown>): string {
  const shown = Object.entries(options)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${/key|pass|secret|token/i.test(k) ? '(set)' : JSON.stringify(v)}`);
  return shown.length ? shown.join(' ') : '(defaults)';
}

/**
 * The one --json document, for every exit (results, refusals, thrown and usage errors, help, version):
 * `{ok, command, result, errors, warnings}`, described by schema/cli-envelope.schema.json.
 */
export interface Envelope {
  ok: boolean;
  command: string;
  result: unknown;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

function printJson(doc: Envelope): void {
  process.stdout.write(`${JSON.stringify({ ok: doc.ok, command: doc.command, result: doc.result ?? null, errors: doc.errors, warnings: doc.warnings }, null, 2)}\n`);
}

/**
 * SIGINT/SIGTERM: abort the command (long-running ones close on the signal), remove half-written temp
 * files, set the exit status (130/143), and leave after a moment whatever the command still does.
 */
function interruptHandler(controller: AbortController) {
  return (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    controller.abort(new MiniappError('INTERRUPTED', { signal }));
    // Temp files, and the folder a build's bundler writes into.
    for (const temp of pendingTempFiles) {
      try {
        rmSync(temp, { recursive: true, force: true });
      } catch {
        /* already gone */
      }
    }
    // Long-running commands close on the abort signal; give them a moment, then leave regardless.
    setTimeout(() => process.exit(code), 1500).unref();
    process.exitCode = code;
  };
}

/** A thrown error, coded (its message and hint) or internal (INTERNAL_ERROR, and its stack on stderr). */
function reportError(err: unknown, argv: string[], commandName: string, wantsJson: boolean): number {
  const internal = !isMiniappError(err);
  const e = internal ? new MiniappError('INTERNAL_ERROR', { reason: (err as Error)?.message ?? String(err) }, { cause: err }) : err;
  const errors: Diagnostic[] = e.diagnostics.length ? e.diagnostics : [e.toDiagnostic()];
  if (internal) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  if (wantsJson) printJson({ ok: false, command: commandName, result: null, errors, warnings: [] });
  else {
    const colors = createColors(colorEnabled({ json: false, noColor: argv.includes('--no-color'), env: process.env, isTTY: !!process.stderr.isTTY }));
    for (const d of errors) process.stderr.write(`${formatDiagnostic(d, colors)}\n`);
  }
  return e.exitCode;
}

/** What the command gets besides its arguments and options: cwd, env, logger, colours, the abort signal. */
function commandContext(global: Invocation['global'], signal: AbortSignal): CommandContext {
  const colors = createColors(colorEnabled({ json: global.json, noColor: global.noColor, env: process.env, isTTY: !!process.stdout.isTTY }));
  return {
    cwd: process.cwd(),
    env: process.env,
    interactive: !!process.stdin.isTTY && !process.env.CI,
    json: global.json,
    logger: createLogger({ quiet: global.quiet, verbose: global.verbose, colors, write: (s) => process.stderr.write(s) }),
    colors,
    signal,
    toolchainRoot: toolchainRoot(),
    stdin: process.stdin,
  };
}

/** The result on stdout: the --json envelope, or the command's human view followed by its diagnostics. */
function printOutcome(spec: CommandSpec, mod: CommandModule, outcome: CommandResult, ctx: CommandContext, quiet: boolean): void {
  if (ctx.json) {
    printJson({ ok: outcome.ok, command: spec.name, result: outcome.result, errors: outcome.errors ?? [], warnings: outcome.warnings ?? [] });
    return;
  }
  const lines: string[] = [];
  const text = quiet && outcome.ok ? '' : (mod.render?.(outcome, ctx) ?? '');
  if (text) lines.push(text.replace(/\n$/, ''));
  for (const d of outcome.errors ?? []) lines.push(formatDiagnostic(d, ctx.colors));
  if (!quiet) for (const d of outcome.warnings ?? []) lines.push(formatDiagnostic(d, ctx.colors));
  if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
}

/** Parse errors (exit 2) and the --help / --version text, each as text or inside the --json envelope. */
function parseReporters(wantsJson: boolean, commandName: { current: string }) {
  return {
    onUsageError: (message: string, command?: string) => {
      commandName.current = command ?? commandName.current;
      const d = diagnostic('USAGE_ERROR', { reason: message, command });
      if (wantsJson) printJson({ ok: false, command: commandName.current, result: null, errors: [d], warnings: [] });
      else process.stderr.write(`error: ${message}\n${d.hint}\n`);
      process.exitCode = 2;
    },
    onText: (text: Record<string, string>) => {
      if (wantsJson) printJson({ ok: true, command: commandName.current, result: text, errors: [], warnings: [] });
      else process.stdout.write(text.help ?? `${text.version}\n`);
    },
  };
}

/** The process boundary: parse, run one command, print, set the exit status. Nothing else exits. */
export async function runCommand(argv: string[]): Promise<void> {
  const wantsJson = argv.includes('--json');
  const controller = new AbortController();
  const onSignal = interruptHandler(controller);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const commandName = { current: argv.find((a) => findCommand(a)) ?? 'miniapp' };
  try {
    const { onUsageError, onText } = parseReporters(wantsJson, commandName);
    const invocation = await parse(argv, onUsageError, onText);
    if (!invocation) return;
    const { spec, args, flags, global } = invocation;
    commandName.current = spec.name;
    const ctx = commandContext(global, controller.signal);
    const { config, file } = readConfig(ctx.cwd, global.config);
    const allSpecs = Object.fromEntries(commands.map((c) => [c.name, c.options]));
    const options = resolveOptions({ command: spec.name, specs: spec.options, allSpecs, config, configFile: file, env: process.env, flags });
    const started = performance.now();
    ctx.logger.debug(`${spec.name}: config ${file ?? '(none)'}; options ${describeOptions(options)}`);
    const mod: CommandModule = await spec.load();
    const outcome: CommandResult = await mod.run(args, options, ctx);
    ctx.logger.debug(`${spec.name}: ${outcome.ok ? 'ok' : 'failed'} in ${Math.round(performance.now() - started)} ms`);
    printOutcome(spec, mod, outcome, ctx, global.quiet);
    if (!controller.signal.aborted) process.exitCode = outcome.ok ? 0 : 1;
  } catch (err) {
    const exitCode = reportError(err, argv, commandName.current, wantsJson);
    process.exitCode = controller.signal.aborted ? process.exitCode : exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  // Interrupted: the command has stopped and said so; leave now rather than wait for work it abandoned
  // (a key still being generated on the thread pool). stdout and stderr are synchronous for pipes and files.
  if (controller.signal.aborted) process.exit(process.exitCode);
}
