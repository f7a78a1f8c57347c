import { statSync } from 'node:fs';

// Vite's own watch mode for a build context that rebuilds on every save (the dev server): the project's
// Vite runs once with build.watch, and Rolldown's watcher re-bundles only what a save changed. The caller
// still asks for each rebuild; `settle` then waits until Vite's watcher has caught up with the files on
// disk and hands back its latest output. Nothing is written: the output is taken from the bundle in
// memory and removed from it before Rolldown would write it.

/** One output file of a Vite build, as Rollup/Rolldown describe it. */
export interface ViteChunk {
  type: 'chunk' | 'asset';
  fileName: string;
  code?: string;
  source?: string | Uint8Array;
  map?: { toString(): string } | null;
  modules?: Record<string, { renderedLength: number }>;
  moduleIds?: string[];
}

type WatchEvent = { code: 'START' | 'BUNDLE_START' | 'END' } | { code: 'BUNDLE_END'; result?: { close?(): unknown } } | { code: 'ERROR'; error: unknown; result?: { close?(): unknown } };

/** What `vite.build()` returns with build.watch: Rolldown's watcher. */
export interface ViteWatcher {
  on(event: 'event', listener: (e: WatchEvent) => void): unknown;
  on(event: 'change', listener: (id: string) => void): unknown;
  close(): Promise<void>;
}

/** The plugin that takes each build's output (after every other plugin's generateBundle). */
export interface CapturePlugin {
  name: string;
  generateBundle: { order: 'post'; handler(options: unknown, bundle: Record<string, ViteChunk>): void };
}

export type ViteWatchResult = { outputs: ViteChunk[]; warnings: string[] } | { error: unknown; warnings: string[] };

export interface ViteWatchOptions {
  /** Starts the project's Vite in watch mode with this plugin added and warnings sent to `warn`. */
  start(capture: CapturePlugin, warn: (message: string) => void): Promise<ViteWatcher>;
  /** Files Vite reads at start and its watcher does not follow (config, package.json, tsconfig, .env): a change restarts it. */
  settings: string[];
  /** How long a rebuild waits for Vite's watcher to see a save before taking it as one Vite does not read (default 300 ms). */
  graceMs?: number;
  /** How long a change may go without Vite starting a build before the watcher is restarted (default 5 s). */
  stuckMs?: number;
}

export interface ViteWatch {
  /** Vite's latest build once its watcher has caught up with the files on disk (started on the first call). */
  settle(): Promise<ViteWatchResult>;
  close(): Promise<void>;
}

const stampOf = (files: string[]) => files.map((f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0).join(',');

function capturePlugin(take: (outputs: ViteChunk[]) => void): CapturePlugin {
  return {
    name: 'miniapp:capture-output',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        take(Object.values(bundle).map((c) => ({ type: c.type, fileName: c.fileName, code: c.code, source: c.source, map: c.map, modules: c.modules, moduleIds: c.moduleIds })));
        // Taken: Rolldown then has nothing to write.
        for (const name of Object.keys(bundle)) delete bundle[name];
      },
    },
  };
}

/** Where a watch session stands; read and written by the watcher's events and by `settle`. */
interface WatchState {
  watcher: Promise<ViteWatcher | undefined> | undefined;
  /** Bumped by every (re)start and by close: events of an older watcher are ignored. */
  generation: number;
  /** The settings files' mtimes when the watcher started. */
  stamp: string;
  building: boolean;
  pendingChange: boolean;
  lastChangeAt: number;
  /** When settle last handed back a result. */
  lastReturnedAt: number;
  latest: ViteWatchResult | undefined;
  closed: boolean;
}

/** Waiters woken all at once whenever the state changes. */
function createSignal(state: WatchState) {
  let wakers: (() => void)[] = [];
  return {
    wake(): void {
      const w = wakers;
      wakers = [];
      for (const f of w) f();
    },
    /** Resolves true once `ready()` holds, false after `ms` (undefined: no limit) without it or when closed. */
    async waitFor(ready: () => boolean, ms?: number): Promise<boolean> {
      const deadline = ms === undefined ? undefined : Date.now() + ms;
      while (!ready()) {
        const left = deadline === undefined ? undefined : deadline - Date.now();
        if (state.closed || (left !== undefined && left <= 0)) return false;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wakers.push(resolve);
          if (left !== undefined) timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
      }
      return true;
    },
  };
}

/** Starts the project's Vite in watch mode, its events and output feeding `state`. */
function beginWatch(state: WatchState, options: ViteWatchOptions, wake: () => void): void {
  const mine = ++state.generation;
  const current = () => mine === state.generation;
  let outputs: ViteChunk[] = [];
  let warnings: string[] = [];
  state.stamp = stampOf(options.settings);
  state.latest = undefined;
  state.building = true;
  state.pendingChange = false;
  const onEvent = (e: WatchEvent) => {
    if (!current()) return;
    if (e.code === 'START') {
      state.building = true;
      state.pendingChange = false;
      warnings = [];
    } else if (e.code === 'BUNDLE_END') state.latest = { outputs, warnings };
    else if (e.code === 'ERROR') {
      state.latest = { error: e.error, warnings };
      state.building = false;
      void e.result?.close?.();
    } else if (e.code === 'END') state.building = false;
    wake();
  };
  const onChange = () => {
    if (!current()) return;
    state.pendingChange = true;
    state.lastChangeAt = Date.now();
    wake();
  };
  const capture = capturePlugin((taken) => current() && (outputs = taken));
  state.watcher = options
    .start(capture, (message) => current() && warnings.push(message))
    .then(
      (w) => {
        w.on('event', onEvent);
        w.on('change', onChange);
        return w;
      },
      (error: unknown) => {
        // Vite could not start (its config failed): the error is this build's result.
        if (current()) {
          state.latest = { error, warnings };
          state.building = false;
          wake();
        }
        return undefined;
      },
    );
}

export function createViteWatch(options: ViteWatchOptions): ViteWatch {
  const graceMs = options.graceMs ?? 300;
  const stuckMs = options.stuckMs ?? 5000;
  const state: WatchState = {
    watcher: undefined,
    generation: 0,
    stamp: '',
    building: false,
    pendingChange: false,
    lastChangeAt: 0,
    lastReturnedAt: 0,
    latest: undefined,
    closed: false,
  };
  const { wake, waitFor } = createSignal(state);

  async function restart(): Promise<void> {
    const old = state.watcher;
    state.watcher = undefined;
    await (await old)?.close();
    beginWatch(state, options, wake);
  }

  const idle = () => !state.building && !state.pendingChange && state.latest !== undefined;

  return {
    async settle() {
      if (!state.watcher || stampOf(options.settings) !== state.stamp) await restart();
      else if (idle()) {
        const failed = 'error' in state.latest!;
        // A change Vite saw since the last result has been built (idle: a build started after it). Else the
        // save may not have reached Vite's watcher yet; if it never does, Vite does not read that file.
        const seen = (!failed && state.lastChangeAt > state.lastReturnedAt) || (await waitFor(() => !idle(), graceMs));
        // A failed build is retried whole: the fix may be a file Vite's watcher does not know (a new module).
        if (!seen && failed) await restart();
      }
      // A change Vite saw but never started building: its watcher is stuck, so it starts again.
      if (!(await waitFor(idle, stuckMs)) && !state.building && !state.closed) await restart();
      await waitFor(idle);
      if (state.closed) throw new Error('this build context has been disposed');
      state.lastReturnedAt = Date.now();
      return state.latest!;
    },
    async close() {
      state.closed = true;
      state.generation++;
      const old = state.watcher;
      state.watcher = undefined;
      await (await old)?.close();
      wake();
    },
  };
}
