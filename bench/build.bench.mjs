// @ts-check
// Benchmark: `miniapp build` (whole process: bundle, HTML rewrite, lint, zip, summary, atomic write)
// against a plain esbuild JS-API bundle of the same entries with the same options, in the same run.
// Goal: within 1.25x. Also measures the packaging step alone with the toolchain's own deterministic
// writer and with archiver (the design's original choice), fed the same buffers.
// Then a Vue app of 300 single-file components (script setup + TypeScript, scoped styles): `miniapp build`
// (esbuild with the project's vue/compiler-sfc) against `vite build` with @vitejs/plugin-vue of the same
// app (goal: faster, packaging included), and `miniapp build` on the same app as a Vite project (its own
// vite.config: the Vite path) against `vite build` alone (goal: <= 1.15x). BENCH_PART=esbuild|vue runs one part.
// Run: npm run build && node bench/build.bench.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'miniapp.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const MODULES = 1500;
const ASSETS = 50;

function pseudoWords(seed, n) {
  const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike'];
  let s = seed;
  return Array.from({ length: n }, () => words[(s = (s * 1103515245 + 12345) % 2147483648) % words.length]).join(' ');
}

/** ~1.6 KB of TypeScript that imports two earlier modules and cannot be tree-shaken away. */
function moduleSource(i) {
  const deps = i === 0 ? [] : [...new Set([i - 1, Math.floor(i / 2)])];
  const imports = deps.map((d) => `import { compute${d}, Model${d} } from './m${d}';`).join('\n');
  const calls = deps.map((d) => `total += compute${d}(input + ${d % 7}); total += new Model${d}('${d}').weight();`).join('\n  ');
  return `${imports}
export interface Options${i} { label: string; factor: number; tags: string[]; }
const LABELS_${i}: Record<string, string> = { a: '${pseudoWords(i, 6)}', b: '${pseudoWords(i + 1, 6)}', c: '${pseudoWords(i + 2, 6)}' };
export class Model${i} {
  private readonly created = ${i};
  constructor(private readonly name: string, private readonly options: Options${i} = { label: 'm${i}', factor: ${(i % 13) + 1}, tags: ['x${i}', 'y${i}'] }) {}
  weight(): number {
    let w = this.created % 17;
    for (const tag of this.options.tags) w += tag.length * this.options.factor;
    return w + this.name.length + (LABELS_${i}[this.options.label.slice(0, 1)] ?? '').length;
  }
  describe(): string {
    return \`\${this.name}:\${this.options.label}:\${this.options.tags.join(',')}:\${this.weight()}\`;
  }
}
export function compute${i}(input: number): number {
  let total = input * ${(i % 5) + 1};
  ${calls}
  const values = [${Array.from({ length: 12 }, (_, k) => (i * 31 + k * 17) % 1000).join(', ')}];
  for (const v of values) total = (total + v * ${(i % 3) + 1}) % 1000003;
  if (total % 97 === ${i % 97}) console.debug('m${i}', LABELS_${i}.a, new Model${i}('probe').describe());
  return total;
}
`;
}

function generateApp() {
  const dir = mkdtempSync(join(tmpdir(), 'miniapp-bench-'));
  const put = (name, content) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  };
  put('manifest.json', JSON.stringify({ id: 'com.example.bench', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage'], allowedDomains: [] }, null, 2));
  put(
    'index.html',
    '<!doctype html>\n<html><head><meta charset="utf-8"><link rel="stylesheet" href="./src/styles.css"></head>\n<body><div id="app"></div><script type="module" src="./src/main.ts"></script></body></html>\n',
  );
  for (let i = 0; i < MODULES; i++) put(`src/m${i}.ts`, moduleSource(i));
  put(
    'src/main.ts',
    `import { compute${MODULES - 1} } from './m${MODULES - 1}';\nimport './extra.css';\nconst out = compute${MODULES - 1}(1);\n(window as any).MiniAppBridge.call('storage.set', { key: 'r', value: String(out) });\n`,
  );
  let css = '';
  for (let i = 0; i < ASSETS; i++) {
    put(`src/assets/img-${i}.png`, randomBytes(6000 + i * 40));
    css += `.icon-${i} { background-image: url('./assets/img-${i}.png'); width: ${16 + (i % 5) * 8}px; height: 16px; }\n`;
  }
  for (let i = 0; i < 300; i++) css += `.c${i} { margin: ${i % 9}px ${i % 4}px; color: #${((i * 99991) % 0xffffff).toString(16).padStart(6, '0')}; }\n`;
  put('src/styles.css', css);
  put('src/extra.css', 'body { font-family: system-ui; }\n');
  return dir;
}

// The plain-esbuild baseline: the same entries, the same options as the build core, written to disk.
const baselineScript = (dir, out) => `
const esbuild = require(${JSON.stringify(join(root, 'node_modules', 'esbuild'))});
esbuild.build({
  absWorkingDir: ${JSON.stringify(dir)},
  entryPoints: ['src/main.ts', 'src/styles.css'],
  bundle: true, write: true, metafile: true, outdir: ${JSON.stringify(out)},
  entryNames: 'assets/[name]-[hash]', chunkNames: 'assets/chunk-[hash]', assetNames: 'assets/[name]-[hash]',
  minify: true, target: ['es2019', 'chrome80', 'safari13'], supported: { destructuring: true }, platform: 'browser',
  sourcemap: 'external', format: 'esm', splitting: true, logLevel: 'silent',
  loader: { '.png': 'file' }, define: { 'process.env.NODE_ENV': '"production"' },
}).catch((e) => { console.error(e); process.exit(1); });
`;

function time(cmd, args, options = {}) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function packagingSideBySide(dir) {
  const { createBuildContext } = await import(join(root, 'dist', 'build', 'index.js'));
  const { createZip } = await import(join(root, 'dist', 'package', 'writer.js'));
  const ctx = createBuildContext({ projectDir: dir });
  const output = await ctx.rebuild();
  await ctx.dispose();
  if (!output.ok) throw new Error(JSON.stringify(output.errors));
  const entries = [...output.files].map(([name, data]) => ({ name, data }));
  const { ZipArchive } = await import('archiver');
  const viaArchiver = () =>
    new Promise((resolve, reject) => {
      const archive = new ZipArchive({ zlib: { level: 6 } });
      const chunks = [];
      archive.on('data', (c) => chunks.push(c));
      archive.on('end', () => resolve(Buffer.concat(chunks)));
      archive.on('error', reject);
      // Same policy as the own writer: already-compressed formats (the PNGs here) are stored.
      for (const e of [...entries].sort((a, b) => (a.name < b.name ? -1 : 1)))
        archive.append(Buffer.from(e.data), { name: e.name, date: new Date(Date.UTC(1980, 0, 1)), mode: 0o644, store: /\.png$/.test(e.name) });
      archive.finalize();
    });
  const own = [];
  const arch = [];
  let ownSize = 0;
  let archSize = 0;
  let archDeterministic = true;
  let previous;
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    ownSize = (await createZip(entries)).bytes.length;
    own.push(performance.now() - t);
    t = performance.now();
    const a = await viaArchiver();
    arch.push(performance.now() - t);
    archSize = a.length;
    if (previous && !previous.equals(a)) archDeterministic = false;
    previous = a;
  }
  return { files: entries.length, raw: entries.reduce((n, e) => n + e.data.length, 0), own: median(own), ownSize, archiver: median(arch), archSize, archDeterministic };
}

const SFCS = 300;

/** One component: typed props, a ref, a computed, a list, two child components, a scoped style. */
function sfcSource(i) {
  const kids = [2 * i + 1, 2 * i + 2].filter((k) => k < SFCS);
  return `<script setup lang="ts">
import { computed, ref } from 'vue';
${kids.map((k) => `import C${k} from './C${k}.vue';`).join('\n')}
const props = defineProps<{ label: string; depth: number }>();
const count = ref<number>(${i});
const doubled = computed<number>(() => count.value * 2 + props.depth);
const words: string[] = '${pseudoWords(i, 5)}'.split(' ');
function bump(): void {
  count.value += ${(i % 7) + 1};
}
</script>
<template>
  <section class="card">
    <h3>{{ props.label }} #${i}</h3>
    <button type="button" @click="bump">{{ doubled }}</button>
    <ul><li v-for="(w, n) in words" :key="n" :class="{ odd: n % 2 }">{{ w }} {{ n * count }}</li></ul>
    ${kids.map((k) => `<C${k} label="child ${k}" :depth="props.depth + 1" />`).join('\n    ')}
  </section>
</template>
<style scoped>
.card { margin: ${i % 9}px; padding: ${i % 5}px; border: 1px solid #${((i * 7919) % 0xffffff).toString(16).padStart(6, '0')}; }
h3 { color: #${((i * 99991) % 0xffffff).toString(16).padStart(6, '0')}; }
.odd { opacity: 0.${(i % 9) + 1}; }
</style>
`;
}

const VITE_CONFIG = "import { defineConfig } from 'vite';\nimport vue from '@vitejs/plugin-vue';\nexport default defineConfig({ plugins: [vue()], logLevel: 'silent' });\n";

function generateVueApp() {
  const dir = mkdtempSync(join(tmpdir(), 'miniapp-bench-vue-'));
  const put = (name, content) => {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  };
  put('manifest.json', JSON.stringify({ id: 'com.example.benchvue', version: '1.0.0', minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: [], allowedDomains: [] }, null, 2));
  put('package.json', JSON.stringify({ name: 'bench-vue', private: true, type: 'module', dependencies: { vue: '*' } }));
  put('index.html', '<!doctype html>\n<html><head><meta charset="utf-8"></head><body><div id="app"></div><script type="module" src="./src/main.ts"></script></body></html>\n');
  put('src/main.ts', "import { createApp } from 'vue';\nimport C0 from './C0.vue';\ncreateApp(C0, { label: 'root', depth: 0 }).mount('#app');\n");
  for (let i = 0; i < SFCS; i++) put(`src/C${i}.vue`, sfcSource(i));
  put('vite.bench.config.mjs', VITE_CONFIG);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Times each case in turn, run by run (a busy machine then slows each alike); medians and best runs. */
function interleave(cases, runs) {
  for (const c of cases) c.run();
  const samples = cases.map(() => []);
  for (let i = 0; i < runs; i++) cases.forEach((c, k) => samples[k].push(c.run()));
  return samples.map((xs) => ({ median: median(xs), min: Math.min(...xs) }));
}

function vueBench() {
  const dir = generateVueApp();
  const viteProject = join(dir, '..', `${basename(dir)}-vite`);
  const viteBin = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  try {
    // The same sources as a Vite project: its own vite.config.mjs, so `miniapp build` takes the Vite path.
    cpSync(dir, viteProject, { recursive: true, dereference: false, verbatimSymlinks: true });
    writeFileSync(join(viteProject, 'vite.config.mjs'), VITE_CONFIG);
    const runs = Math.max(3, Math.min(RUNS, 5));
    const [ours, vite, oursVite, viteAlone] = interleave(
      [
        { run: () => time(process.execPath, [bin, 'build', dir, '--quiet']).ms },
        { run: () => time(process.execPath, [viteBin, 'build', '--config', 'vite.bench.config.mjs', '--outDir', 'vite-out', '--emptyOutDir'], { cwd: dir }).ms },
        { run: () => time(process.execPath, [bin, 'build', viteProject, '--quiet']).ms },
        { run: () => time(process.execPath, [viteBin, 'build', '--outDir', 'vite-out', '--emptyOutDir'], { cwd: viteProject }).ms },
      ],
      runs,
    );
    const summary = JSON.parse(time(process.execPath, [bin, 'build', dir, '--json']).stdout).result;
    const summaryVite = JSON.parse(time(process.execPath, [bin, 'build', viteProject, '--json']).stdout).result;
    const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
    const r1 = ours.median / vite.median;
    const r2 = oursVite.median / viteAlone.median;
    console.log(`build.bench (vue): ${SFCS} Vue SFCs (script setup, TypeScript, scoped styles); ${runs} runs each, interleaved, medians`);
    console.log(`  miniapp build, default path (esbuild + vue/compiler-sfc, zip included)  ${ours.median.toFixed(0)} ms  (package ${kb(summary.compressedBytes)} compressed)`);
    console.log(`  vite build + @vitejs/plugin-vue (files on disk, no package)              ${vite.median.toFixed(0)} ms`);
    console.log(`  ratio ${r1.toFixed(2)}x (goal < 1.00x: faster) ${r1 < 1 ? 'PASS' : 'FAIL'}; best runs ${(ours.min / vite.min).toFixed(2)}x (${ours.min.toFixed(0)} / ${vite.min.toFixed(0)} ms)`);
    console.log(`  miniapp build, Vite path (the project's vite.config, zip included)      ${oursVite.median.toFixed(0)} ms  (package ${kb(summaryVite.compressedBytes)} compressed)`);
    console.log(`  vite build alone, same project                                          ${viteAlone.median.toFixed(0)} ms`);
    console.log(
      `  ratio ${r2.toFixed(2)}x (goal <= 1.15x) ${r2 <= 1.15 ? 'PASS' : 'FAIL'}; best runs ${(oursVite.min / viteAlone.min).toFixed(2)}x (${oursVite.min.toFixed(0)} / ${viteAlone.min.toFixed(0)} ms)`,
    );
    console.log(
      JSON.stringify({
        bench: 'build-vue',
        sfcs: SFCS,
        miniappBuildMs: ours.median,
        viteBuildMs: vite.median,
        ratio: r1,
        goal: 1,
        miniappVitePathMs: oursVite.median,
        viteAloneMs: viteAlone.median,
        vitePathRatio: r2,
        vitePathGoal: 1.15,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(viteProject, { recursive: true, force: true });
  }
}

if (process.env.BENCH_PART === 'vue') {
  vueBench();
  process.exit(0);
}

const dir = generateApp();
// BENCH_KEEP=1: only generate the app, print its path and keep it (for profiling by hand).
if (process.env.BENCH_KEEP) {
  console.log(dir);
  process.exit(0);
}
const out = join(dir, 'esbuild-out');
try {
  // Warm the file cache and esbuild's binary once for each side.
  time(process.execPath, ['-e', baselineScript(dir, out)]);
  time(process.execPath, [bin, 'build', dir, '--quiet']);
  const plain = [];
  const ours = [];
  let summary;
  for (let i = 0; i < RUNS; i++) {
    rmSync(out, { recursive: true, force: true });
    plain.push(time(process.execPath, ['-e', baselineScript(dir, out)]).ms);
    const r = time(process.execPath, [bin, 'build', dir, '--json']);
    ours.push(r.ms);
    summary = JSON.parse(r.stdout).result;
  }
  const p = median(plain);
  const o = median(ours);
  const pMin = Math.min(...plain);
  const oMin = Math.min(...ours);
  const pack = await packagingSideBySide(dir);
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  console.log(`build.bench: synthetic app of ${MODULES} TS modules, CSS, ${ASSETS} binary assets; ${RUNS} runs each, medians`);
  console.log(`  package: ${summary.fileCount} files, ${kb(summary.rawBytes)} raw, ${kb(summary.compressedBytes)} compressed`);
  console.log(`  plain esbuild (node process, JS API, same options)   ${p.toFixed(0)} ms`);
  console.log(`  miniapp build (whole process)                         ${o.toFixed(0)} ms`);
  console.log(
    `  ratio of medians ${(o / p).toFixed(2)}x (goal <= 1.25x) ${o / p <= 1.25 ? 'PASS' : 'FAIL'}; ratio of best runs ${(oMin / pMin).toFixed(2)}x (${oMin.toFixed(0)} / ${pMin.toFixed(0)} ms, less sensitive to a busy machine)`,
  );
  console.log(
    `  packaging alone (${pack.files} files, ${kb(pack.raw)}): own writer ${pack.own.toFixed(1)} ms (${kb(pack.ownSize)}), archiver ${pack.archiver.toFixed(1)} ms (${kb(pack.archSize)}, ${pack.archDeterministic ? 'deterministic' : 'NOT deterministic'} across runs)`,
  );
  console.log(JSON.stringify({ bench: 'build', plainEsbuildMs: p, miniappBuildMs: o, ratio: o / p, bestRatio: oMin / pMin, goal: 1.25, ownWriterMs: pack.own, archiverMs: pack.archiver }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (process.env.BENCH_PART !== 'esbuild') vueBench();
