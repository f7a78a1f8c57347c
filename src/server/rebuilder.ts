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

export interface RebuilderOptions<T> {
  debounceMs: number;
  build: (request: RebuildRequest) => Promise<T>;
  onStart?: (request: RebuildRequest) => void;
  onDone: (result: T, request: RebuildRequest) => void;
  onFailure: (error: unknown) => void;
}

/** The changes not yet built, merged: every path once, and `manual` wins over `change`. */
export interface PendingChanges {
  changed: Set<string>;
  reason: RebuildRequest['reason'];
}

/** Adds one change (or a manual request) to what is pending; returns what is pending now. */
export function mergeChange(pending: PendingChanges | undefined, changed: string | undefined, reason: RebuildRequest['reason']): PendingChanges {
  const p = pending ?? { changed: new Set<string>(), reason };
  if (changed) p.changed.add(changed);
  if (reason === 'manual') p.reason = 'manual';
  return p;
}

/** The request for one rebuild: the pending paths, sorted (a manual request with nothing changed when none is pending). */
export function requestOf(pending: PendingChanges | undefined): RebuildRequest {
  const p = pending ?? { changed: new Set<string>(), reason: 'manual' as const };
  return { changed: [...p.changed].sort(), reason: p.reason };
}

/** What the rebuild loop, its timer and the handle share. */
interface RebuildState<T> {
  pending: PendingChanges | undefined;
  /** The pending start: a timer, or (debounceMs 0) the next turn of the event loop. */
  timer: { cancel(): void } | undefined;
  running: Promise<void> | undefined;
  stopped: boolean;
  /** run()'s callers, told the result of the next rebuild that is not superseded. */
  waiters: ((result: T) => void)[];
}

function arm<T>(state: RebuildState<T>, options: RebuilderOptions<T>): void {
  state.timer?.cancel();
  if (options.debounceMs > 0) {
    const t = setTimeout(() => kick(state, options), options.debounceMs);
    state.timer = { cancel: () => clearTimeout(t) };
  } else {
    const t = setImmediate(() => kick(state, options));
    state.timer = { cancel: () => clearImmediate(t) };
  }
}

/** Builds while changes are pending; a result superseded by changes during its build is not reported. */
async function buildLoop<T>(state: RebuildState<T>, options: RebuilderOptions<T>): Promise<void> {
  while (state.pending && !state.stopped) {
    const request = requestOf(state.pending);
    state.pending = undefined;
    const mine = state.waiters;
    state.waiters = [];
    options.onStart?.(request);
    let result: T;
    try {
      result = await options.build(request);
    } catch (err) {
      options.onFailure(err);
      continue;
    }
    if (state.stopped) return;
    // Superseded while building: build again before telling anyone (the waiters get the newer result).
    if (state.pending && !state.timer) {
      state.waiters.unshift(...mine);
      for (const f of request.changed) state.pending = mergeChange(state.pending, f, 'change');
      state.pending = mergeChange(state.pending, undefined, request.reason);
      continue;
    }
    options.onDone(result, request);
    for (const w of mine) w(result);
  }
}

/** Starts the loop unless it runs (it then picks up what is pending when its build ends). */
function kick<T>(state: RebuildState<T>, options: RebuilderOptions<T>): void {
  state.timer = undefined;
  if (state.stopped || state.running) return;
  state.running = buildLoop(state, options).finally(() => {
    state.running = undefined;
    if (state.pending && !state.timer && !state.stopped) kick(state, options);
  });
}

export function createRebuilder<T>(options: RebuilderOptions<T>): Rebuilder<T> {
  const state: RebuildState<T> = { pending: undefined, timer: undefined, running: undefined, stopped: false, waiters: [] };
  return {
    schedule(changed, reason = 'change') {
      if (state.stopped) return;
      state.pending = mergeChange(state.pending, changed, reason);
      if (state.running) return; // picked up when the running rebuild ends
      arm(state, options);
    },
    run(reason = 'manual') {
      if (state.stopped) return Promise.reject(new Error('the dev server is closed'));
      state.pending = mergeChange(state.pending, undefined, reason);
      const done = new Promise<T>((resolve) => state.waiters.push(resolve));
      state.timer?.cancel();
      kick(state, options);
      return done;
    },
    async idle() {
      while (state.running || state.timer) {
        if (state.running) await state.running;
        else await new Promise((r) => setTimeout(r, options.debounceMs + 1));
      }
    },
    busy: () => state.running !== undefined,
    stop() {
      state.stopped = true;
      state.timer?.cancel();
      state.timer = undefined;
    },
  };
}
