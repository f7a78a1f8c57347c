import type { OptionSpec } from '../core/options.js';
import type { CommandSpec } from './types.js';

/**
 * Every command, registered in one place. Modules load only when their command runs, so
 * `miniapp --version` and `--help` load no heavy library (esbuild, node-forge, archiver, ws...).
 */

const profile: OptionSpec = {
  name: 'profile',
  flags: '--profile <name>',
  description: 'rule set: dev allows loopback domains, release forbids what a store reviewer rejects (default: dev)',
  type: 'string',
  choices: ['dev', 'release'],
  default: 'dev',
};
const newestHostVersion: OptionSpec = {
  name: 'newestHostVersion',
  flags: '--newest-host-version <version>',
  description: 'newest host version to accept in minHostVersion (default: the newest this toolchain knows)',
  type: 'string',
};

export const commands: CommandSpec[] = [
  {
    name: 'validate',
    summary: 'check a manifest, project directory or package against the manifest contract',
    args: '<path>',
    options: [
      profile,
      newestHostVersion,
      { name: 'strict', flags: '--strict', description: 'fail on warnings too', type: 'boolean', default: false },
    ],
    load: () => import('../commands/validate.js'),
  },
  {
    name: 'serve',
    summary: 'dev server: build, watch and live-reload the app, with a browser simulator and the bridge inspector',
    args: '[dir]',
    options: [
      { name: 'port', flags: '--port <number>', description: 'port to listen on; 0 picks a free one (default: 8080)', type: 'number', default: 8080 },
      { name: 'host', flags: '--host <address>', description: 'interface to bind; 0.0.0.0 serves devices on the LAN and prints a QR code (default: 127.0.0.1)', type: 'string', default: '127.0.0.1' },
      { name: 'inspect', flags: '--inspect', description: 'stream every bridge call to the terminal', type: 'boolean', default: false },
      profile,
      newestHostVersion,
    ],
    load: () => import('../commands/serve.js'),
  },
];

export const findCommand = (name: string) => commands.find((c) => c.name === name);
