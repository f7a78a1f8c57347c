import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);

export const generalErrors = {
  // The toolchain's own crash. The bridge's INTERNAL_ERROR (src/bridge/catalog.ts) is another public list:
  // what an app sees from MiniAppBridge.call. Same name, two contracts; renaming either breaks its users.
  INTERNAL_ERROR: {
    title: 'Internal error',
    message: (a) => `miniapp hit an unexpected internal error: ${String(a.reason ?? 'unknown')}`,
    hint: () => 'This is a bug in miniapp: please report it with the command you ran and the stack trace printed above.',
  },
  USAGE_ERROR: {
    title: 'Invalid command line',
    message: (a) => String(a.reason ?? 'the command line could not be parsed'),
    hint: (a) => `Run \`miniapp ${a.command ? `${String(a.command)} ` : ''}--help\` to see the accepted arguments and flags.`,
    exitCode: 2,
  },
  CONFIG_INVALID: {
    title: 'Invalid configuration',
    message: (a) => `${String(a.source ?? 'configuration')}: ${String(a.reason)}`,
    hint: (a) => (a.suggestion ? `Did you mean ${q(a.suggestion)}?` : 'Fix or remove the value; `miniapp <command> --help` lists the options.'),
    exitCode: 2,
  },
  CONFIG_UNREADABLE: {
    title: 'Configuration file cannot be read',
    message: (a) => `${String(a.file)} cannot be read as JSON: ${String(a.reason)}`,
    hint: () => 'miniapp.config.json must be a JSON object of option names and values.',
    exitCode: 2,
  },
  PATH_NOT_FOUND: {
    title: 'Path does not exist',
    message: (a) => `${q(a.path)} does not exist`,
    hint: () => 'Check the path; relative paths are resolved from the current directory.',
  },
  FILE_UNREADABLE: {
    title: 'File cannot be read',
    message: (a) => `${q(a.path)} cannot be read: ${String(a.reason)}`,
    hint: () => 'Check that the file exists and that you have permission to read it.',
  },
  WRITE_FAILED: {
    title: 'File cannot be written',
    message: (a) => `${q(a.path)} cannot be written: ${String(a.reason)}`,
    hint: () => 'Check that the directory exists, is writable and the disk is not full; nothing was left half-written.',
  },
  INTERRUPTED: {
    title: 'Interrupted',
    message: (a) => `interrupted by ${String(a.signal ?? 'a signal')}`,
    hint: () => 'Run the command again; nothing was left half-written.',
  },
} satisfies ErrorCatalog;
