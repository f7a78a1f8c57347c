import type { Plugin } from 'esbuild';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pluginError, requireFromProject, type PluginContext, type PostcssRunner } from './shared.js';

// CSS through PostCSS when the project has a PostCSS config (Tailwind, autoprefixer, nesting...): the
// config is found and loaded by postcss-load-config (the loader Vite and postcss-cli use), and PostCSS
// itself and its plugins come from the project, as the config names them.

/** The config files postcss-load-config reads, in the project folder itself (not above it). */
const CONFIG_FILES = [
  '.postcssrc',
  '.postcssrc.json',
  '.postcssrc.yaml',
  '.postcssrc.yml',
  '.postcssrc.js',
  '.postcssrc.cjs',
  '.postcssrc.mjs',
  '.postcssrc.ts',
  'postcss.config.js',
  'postcss.config.cjs',
  'postcss.config.mjs',
  'postcss.config.ts',
  'postcss.config.cts',
  'postcss.config.mts',
];

/** The project's PostCSS config file (or its package.json with a "postcss" key), if it has one. */
export function findPostcssConfig(projectDir: string): string | undefined {
  const file = CONFIG_FILES.map((f) => join(projectDir, f)).find((f) => existsSync(f));
  if (file) return file;
  const pkg = join(projectDir, 'package.json');
  try {
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { postcss?: unknown }).postcss) return pkg;
  } catch {
    // an unreadable package.json is reported by whatever needs it
  }
  return undefined;
}

type Postcss = typeof import('postcss').default;

/** Loads the project's PostCSS and config once; each call to process() runs the configured plugins. */
export function createPostcssRunner(projectDir: string, configFile: string): () => Promise<PostcssRunner> {
  let runner: Promise<PostcssRunner> | undefined;
  const start = async (): Promise<PostcssRunner> => {
    const postcss = requireFromProject<Postcss | { default: Postcss }>(projectDir, 'postcss', 'postcss');
    const run = ('default' in postcss ? postcss.default : postcss) as Postcss;
    const loadConfig = createRequire(import.meta.url)('postcss-load-config') as typeof import('postcss-load-config');
    const config = await loadConfig({ cwd: projectDir, env: process.env.NODE_ENV }, dirname(configFile));
    const processor = run(config.plugins);
    return {
      async process(css, file) {
        const result = await processor.process(css, { ...config.options, from: file, to: file, map: false });
        const dependencies = result.messages.filter((m) => m.type === 'dependency' || m.type === 'dir-dependency').map((m) => String(m.file ?? m.dir));
        return { css: result.css, dependencies };
      },
    };
  };
  return () => {
    runner ??= start();
    runner.catch(() => (runner = undefined));
    return runner;
  };
}

export function postcssPlugin(ctx: PluginContext & { postcss: () => Promise<PostcssRunner> }): Plugin {
  return {
    name: 'miniapp-postcss',
    setup(build) {
      build.onLoad({ filter: /\.css$/ }, async (args) => {
        if (args.path.includes('/node_modules/')) return undefined; // a dependency's CSS is already built
        const source = await fs.readFile(args.path, 'utf8');
        try {
          const out = await (await ctx.postcss()).process(source, args.path);
          for (const d of out.dependencies) ctx.watch.add(d);
          return { contents: out.css, loader: 'css', resolveDir: dirname(args.path), watchFiles: out.dependencies.filter((d) => !d.includes('*')) };
        } catch (err) {
          return { errors: [pluginError(err, args.path, 'postcss', ctx.projectDir, source)], watchFiles: [args.path] };
        }
      });
    },
  };
}
