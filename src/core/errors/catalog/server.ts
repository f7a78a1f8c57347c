import type { ErrorCatalog } from '../types.js';

export const serverErrors = {
  SERVER_PORT_IN_USE: {
    title: 'Port already in use',
    message: (a) => `Cannot listen on ${String(a.host)}:${String(a.port)}: another process is using the port`,
    hint: (a) => `Stop the other server, or pick another port (\`--port ${Number(a.port) + 1}\`, or \`--port 0\` for any free port).`,
  },
  SERVER_LISTEN_FAILED: {
    title: 'Dev server cannot listen',
    message: (a) => `Cannot listen on ${String(a.host)}:${String(a.port)}: ${String(a.reason)}`,
    hint: () => 'Check --host (an address of this machine, such as 127.0.0.1 or 0.0.0.0) and --port (0-65535; below 1024 needs privileges).',
  },
  SERVER_INVALID_PORT: {
    title: 'Invalid port',
    message: (a) => `--port must be an integer from 0 to 65535, found ${JSON.stringify(a.port)}`,
    hint: () => 'Use --port 8080 (the default), or --port 0 for any free port.',
    exitCode: 2,
  },
  SERVER_PROJECT_NOT_FOUND: {
    title: 'Project folder not found',
    message: (a) => `${JSON.stringify(a.path)} is not a folder`,
    hint: () => 'Run `miniapp serve` in a mini-program project (the folder with manifest.json), or pass its path: `miniapp serve ./my-app`.',
  },
} satisfies ErrorCatalog;
