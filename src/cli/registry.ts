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
  {
    name: 'run',
    summary: 'run a mini-program headless against a mock host and report console, bridge calls and policy violations',
    args: '<path>',
    options: [
      { name: 'timeout', flags: '--timeout <ms>', description: 'stop the app if it is not idle after this long (default: 10000)', type: 'number', default: 10_000 },
      { name: 'grant', flags: '--grant <permissions>', description: 'consent permissions the user grants (comma-separated; default: all granted)', type: 'list', configurable: false },
      { name: 'deny', flags: '--deny <permissions>', description: 'consent permissions the user denies: their methods fail with USER_DENIED', type: 'list', configurable: false },
      { name: 'hostVersion', flags: '--host-version <version>', description: 'host version to emulate (default: the newest known); newer methods fail with METHOD_NOT_FOUND', type: 'string' },
      { name: 'dataDir', flags: '--data-dir <dir>', description: 'where app storage is kept, encrypted (default: .miniapp/data)', type: 'string', default: '.miniapp/data' },
      { name: 'hostKeyFile', flags: '--host-key-file <file>', description: 'the host key storage and tokens derive from (default: ~/.config/miniapp/host.key, created if missing)', type: 'string' },
      { name: 'network', flags: '--network <mode>', description: 'fixtures: answer from --fixtures; live: the real network; off: no network (default: fixtures)', type: 'string', choices: ['fixtures', 'live', 'off'], default: 'fixtures' },
      { name: 'fixtures', flags: '--fixtures <file>', description: 'JSON file of canned network responses and bridge answers', type: 'string' },
      { name: 'ca', flags: '--ca <file>', description: 'extra CA certificate (PEM) trusted by --network live', type: 'string' },
      { name: 'payment', flags: '--payment <outcome>', description: 'how payment.pay ends: success, cancel or fail (default: success)', type: 'string', choices: ['success', 'cancel', 'fail'], default: 'success' },
      { name: 'record', flags: '--record <file>', description: 'save every bridge call to this file', type: 'string', configurable: false },
      { name: 'replay', flags: '--replay <file>', description: 'answer bridge calls from a recording, in order, per method', type: 'string', configurable: false },
    ],
    load: () => import('../commands/run.js'),
  },
  {
    name: 'init',
    summary: 'create a mini-program project from a template',
    args: '[dir]',
    options: [
      { name: 'template', flags: '--template <name>', description: 'project template: vanilla (TypeScript) or react (TSX) (default: vanilla)', type: 'string', choices: ['vanilla', 'react'] },
      { name: 'id', flags: '--id <id>', description: 'app id, reverse-DNS (default: com.example.<directory name>)', type: 'string', configurable: false },
      { name: 'name', flags: '--name <name>', description: 'display name (default: the directory name)', type: 'string', configurable: false },
      { name: 'yes', flags: '-y, --yes', description: 'accept the defaults, never prompt', type: 'boolean', default: false, configurable: false },
      { name: 'force', flags: '--force', description: 'write into a non-empty directory, replacing files the template provides', type: 'boolean', default: false, configurable: false },
      { name: 'toolchain', flags: '--toolchain <spec>', description: 'what the new package.json depends on for miniapp (default: file: this toolchain)', type: 'string' },
    ],
    load: () => import('../commands/init.js'),
  },
  {
    name: 'build',
    summary: 'bundle a project into a deterministic, size-checked package (dist/<id>-<version>.zip)',
    args: '[dir]',
    options: [
      { name: 'mode', flags: '--mode <mode>', description: 'production (minified, maps beside the zip) or development (readable, inline maps) (default: production)', type: 'string', choices: ['production', 'development'], default: 'production' },
      { name: 'target', flags: '--target <targets>', description: 'esbuild targets, comma-separated (default: es2019,chrome80,safari13)', type: 'list', default: ['es2019', 'chrome80', 'safari13'] },
      { name: 'sourcemap', flags: '--sourcemap <kind>', description: 'external (beside the zip), inline, linked (in the package) or none (default: external in production, inline in development)', type: 'string', choices: ['external', 'inline', 'linked', 'none'] },
      { name: 'budget', flags: '--budget <size>', description: 'compressed package size limit, e.g. 2MB or 800KB (default: 2MB)', type: 'string', default: '2MB' },
      { name: 'outDir', flags: '--out-dir <dir>', description: 'where the zip goes, relative to the project (default: dist)', type: 'string', default: 'dist' },
      { name: 'checkReproducible', flags: '--check-reproducible', description: 'build twice and fail unless the packages are byte-identical', type: 'boolean', default: false },
      profile,
      newestHostVersion,
    ],
    load: () => import('../commands/build.js'),
  },
];

export const findCommand = (name: string) => commands.find((c) => c.name === name);
