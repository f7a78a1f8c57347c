import type { OnLoadResult, Plugin } from 'esbuild';
import { crypto } from '../../core/builtins.js';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pluginError, projectRelative, requireFromProject, type PluginContext } from './shared.js';

// Vue single-file components through the project's own vue/compiler-sfc (the compiler ships inside the
// `vue` package, so it always matches the runtime the app bundles): <script setup> with TypeScript, the
// template compiled inline, <style scoped> as a CSS module of its own that esbuild bundles.

type CompilerSfc = typeof import('vue/compiler-sfc');
type Descriptor = import('vue/compiler-sfc').SFCDescriptor;

const STYLE_NAMESPACE = 'miniapp-vue-style';
const STYLE_QUERY = /\?vue&type=style&index=(\d+)$/;

interface Compiled {
  source: string;
  result: OnLoadResult;
  descriptor?: Descriptor;
  id: string;
}

/** The component's JavaScript: script (and template inline, or compiled beside it), scope id, style imports. */
function compileComponent(sfc: CompilerSfc, descriptor: Descriptor, file: string, id: string, isProd: boolean): { code: string; ts: boolean } {
  const scoped = descriptor.styles.some((s) => s.scoped);
  const ts = (descriptor.scriptSetup?.lang ?? descriptor.script?.lang) === 'ts';
  const expressionPlugins = ts ? (['typescript'] as const) : undefined;
  let code = 'const _sfc_main = {};\n';
  let bindings;
  let inlined = false;
  if (descriptor.script || descriptor.scriptSetup) {
    const script = sfc.compileScript(descriptor, {
      id,
      isProd,
      genDefaultAs: '_sfc_main',
      inlineTemplate: !!descriptor.scriptSetup,
      templateOptions: { compilerOptions: { expressionPlugins: expressionPlugins && [...expressionPlugins] } },
      fs: { fileExists: existsSync, readFile: (f) => readFileSync(f, 'utf8') },
    });
    code = `${script.content}\n`;
    bindings = script.bindings;
    inlined = !!descriptor.scriptSetup;
  }
  if (descriptor.template && !inlined) {
    const template = sfc.compileTemplate({
      source: descriptor.template.content,
      filename: file,
      id,
      scoped,
      isProd,
      compilerOptions: { bindingMetadata: bindings, expressionPlugins: expressionPlugins && [...expressionPlugins] },
    });
    if (template.errors.length) throw template.errors[0];
    code += `${template.code.replace(/\bexport function render\b/, 'function _sfc_render')}\n_sfc_main.render = _sfc_render;\n`;
  }
  if (scoped) code += `_sfc_main.__scopeId = ${JSON.stringify(`data-v-${id}`)};\n`;
  descriptor.styles.forEach((_, i) => (code += `import ${JSON.stringify(`${file}?vue&type=style&index=${i}`)};\n`));
  code += 'export default _sfc_main;\n';
  return { code, ts };
}

export function vuePlugin(ctx: PluginContext): Plugin {
  let sfc: CompilerSfc | undefined;
  // esbuild runs plugins again on every rebuild: an unchanged component is not compiled again.
  const cache = new Map<string, Compiled>();
  const isProd = ctx.mode === 'production';
  return {
    name: 'miniapp-vue',
    setup(build) {
      // The flags Vue's bundler build reads (as @vitejs/plugin-vue sets them).
      build.initialOptions.define = { __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false', ...build.initialOptions.define };
      build.onLoad({ filter: /\.vue$/ }, async (args) => {
        const source = await fs.readFile(args.path, 'utf8');
        const hit = cache.get(args.path);
        if (hit?.source === source) return hit.result;
        const rel = projectRelative(ctx.projectDir, args.path);
        const id = crypto().createHash('sha256').update(rel).digest('hex').slice(0, 8);
        try {
          sfc ??= requireFromProject<CompilerSfc>(ctx.projectDir, 'vue/compiler-sfc', 'vue');
          const { descriptor, errors } = sfc.parse(source, { filename: args.path, sourceMap: false });
          if (errors.length) throw errors[0];
          const { code, ts } = compileComponent(sfc, descriptor, args.path, id, isProd);
          const result: OnLoadResult = { contents: code, loader: ts ? 'ts' : 'js', resolveDir: dirname(args.path) };
          cache.set(args.path, { source, result, descriptor, id });
          return result;
        } catch (err) {
          cache.delete(args.path);
          return { errors: [pluginError(err, args.path, 'vue', ctx.projectDir, source)], watchFiles: [args.path] };
        }
      });
      build.onResolve({ filter: STYLE_QUERY }, (args) => ({ path: args.path, namespace: STYLE_NAMESPACE }));
      build.onLoad({ filter: /.*/, namespace: STYLE_NAMESPACE }, async (args) => {
        const file = args.path.replace(STYLE_QUERY, '');
        const index = Number(STYLE_QUERY.exec(args.path)![1]);
        const entry = cache.get(file);
        const style = entry?.descriptor?.styles[index];
        if (!entry || !style) return { contents: '', loader: 'css' };
        const postcss = ctx.postcss ? await ctx.postcss().catch(() => undefined) : undefined;
        const compiled = await sfc!.compileStyleAsync({ source: style.content, filename: file, id: `data-v-${entry.id}`, scoped: style.scoped, isProd, preprocessLang: style.lang as never });
        if (compiled.errors.length) return { errors: [pluginError(compiled.errors[0], file, 'vue', ctx.projectDir, entry.source)] };
        let css = compiled.code;
        if (postcss) {
          const out = await postcss.process(css, file);
          css = out.css;
          for (const d of out.dependencies) ctx.watch.add(d);
        }
        return { contents: css, loader: 'css', resolveDir: dirname(file) };
      });
    },
  };
}
