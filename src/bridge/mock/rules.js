// The bridge rules the host and the browser mock share, stated once. Plain JavaScript with no Node APIs,
// so browsers load it as it is (beside bridge-mock.js); src/bridge/version.ts and the host's params check
// import it from here.

/** Params larger than this (as JSON) are refused before validation: bridge calls carry data, not files. */
export const MAX_PARAMS_BYTES = 1024 * 1024;

/**
 * Compares two MAJOR.MINOR.PATCH host versions (pre-release and build parts are ignored: hosts ship
 * release versions). Returns -1, 0 or 1.
 */
export function compareHostVersions(a, b) {
  const pa = a.split(/[-+]/)[0].split('.').map(Number);
  const pb = b.split(/[-+]/)[0].split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] || 0) - (pb[i] || 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
