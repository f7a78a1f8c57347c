/**
 * The package format's own rules, shared by everything that writes, reads or checks a package: entry
 * names and their path rule. No I/O and no imports, so every layer may use it (docs/package-format.md).
 */
export { explainUnsafePackagePath, collisionKey } from './paths.js';

/** The manifest's entry name, at the root of every package. */
export const MANIFEST_ENTRY = 'manifest.json';
