import type { Diagnostic } from '../core/errors/index.js';
import type { Manifest } from '../manifest/types.js';

export type BuildMode = 'production' | 'development';

/**
 * Where source maps go. "external": beside the package, not in it (production default, for crash
 * symbolication); "inline": inside each bundle (development default); "linked": .map files inside the
 * package with a sourceMappingURL comment; "none": no maps.
 */
export type SourcemapMode = 'external' | 'inline' | 'linked' | 'none';

export const DEFAULT_TARGET = ['es2019', 'chrome80', 'safari13'] as const;

export interface BuildContextOptions {
  /** The mini-program project: manifest.json, the entry HTML, src/, public/. */
  projectDir: string;
  /** "production" (default) minifies; "development" keeps names readable and inlines source maps. */
  mode?: BuildMode;
  /** esbuild targets (default es2019, chrome80, safari13: the WebViews the host supports). */
  target?: readonly string[];
  /** Default: "external" in production, "inline" in development. */
  sourcemap?: SourcemapMode;
  /** Manifest rule set used to check manifest.json before bundling (default "dev"). */
  profile?: 'dev' | 'release';
  newestHostVersion?: string;
  /** Run the manifest-code consistency lint (default true). */
  lint?: boolean;
  /** Extra esbuild `define` entries (the dev server may inject flags). */
  define?: Record<string, string>;
  /**
   * Package a web app manifest (PWA) found at public/manifest.json as site.webmanifest and point the
   * HTML's <link rel="manifest"> at it. Without it, such a file is a BUILD_WEB_MANIFEST_COLLISION error.
   */
  renameWebManifest?: boolean;
  /**
   * "auto" (default): the project's own Vite when it has a vite.config.*, esbuild otherwise. "esbuild" or
   * "vite" force one.
   */
  bundler?: 'auto' | 'esbuild' | 'vite';
  /**
   * How esbuild hands back the bundles: "memory" (default) over its pipe, or "disk": it writes them into
   * a private folder in the project (.miniapp-out-*.tmp, removed on dispose) and they are read back,
   * which is faster for a one-shot build of a big app. The package is byte-identical either way; external
   * source maps then stay on disk (BuildOutput.sourcemapFiles) until dispose.
   */
  bundleOutputs?: 'memory' | 'disk';
  /**
   * The caller rebuilds on every save (a dev server): a Vite project keeps Vite's own watcher running
   * between rebuilds (build.watch), so a save re-bundles only what it changed; close it with dispose().
   * esbuild's contexts are incremental either way.
   */
  watch?: boolean;
}

/** The options once defaults are applied and the project directory is resolved (real path). */
export interface ResolvedBuildOptions extends BuildContextOptions {
  projectDir: string;
  mode: BuildMode;
  sourcemap: SourcemapMode;
  target: string[];
}

/** A problem found while building: a diagnostic with, for source errors, the code frame to print. */
export interface BuildDiagnostic extends Diagnostic {
  /** The offending source line with a caret under the column, ready to print. */
  frame?: string;
}

/** One input module's weight in the bundles (from esbuild's metafile). */
export interface ModuleSize {
  /** Project-relative path of the input module. */
  path: string;
  /** Bytes it contributes to the output, after minification. */
  bytes: number;
}

export interface BuildOutput {
  ok: boolean;
  /** The checked manifest (undefined when manifest.json itself has errors). */
  manifest?: Manifest;
  /**
   * Exactly the files the package will contain, keyed by package path (forward slashes), manifest.json
   * included. Empty when ok is false.
   */
  files: Map<string, Uint8Array>;
  /** Source maps that do not go into the package (sourcemap "external"), keyed by the bundle's package path + ".map". */
  sourcemaps: Map<string, Uint8Array>;
  /**
   * With bundleOutputs "disk", the external source maps instead: left where esbuild wrote them (package
   * path + ".map" → absolute path), readable until the context is disposed.
   */
  sourcemapFiles?: Map<string, string>;
  errors: BuildDiagnostic[];
  warnings: BuildDiagnostic[];
  /** esbuild's metafile(s) merged: inputs and outputs of this build (outputs keyed by package path). */
  metafile?: { inputs: Record<string, unknown>; outputs: Record<string, unknown> };
  /** Input modules by their weight in the output, largest first. */
  modules: ModuleSize[];
  /** Absolute paths of every file this build read (sources, HTML, manifest, public/): what a watcher should watch. */
  watchFiles: string[];
  /** Wall time of this rebuild in milliseconds. */
  durationMs: number;
}

/** An incremental build of one project: the dev server, tests and `buildPackage` all drive it. */
export interface BuildContext {
  /**
   * Builds again from the files on disk; only changed modules are re-parsed. Problems in the project come
   * back in BuildOutput.errors; only invalid options (an unknown target) throw, as MiniappError.
   * Overlapping calls run one after the other.
   */
  rebuild(): Promise<BuildOutput>;
  /** Ends a running rebuild as soon as esbuild can (a dev server shutting down does not wait for it). */
  cancel(): Promise<void>;
  /** Releases esbuild's service. Safe to call twice. */
  dispose(): Promise<void>;
}
