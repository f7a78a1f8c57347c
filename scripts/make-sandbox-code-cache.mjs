// @ts-check
// Makes V8's code cache for the sandbox's guest bundle (run by scripts/build.mjs with the sandboxes' V8
// flags): loads the bundle as a sandbox does, runs its warm-up page (start() with a channel nobody
// listens to), then writes the cache of everything compiled so far beside the bundle, atomically.
// Usage: node <sandbox V8 flags> scripts/make-sandbox-code-cache.mjs dist/sandbox/guest.cjs
import { renameSync, writeFileSync } from 'node:fs';
import { codeCachePath, loadCommonJsEntry } from '../dist/sandbox/entry-loader.js';

const entry = process.argv[2];
const { exports, script } = loadCommonJsEntry(entry);
await exports.start({ send: () => undefined, onMessage: () => undefined }, undefined);
const target = codeCachePath(entry);
writeFileSync(`${target}.tmp`, script.createCachedData());
renameSync(`${target}.tmp`, target);
// The warm-up page may leave timers behind; the cache is written, so stop here.
process.exit(0);
