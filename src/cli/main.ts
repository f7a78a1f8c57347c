import { topLevelHelp, version } from './help.js';
import { findCommand } from './registry.js';

/**
 * The CLI entry. `--version` and `--help` answer from the registry alone, so they load nothing else;
 * every other invocation loads the process boundary (parsing, options, errors, output) and runs it.
 */
export async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${version()}\n`);
    return;
  }
  if (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]!))) {
    process.stdout.write(topLevelHelp());
    return;
  }
  // The command's own bundle loads while the process boundary does (its file reads overlap); the
  // boundary imports it again after parsing and gets the same module. A failure surfaces there.
  findCommand(argv[0]!)
    ?.load()
    .catch(() => undefined);
  const { runCommand } = await import('./run-command.js');
  await runCommand(argv);
}
