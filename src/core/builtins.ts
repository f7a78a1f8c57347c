import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Node built-ins that only some code paths of a command need, loaded on first use. A bundled command
 * imports every built-in its bundle mentions before it runs a line, and node:zlib and node:crypto cost
 * ~2 ms each to load here: `miniapp validate manifest.json` carries the package reader and the build
 * core (for .zip and directory targets) but must not pay for them. `require` caches, so later calls are
 * a lookup.
 */
export const zlib = (): typeof import('node:zlib') => require('node:zlib') as typeof import('node:zlib');
export const crypto = (): typeof import('node:crypto') => require('node:crypto') as typeof import('node:crypto');
