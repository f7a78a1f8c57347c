import type { Message, PartialMessage } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import type { BuildMode } from '../types.js';

// What the framework plugins share: the project's own compilers (loaded on first use, from the
// project's node_modules, so a .vue file is compiled by the same Vue version that runs it), and the files
// a compiler read that esbuild cannot see (a Tailwind content glob), for the watcher.

export interface PluginContext {
  projectDir: string;
  mode: BuildMode;
  /** Files read by a compiler or a PostCSS plugin during this build (absolute paths). */
  watch: Set<string>;
  /** PostCSS with the project's config, when it has one (the Vue plugin runs <style> blocks through it too). */
  postcss?: () => Promise<PostcssRunner>;
}

export interface PostcssRunner {
  process(css: string, file: string): Promise<{ css: string; dependencies: string[] }>;
}

/** The compiler a file needs could not be loaded from the project: a plugin error with its own code. */
export class CompilerMissing extends Error {
  constructor(
    readonly compiler: string,
    readonly install: string,
    readonly reason: string,
  ) {
    super(`${compiler} is not installed in the project`);
  }
}

/** Loads a module from the project's node_modules (never the toolchain's). */
export function requireFromProject<T>(projectDir: string, specifier: string, install: string): T {
  const req = createRequire(join(projectDir, 'package.json'));
  try {
    return req(specifier) as T;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw new CompilerMissing(specifier, install, (err as Error).message.split('\n')[0]!);
    throw err;
  }
}

/** The packages the project's package.json lists (any kind of dependency). */
export function projectDependencies(projectDir: string): Set<string> {
  const file = join(projectDir, 'package.json');
  if (!existsSync(file)) return new Set();
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
    return new Set(['dependencies', 'devDependencies', 'peerDependencies'].flatMap((k) => Object.keys(p[k] ?? {})));
  } catch {
    return new Set();
  }
}

/** True when the project's package.json lists the package (any kind of dependency). */
export const projectDepends = (projectDir: string, name: string): boolean => projectDependencies(projectDir).has(name);

/** True when the project lists the package or can load it (a workspace may hoist it above the app). */
export function projectHas(projectDir: string, name: string, dependencies = projectDependencies(projectDir)): boolean {
  if (dependencies.has(name)) return true;
  try {
    createRequire(join(projectDir, 'package.json')).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

export const projectRelative = (projectDir: string, file: string) => relative(projectDir, file).split(sep).join('/');

/** A plugin failure as an esbuild message: a missing compiler keeps its code (see fromEsbuildMessage). */
export function pluginError(err: unknown, file: string, tool: string, projectDir: string, source?: string): PartialMessage {
  const rel = projectRelative(projectDir, file);
  if (err instanceof CompilerMissing) {
    return { text: err.message, detail: { code: 'BUILD_COMPILER_MISSING', args: { file: rel, compiler: err.compiler, install: err.install, reason: err.reason } } };
  }
  type Position = { line: number; column: number };
  const e = err as { message?: string; loc?: Position | { start: Position }; start?: Position; line?: number; column?: number };
  // Vue: loc.start (1-based column); Svelte: start (0-based); PostCSS: line and column (1-based).
  const vue = e.loc && 'start' in e.loc ? { line: e.loc.start.line, column: e.loc.start.column - 1 } : e.loc;
  const postcss = e.line !== undefined ? { line: e.line, column: (e.column ?? 1) - 1 } : undefined;
  const found = vue ?? e.start ?? postcss;
  const at = found && Number.isInteger(found.line) && Number.isInteger(found.column) ? found : undefined;
  const message = String(e.message ?? err).split('\n')[0]!;
  return {
    text: `${tool}: ${message}`,
    location: at ? { file: rel, line: at.line, column: Math.max(0, at.column), lineText: source?.split('\n')[at.line - 1] ?? '' } : { file: rel },
    detail: { code: 'BUILD_PLUGIN_FAILED', args: { tool, file: rel, reason: message } },
  };
}

export type { Message };
