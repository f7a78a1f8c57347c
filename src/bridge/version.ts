/**
 * Compares two MAJOR.MINOR.PATCH host versions (pre-release and build parts are ignored: hosts ship
 * release versions). Dependency-free so the browser mock can embed the same rule.
 */
export function compareHostVersions(a: string, b: string): number {
  const pa = a.split(/[-+]/)[0]!.split('.').map(Number);
  const pb = b.split(/[-+]/)[0]!.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

