import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';
import type { SandboxChannel } from './protocol.js';

/** What a sandbox entry exports. */
export interface SandboxEntryModule {
  start(channel: SandboxChannel, init: unknown): unknown;
}

/** Where the build keeps V8's code cache for a CommonJS entry bundle (dist/sandbox/guest.cjs → guest.code-cache). */
export const codeCachePath = (entry: string) => entry.replace(/\.cjs$/, '.code-cache');

/**
 * Loads a CommonJS entry bundle (the guest: happy-dom and the runtime, 2.7 MB of code) with the V8 code
 * cache the build made for it, when V8 accepts it: same Node, same V8 flags, same source; otherwise V8
 * compiles as usual. The cache was made after a warm-up page ran, so it also holds the functions the
 * first page compiles: about 50-60 ms less of every sandbox's boot (docs/runtime-security.md).
 * Node 20 has no compile cache of its own for modules (module.enableCompileCache is Node 22).
 */
export function loadCommonJsEntry(entry: string): { exports: SandboxEntryModule; script: Script; cacheRejected: boolean | undefined } {
  const source = readFileSync(entry, 'utf8');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCachePath(entry));
  } catch {
    // No cache (a development build, or a file system that lost it): compile.
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: entry, cachedData });
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as SandboxEntryModule };
  wrapper.call(module.exports, module.exports, createRequire(entry), module, entry, dirname(entry));
  return { exports: module.exports, script, cacheRejected: cachedData ? script.cachedDataRejected : undefined };
}
