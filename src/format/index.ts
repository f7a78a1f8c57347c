/**
 * The package format's own rules, shared by everything that writes, reads or checks a package: entry
 * names and their path rule. No I/O and no imports, so every layer may use it (docs/package-format.md).
 */
export { explainUnsafePackagePath, collisionKey } from './paths.js';
export { FETCHING_ATTRIBUTES, FETCHING_ON_ANY_ELEMENT, NON_FETCHING_RELS, fetchedUrls, isFetchingAttribute, isSrcsetAttribute, srcsetUrls } from './fetches.js';

/** The manifest's entry name, at the root of every package. */
export const MANIFEST_ENTRY = 'manifest.json';

/**
 * The one grammar of a host version (step 9 of the install decision, every `--host-version`):
 * MAJOR.MINOR.PATCH, decimal, no leading zeros, no pre-release or build part (hosts ship releases).
 */
export const HOST_VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
