/**
 * Limits the strict reader enforces from the central directory, before inflating anything. They bound
 * what a hostile package can make a reader allocate; hosts should apply the same defaults.
 */
export interface PackageLimits {
  /** Largest package file, in bytes. */
  maxPackageBytes: number;
  /** Most entries (files) in a package. */
  maxEntries: number;
  /** Largest uncompressed entry, in bytes. */
  maxEntryBytes: number;
  /** Largest sum of uncompressed entry sizes, in bytes. */
  maxTotalBytes: number;
  /** Highest uncompressed/compressed ratio of one entry... */
  maxCompressionRatio: number;
  /** ...applied to entries larger than this many uncompressed bytes (small entries are bounded by size anyway). */
  ratioCheckFromBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_PACKAGE_LIMITS: Readonly<PackageLimits> = Object.freeze({
  maxPackageBytes: 128 * MiB,
  maxEntries: 10_000,
  maxEntryBytes: 64 * MiB,
  maxTotalBytes: 256 * MiB,
  maxCompressionRatio: 100,
  ratioCheckFromBytes: 64 * 1024,
});

export function resolveLimits(partial: Partial<PackageLimits> = {}): PackageLimits {
  const limits = { ...DEFAULT_PACKAGE_LIMITS };
  for (const [key, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    if (!(key in limits) || typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TypeError(`package limit ${key} must be a non-negative number`);
    }
    (limits as Record<string, number>)[key] = value;
  }
  return limits;
}
