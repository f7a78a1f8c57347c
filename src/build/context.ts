import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { createEsbuildBuild } from './esbuild-build.js';
import { DEFAULT_TARGET, type BuildContext, type BuildContextOptions, type ResolvedBuildOptions } from './types.js';
import { createViteBuild } from './vite.js';

/** The config file names Vite itself looks for, in its order. */
export const VITE_CONFIG_FILES = ['vite.config.js', 'vite.config.mjs', 'vite.config.ts', 'vite.config.cjs', 'vite.config.mts', 'vite.config.cts'];

/** The project's vite.config.*, if it has one. */
export function findViteConfig(projectDir: string): string | undefined {
  return VITE_CONFIG_FILES.map((f) => join(projectDir, f)).find((f) => existsSync(f));
}

function resolveOptions(options: BuildContextOptions): ResolvedBuildOptions {
  let projectDir: string;
  try {
    projectDir = realpathSync(resolve(options.projectDir));
  } catch (err) {
    throw new MiniappError('PATH_NOT_FOUND', { path: options.projectDir }, { cause: err });
  }
  const mode = options.mode ?? 'production';
  const sourcemap = options.sourcemap ?? (mode === 'development' ? 'inline' : 'external');
  return { ...options, projectDir, mode, sourcemap, target: [...(options.target ?? DEFAULT_TARGET)] };
}

/**
 * Creates an incremental build of one mini-program project. Each rebuild re-reads manifest.json and the
 * entry HTML, bundles (esbuild by default; the project's own Vite when it has a vite.config.*), adds
 * public/, and runs the shared package checks and the manifest-code lint. User errors come back in
 * BuildOutput.errors, never thrown.
 */
export function createBuildContext(options: BuildContextOptions): BuildContext {
  const o = resolveOptions(options);
  const viteConfig = o.bundler === 'esbuild' ? undefined : findViteConfig(o.projectDir);
  const inner = o.bundler === 'vite' || viteConfig ? createViteBuild(o, viteConfig, options.sourcemap !== undefined) : createEsbuildBuild(o);
  // Rebuilds run one at a time: a dev server may ask again while a build is still running.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    rebuild() {
      const next = queue.then(inner.rebuild, inner.rebuild);
      queue = next.catch(() => undefined);
      return next;
    },
    cancel: () => inner.cancel(),
    async dispose() {
      await queue;
      await inner.dispose();
    },
  };
}
