import type { Plugin } from 'esbuild';
import type { ResolvedBuildOptions } from '../types.js';
import { createPostcssRunner, findPostcssConfig, postcssPlugin } from './postcss.js';
import { projectDependencies, projectHas, type PluginContext } from './shared.js';
import { sveltePlugin } from './svelte.js';
import { vuePlugin } from './vue.js';

export interface FrameworkPlugins {
  plugins: Plugin[];
  /** Resolve conditions the frameworks need ("svelte" for Svelte component libraries). */
  conditions?: string[];
  /** Config files that change how the project builds (the PostCSS config): watched. */
  configFiles: string[];
  /** Files compilers read during the last build that esbuild does not list (Tailwind's content). */
  takeWatchFiles(): string[];
}

/**
 * The framework plugins of the default build, each only for a project that has its framework (Vue and
 * Svelte: listed in package.json or loadable from the project; PostCSS: a config). esbuild calls back
 * into JavaScript only for a file whose name matches, and each compiler loads from the project the first
 * time such a file is met; a .vue or .svelte file in a project without the framework is esbuild's "no
 * loader" error, reported as BUILD_COMPILER_MISSING (fromEsbuildMessage).
 */
export function frameworkPlugins(o: ResolvedBuildOptions): FrameworkPlugins {
  const postcssConfig = findPostcssConfig(o.projectDir);
  const ctx: PluginContext = { projectDir: o.projectDir, mode: o.mode, watch: new Set() };
  const plugins: Plugin[] = [];
  if (postcssConfig) {
    const postcss = createPostcssRunner(o.projectDir, postcssConfig);
    ctx.postcss = postcss;
    plugins.push(postcssPlugin({ ...ctx, postcss }));
  }
  const dependencies = projectDependencies(o.projectDir);
  if (projectHas(o.projectDir, 'vue', dependencies)) plugins.push(vuePlugin(ctx));
  if (projectHas(o.projectDir, 'svelte', dependencies)) plugins.push(sveltePlugin(ctx));
  return {
    plugins,
    // esbuild keeps its defaults (browser, import, default) alongside: "module" is one of them only when
    // no condition is given, so it is named again.
    conditions: dependencies.has('svelte') ? ['svelte', 'module'] : undefined,
    configFiles: postcssConfig ? [postcssConfig] : [],
    takeWatchFiles() {
      const files = [...ctx.watch];
      ctx.watch.clear();
      return files;
    },
  };
}
