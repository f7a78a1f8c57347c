/**
 * Runs rebuilds one at a time and coalesces bursts: changes that arrive within `debounceMs` of each
 * other start one rebuild; changes that arrive while a rebuild runs start exactly one more when it ends,
 * and only the result of the last rebuild is reported (an intermediate one saw half-saved files).
 */
export interface RebuildRequest {
  changed: string[];
  reason: 'change' | 'manual';
}

export interface Rebuilder<T> {
  /** A file changed (or "manual" for an explicit reload). */
  schedule(changed: string | undefined, reason?: RebuildRequest['reason']): void;
  /** Rebuilds now (after any running rebuild) and resolves with that result. */
  run(reason?: RebuildRequest['reason']): Promise<T>;
  /** Resolves when no rebuild is running or pending. */
  idle(): Promise<void>;
  /** A rebuild is running now. */
  busy(): boolean;
  stop(): void;
}

export function createRebuilder<T>(options: {
  debounceMs: number;
  build: (request: RebuildRequest) => Promise<T>;
  onStart?: (request: RebuildRequest) => void;
  onDone: (result: T, request: RebuildRequest) => void;
  onFailure: (error: unknown) => void;
}): Rebuilder<T> {
  let pending: { changed: Set<string>; reason: RebuildRequest['reason'] } | undefined;
  /** The pending start: a timer, or (debounceMs 0) the next turn of the event loop. */
  let timer: { cancel(): void } | undefined;
  const arm = () => {
    if (options.debounceMs > 0) {
      const t = setTimeout(kick, options.debounceMs);
      timer = { cancel: () => clearTimeout(t) };
    } else {
      const t = setImmediate(kick);
      timer = { cancel: () => clearImmediate(t) };
    }
  };
  let running: Promise<void> | undefined;
  let stopped = false;
  let waiters: ((result: T) => void)[] = [];

  const take = (): RebuildRequest => {
    const p = pending ?? { changed: new Set<string>(), reason: 'manual' as const };
    pending = undefined;
    return { changed: [...p.changed].sort(), reason: p.reason };
  };

  const loop = async (): Promise<void> => {
    while (pending && !stopped) {
      const request = take();
      const mine = waiters;
      waiters = [];
      options.onStart?.(request);
      let result: T;
      try {
        result = await options.build(request);
      } catch (err) {
        options.onFailure(err);
        continue;
      }
      if (stopped) return;
      // Superseded while building: build again before telling anyone (the waiters get the newer result).
      if (pending && !timer) {
        waiters.unshift(...mine);
        for (const f of request.changed) pending.changed.add(f);
        if (request.reason === 'manual') pending.reason = 'manual';
        continue;
      }
      options.onDone(result, request);
      for (const w of mine) w(result);
    }
  };

  const kick = () => {
    timer = undefined;
    if (stopped || running) return;
    running = loop().finally(() => {
      running = undefined;
      if (pending && !timer && !stopped) kick();
    });
  };

  const add = (changed: string | undefined, reason: RebuildRequest['reason']) => {
    pending ??= { changed: new Set(), reason };
    if (changed) pending.changed.add(changed);
    if (reason === 'manual') pending.reason = 'manual';
  };

  return {
    schedule(changed, reason = 'change') {
      if (stopped) return;
      add(changed, reason);
      if (running) return; // picked up when the running rebuild ends
      timer?.cancel();
      arm();
    },
    run(reason = 'manual') {
      if (stopped) return Promise.reject(new Error('the dev server is closed'));
      add(undefined, reason);
      const done = new Promise<T>((resolve) => waiters.push(resolve));
      timer?.cancel();
      timer = undefined;
      kick();
      return done;
    },
    async idle() {
      while (running || timer) {
        if (running) await running;
        else await new Promise((r) => setTimeout(r, options.debounceMs + 1));
      }
    },
    busy: () => running !== undefined,
    stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
    },
  };
}
