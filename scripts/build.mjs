// @ts-check
// Builds dist/ from src/ (generated code is committed: scripts/generate.mjs): every
// TypeScript file transpiled one to one by esbuild (no bundling, so commands stay lazily importable),
// then, with --types, declarations from tsc (which also type-checks).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { happyDomPatches } from './happy-dom-patches.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else yield full;
  }
}

async function transpile() {
  rmSync(dist, { recursive: true, force: true });
  const files = [...walk(src)];
  const entryPoints = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'));
  await esbuild.build({
    entryPoints,
    outdir: dist,
    outbase: src,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: false,
    logLevel: 'warning',
  });
  // Plain JS and assets under src/ (generated code, browser scripts) are copied as they are.
  for (const file of files) {
    if (file.endsWith('.ts')) {
      if (file.endsWith('.d.ts')) copy(file);
      continue;
    }
    copy(file);
  }
}

function copy(file) {
  const target = join(dist, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}

const dependencies = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies ?? {});

/** One ESM bundle for Node 20, with `require` defined for the CommonJS packages bundled into it. */
function bundle(options) {
  return esbuild.build({
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    banner: { js: "import { createRequire as __miniappCreateRequire } from 'node:module'; const require = __miniappCreateRequire(import.meta.url);" },
    ...options,
  });
}

/**
 * The CLI as bundles. Node 20 spends most of a short command's start-up resolving and loading ESM files:
 * code splitting cut the CLI into ~20 chunks a command loaded one by one, and one bundle of everything
 * cost ~21 ms to import. So: cli/main.js holds only what `--version` and `--help` need (the registry);
 * cli/run-command.js the process boundary (parsing, options, errors, output); and commands/<name>.js
 * each command with the core it uses. Copies of shared modules in several bundles are fine: errors are
 * recognised by a brand, and the temp-file registry lives on globalThis. Heavy libraries stay external.
 */
const cliExternal = [...dependencies.filter((d) => !['commander', 'kleur', 'semver', 'ajv'].includes(d)), 'ajv/dist/runtime/*', 'playwright-core'];
// One bundle per command the registry loads; the other files in src/commands (the command contract,
// shared rendering) are bundled into the commands that import them.
const commandEntries = Object.fromEntries(
  [...readFileSync(join(src, 'cli/registry.ts'), 'utf8').matchAll(/import\('\.\.\/commands\/([\w-]+)\.js'\)/g)].map(([, name]) => [name, join(src, 'commands', `${name}.ts`)]),
);
const commandBundles = Object.keys(commandEntries).map((name) => `../commands/${name}.js`);
const bundleCli = () =>
  Promise.all([
    // The registry's lazy command imports stay as written: ../commands/<name>.js is the command bundle.
    bundle({ entryPoints: { main: join(src, 'cli/main.ts') }, outdir: join(dist, 'cli-bundle/cli'), external: [...cliExternal, './run-command.js', ...commandBundles], logLevel: 'warning' }),
    bundle({ entryPoints: { 'run-command': join(src, 'cli/run-command.ts') }, outdir: join(dist, 'cli-bundle/cli'), external: [...cliExternal, ...commandBundles], logLevel: 'warning' }),
    bundle({ entryPoints: commandEntries, outdir: join(dist, 'cli-bundle/commands'), external: cliExternal, logLevel: 'warning' }),
  ]);

/**
 * One CommonJS bundle for Node 20 (the sandbox's files), in strict mode, with `import.meta.url` defined
 * for the code that locates the toolchain. The directive comes first: after the shim line it would not
 * be one, and the whole bundle would run in sloppy mode (where a function called without a receiver
 * gets this process's global object as `this`).
 */
const bundleCommonJs = (entry, outfile) =>
  esbuild.build({
    entryPoints: [join(src, entry)],
    outfile: join(dist, outfile),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    define: { 'import.meta.url': '__miniappImportMetaUrl' },
    plugins: [happyDomPatches],
    // No comments or layout: a sandbox reads, hashes (for the code cache) and scans every byte at each start.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    banner: { js: '"use strict";\nconst __miniappImportMetaUrl = require(\'node:url\').pathToFileURL(__filename).href;' },
  });

/**
 * The sandbox's guest side (src/runtime/guest/sandbox-entry.ts with the runtime's guest and happy-dom) as one
 * file: importing happy-dom as ~1000 ESM files costs ~300 ms per sandbox, one bundled file ~60 ms, and a
 * sandbox then reads nothing but dist/ and its own package. CommonJS, so the sandbox can compile it with
 * V8's code cache (src/sandbox/entry-loader.ts), which Node 20 offers for scripts but not for ES modules.
 */
const bundleSandboxGuest = () => bundleCommonJs('runtime/guest/sandbox-entry.ts', 'sandbox/guest.cjs');

/**
 * The sandbox's bootstrap (src/sandbox/child.ts: network lockdown, heartbeat, entry loader) as one
 * CommonJS file: a process that starts with an ES module pays for Node's ESM loader, ~15-20 ms more
 * than a CommonJS script here, and every sandbox start waits for it.
 */
const bundleSandboxChild = () => bundleCommonJs('sandbox/child.ts', 'sandbox/child.cjs');

/**
 * V8's code cache for the guest bundle, made by a process with the sandboxes' V8 flags (V8 refuses a
 * cache made under other flags) after a warm-up page ran, so it holds the functions a first page compiles.
 */
async function makeSandboxCodeCache() {
  const { DEFAULT_MEMORY_MB, sandboxHeapMb, sandboxV8Flags } = await import(join(dist, 'sandbox/index.js'));
  try {
    execFileSync(process.execPath, [...sandboxV8Flags(sandboxHeapMb(DEFAULT_MEMORY_MB)), join(root, 'scripts/make-sandbox-code-cache.mjs'), join(dist, 'sandbox/guest.cjs')], {
      stdio: ['ignore', 'inherit', 'pipe'],
    });
  } catch (/** @type {any} */ err) {
    // Only a speed-up: sandboxes compile the guest without it (~50 ms more per start).
    console.warn(
      `warning: no code cache for the sandbox guest (${String(err.stderr ?? err.message)
        .trim()
        .split('\n')
        .pop()}); sandboxes will compile it at start`,
    );
  }
}

// happy-dom is ~1,000 ES modules: loading them one by one costs ~400 ms of every headless run. One
// bundled file loads in ~120 ms; the runtime uses it when present and falls back to the package.
const bundleHappyDom = () =>
  bundle({ entryPoints: [join(root, 'node_modules/happy-dom/lib/index.js')], outfile: join(dist, 'runtime/guest/vendor/happy-dom.js'), legalComments: 'eof', plugins: [happyDomPatches] });

/** The host-grade runtime (src/host/index.ts) as one file, as a host embedding it ships it: ~40 ms less start-up. */
const bundleHost = () =>
  bundle({
    entryPoints: { bundle: join(src, 'host/index.ts') },
    outdir: join(dist, 'host'),
    // Heavy libraries stay external, loaded only by the code paths that need them.
    external: dependencies.filter((d) => !['semver', 'ajv'].includes(d)),
  });

/**
 * The bridge mock and its catalogue are served beside the dev server's browser scripts
 * (/__miniapp/bridge-mock.js): the scripts import them from src/ for their types, and the bundles load
 * them from the server.
 */
const serveBridgeMock = {
  name: 'serve-bridge-mock',
  setup(build) {
    build.onResolve({ filter: /(^|\/)bridge\/mock\/(bridge-mock|catalog-data)\.js$/ }, (args) => ({ path: `/__miniapp/${args.path.split('/').pop()}`, external: true }));
  },
};

/**
 * The dev server's browser scripts, each with the protocol's types and constants it imports: the client
 * (src/server/client/client.ts) as one classic script, since it is injected into served pages and must run
 * before the app's own scripts, in the WebViews a host supports; the simulator (simulator.ts) as one ES
 * module. They replace the one-to-one transpile of the same files.
 */
const bundleDevClient = () =>
  Promise.all([
    esbuild.build({
      entryPoints: [join(src, 'server/client/client.ts')],
      outfile: join(dist, 'server/client/client.js'),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2019', 'chrome80', 'safari13'],
      // The browser mock is served beside the client, not bundled into it.
      external: ['/__miniapp/*'],
      logLevel: 'warning',
    }),
    esbuild.build({
      entryPoints: [join(src, 'server/client/simulator.ts')],
      outfile: join(dist, 'server/client/simulator.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2020',
      plugins: [serveBridgeMock],
      logLevel: 'warning',
    }),
  ]);

await transpile();
await Promise.all([bundleCli(), bundleHappyDom(), bundleSandboxGuest(), bundleSandboxChild(), bundleHost(), bundleDevClient()]);
await makeSandboxCodeCache();
if (process.argv.includes('--types')) {
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}
