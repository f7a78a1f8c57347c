import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolchainRoot } from '../core/toolchain.js';
import { commands } from './registry.js';

export function version(): string {
  return (JSON.parse(readFileSync(join(toolchainRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function topLevelHelp(): string {
  const width = Math.max(...commands.map((c) => `${c.name} ${c.args ?? ''}`.length)) + 2;
  return [
    'Usage: miniapp <command> [options]',
    '',
    'Build, validate, sign, verify, serve and run super-app mini-programs.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${`${c.name} ${c.args ?? ''}`.padEnd(width)}${c.summary}`),
    '',
    'Options:',
    '  -V, --version  print the version',
    '  -h, --help     print this help',
    '',
    'Every command accepts --json (one JSON document on stdout), --quiet, --verbose and --no-color.',
    'Run `miniapp <command> --help` for its options.',
    'Exit status: 0 success, 1 the check or operation failed, 2 usage error, 130/143 interrupted.',
    '',
  ].join('\n');
}
