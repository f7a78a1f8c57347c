import type { Manifest } from '../manifest/types.js';

/** The good build being served. */
export interface ServedBuild {
  manifest: Manifest;
  files: ReadonlyMap<string, Uint8Array>;
  hash: string;
}

/**
 * Earlier builds' assets stay served while they belong to one of the last RETAINED_BUILDS builds or were
 * replaced less than RETAINED_MS ago (in a burst of saves many builds can be served while one page goes
 * from its HTML to its scripts), within RETAINED_BYTES in all.
 */
export const RETAINED_BUILDS = 8;
export const RETAINED_MS = 30_000;
export const RETAINED_BYTES = 16 * 1024 * 1024;

export interface ServedBuilds {
  current(): ServedBuild | undefined;
  /** Makes `build` the one served; the previous builds' hashed assets stay reachable (see file()). */
  serve(build: ServedBuild): void;
  /**
   * A file of the current build or, for a content-hashed asset (`assets/…`) that it no longer has, of a
   * recent build (see RETAINED_BUILDS): a page that loaded the HTML of build N while build N+1 replaced it
   * still gets N's scripts (then learns the new hash on connect, and reloads) instead of a 404 and a blank page.
   */
  file(path: string): Uint8Array | undefined;
  /** Bytes held for earlier builds (tests and the bench watch it stay bounded). */
  retainedBytes(): number;
}

export function createServedBuilds(clock: () => number = Date.now): ServedBuilds {
  let served: ServedBuild | undefined;
  let generation = 0;
  const retained = new Map<string, { data: Uint8Array; generation: number; at: number }>();
  let bytes = 0;

  const drop = (path: string) => {
    const r = retained.get(path);
    if (!r) return;
    bytes -= r.data.length;
    retained.delete(path);
  };

  const evict = () => {
    // Map order is insertion order: the oldest retained files come first.
    const now = clock();
    for (const [path, r] of retained) {
      const recent = r.generation > generation - RETAINED_BUILDS || now - r.at < RETAINED_MS;
      if (recent && bytes <= RETAINED_BYTES) break;
      drop(path);
    }
  };

  return {
    current: () => served,
    serve(build) {
      const previous = served;
      served = build;
      generation++;
      if (previous) {
        const at = clock();
        for (const [path, data] of previous.files) {
          if (!path.startsWith('assets/') || build.files.has(path)) continue;
          drop(path);
          retained.set(path, { data, generation, at });
          bytes += data.length;
        }
      }
      for (const path of build.files.keys()) drop(path);
      evict();
    },
    file(path) {
      return served?.files.get(path) ?? retained.get(path)?.data;
    },
    retainedBytes: () => bytes,
  };
}
