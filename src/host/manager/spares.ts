import type { Sandbox } from '../../sandbox/index.js';

export interface SparePoolOptions {
  /** How many booted sandboxes to keep ready (0: none). */
  count: number;
  /** Sandboxes the caller already started, used first. */
  initial?: readonly Sandbox[];
  /** Start a new spare when one is taken (a one-app host says false). */
  replenish: boolean;
  /** Starts one sandbox (startGuestSandbox with the host's limits). */
  start: () => Sandbox;
  /** True once the owner has closed: no new spare is started after that. */
  closed: () => boolean;
}

export interface SparePool {
  /** A booted sandbox, if one is ready; starts its replacement. */
  take(): Sandbox | undefined;
  /** The spares ready now. */
  readonly size: number;
  /** Closes every spare still waiting. */
  close(): Promise<void>;
}

/**
 * Sandboxes kept booted ahead of need, so a launch takes one that has already loaded the runtime and the
 * DOM. A spare that exits on its own (a crash while waiting) leaves the pool; it is not restarted until
 * the next take.
 */
export function createSparePool(options: SparePoolOptions): SparePool {
  const spares: Sandbox[] = [...(options.initial ?? [])];
  function fill(): void {
    while (!options.closed() && spares.length < options.count) {
      const s = options.start();
      spares.push(s);
      void s.exited.then(() => {
        const i = spares.indexOf(s);
        if (i >= 0) spares.splice(i, 1);
      });
    }
  }
  fill();
  return {
    take() {
      const s = spares.shift();
      if (options.replenish) fill();
      return s;
    },
    get size() {
      return spares.length;
    },
    async close() {
      await Promise.all(spares.splice(0).map((s) => s.close()));
    },
  };
}
