import { topLevelHelp, version } from './help.js';

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
  const { runCommand } = await import('./run-command.js');
  await runCommand(argv);
}
