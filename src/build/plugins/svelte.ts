import type { OnLoadResult, PartialMessage, Plugin } from 'esbuild';
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { loadEsbuild } from '../session.js';
import { pluginError, projectRelative, requireFromProject, type PluginContext } from './shared.js';

// Svelte components (and .svelte.js/.svelte.ts rune modules) through the project's own svelte/compiler:
// the compiled code imports the svelte runtime of the same version from the project. Component CSS is
// emitted as a CSS module of its own, so it lands in the bundle's stylesheet.

type SvelteCompiler = typeof import('svelte/compiler');

const CSS_NAMESPACE = 'miniapp-svelte-css';

export function sveltePlugin(ctx: PluginContext): Plugin {
  let compiler: SvelteCompiler | undefined;
  const cache = new Map<string, { source: string; result: OnLoadResult; css?: string }>();
  const dev = ctx.mode === 'development';
  const load = () => (compiler ??= requireFromProject<SvelteCompiler>(ctx.projectDir, 'svelte/compiler', 'svelte'));
  const warningsOf = (list: { message: string; start?: { line: number; column: number } }[], file: string, source: string): PartialMessage[] =>
    list.map((w) => ({
      text: `svelte: ${w.message}`,
      location: w.start ? { file: projectRelative(ctx.projectDir, file), line: w.start.line, column: w.start.column, lineText: source.split('\n')[w.start.line - 1] ?? '' } : undefined,
    }));

  return {
    name: 'miniapp-svelte',
    setup(build) {
      build.onLoad({ filter: /\.svelte$/ }, async (args) => {
        const source = await fs.readFile(args.path, 'utf8');
        const hit = cache.get(args.path);
        if (hit?.source === source) return hit.result;
        try {
          const r = load().compile(source, { filename: args.path, generate: 'client', css: 'external', dev });
          let contents = r.js.code;
          if (r.css?.code) contents += `\nimport ${JSON.stringify(`${args.path}?svelte&type=style`)};\n`;
          const result: OnLoadResult = { contents, loader: 'js', resolveDir: dirname(args.path), warnings: warningsOf(r.warnings, args.path, source) };
          cache.set(args.path, { source, result, css: r.css?.code });
          return result;
        } catch (err) {
          cache.delete(args.path);
          return { errors: [pluginError(err, args.path, 'svelte', ctx.projectDir, source)], watchFiles: [args.path] };
        }
      });
      build.onLoad({ filter: /\.svelte\.[jt]s$/ }, async (args) => {
        const source = await fs.readFile(args.path, 'utf8');
        try {
          const js = args.path.endsWith('.ts') ? (await loadEsbuild().transform(source, { loader: 'ts' })).code : source;
          const r = load().compileModule(js, { filename: args.path, generate: 'client', dev });
          return { contents: r.js.code, loader: 'js', resolveDir: dirname(args.path), warnings: warningsOf(r.warnings, args.path, source) };
        } catch (err) {
          return { errors: [pluginError(err, args.path, 'svelte', ctx.projectDir, source)], watchFiles: [args.path] };
        }
      });
      build.onResolve({ filter: /\?svelte&type=style$/ }, (args) => ({ path: args.path, namespace: CSS_NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: CSS_NAMESPACE }, async (args) => {
        const file = args.path.replace(/\?svelte&type=style$/, '');
        let css = cache.get(file)?.css ?? '';
        if (ctx.postcss && css) {
          const out = await (await ctx.postcss()).process(css, file);
          css = out.css;
          for (const d of out.dependencies) ctx.watch.add(d);
        }
        return { contents: css, loader: 'css', resolveDir: dirname(file) };
      });
    },
  };
}
