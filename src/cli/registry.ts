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
