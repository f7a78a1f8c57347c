import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './cli.js';
import { tempDir } from './temp.js';

export const STACK_MANIFEST = {
  id: 'com.example.stack',
  name: 'Stack App',
  version: '1.0.0',
  minHostVersion: '3.0.0',
  entryPoint: 'index.html',
  permissions: ['storage'],
  allowedDomains: [] as string[],
};

/** The bridge sample every stack app runs: counts visits in host storage into #visits. */
export const COUNT_VISITS = `const bridge = (window as any).MiniAppBridge;
export async function countVisits(): Promise<string> {
  const stored = await bridge.call('storage.get', { key: 'visits' });
  const n = Number(stored?.value ?? 0) + 1;
  await bridge.call('storage.set', { key: 'visits', value: String(n) });
  return String(n);
}
`;

/**
 * A project in a temp folder whose node_modules is the toolchain's own (vue, svelte, vite, tailwind are
 * its devDependencies): what `npm install` gives a partner, without the network. `withModules: false`
 * leaves node_modules out (a project that has not installed its compiler).
 */
export function makeStackApp(
  files: Record<string, string>,
  options: { withModules?: boolean; manifest?: Record<string, unknown> } = {},
): { dir: string; write(path: string, text: string): void; cleanup(): void } {
  const dir = tempDir('stack');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('manifest.json', JSON.stringify({ ...STACK_MANIFEST, ...options.manifest }, null, 2));
  for (const [p, t] of Object.entries(files)) write(p, t);
  if (options.withModules !== false) symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const PAGE = (script: string, head = '') =>
  `<!doctype html><html><head><meta charset="utf-8"><title>stack</title>${head}</head><body><div id="app"></div><script type="module" src="${script}"></script></body></html>\n`;

/** A Vue 3 app: <script setup lang="ts">, a typed prop, <style scoped>, an options-API child. */
export const VUE_APP: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'vue-app', private: true, type: 'module', dependencies: { vue: '^3.5.0' } }),
  'index.html': PAGE('./src/main.ts'),
  'src/visits.ts': COUNT_VISITS,
  'src/main.ts': "import { createApp } from 'vue';\nimport App from './App.vue';\ncreateApp(App, { title: 'Hello Vue' }).mount('#app');\n",
  'src/App.vue': `<script setup lang="ts">
import { onMounted, ref } from 'vue';
import Counter from './Counter.vue';
import { countVisits } from './visits';
const props = defineProps<{ title: string }>();
const visits = ref<string>('…');
onMounted(async () => { visits.value = await countVisits(); });
</script>
<template>
  <main>
    <h1 id="title">{{ props.title }}</h1>
    <p>Visits: <strong id="visits">{{ visits }}</strong></p>
    <Counter :start="2" />
  </main>
</template>
<style scoped>
h1 { color: rebeccapurple; }
</style>
`,
  'src/Counter.vue': `<script lang="ts">
export default { props: { start: { type: Number, default: 0 } }, data() { return { n: this.start as number }; } };
</script>
<template><button id="inc" type="button" @click="n++">count {{ n }}</button></template>
<style>
button { padding: 4px; }
</style>
`,
};

/** A Svelte 5 app: runes, TypeScript, component CSS. */
export const SVELTE_APP: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'svelte-app', private: true, type: 'module', dependencies: { svelte: '^5.0.0' } }),
  'index.html': PAGE('./src/main.ts'),
  'src/visits.ts': COUNT_VISITS,
  'src/main.ts': "import { mount } from 'svelte';\nimport App from './App.svelte';\nmount(App, { target: document.getElementById('app')!, props: { title: 'Hello Svelte' } });\n",
  'src/App.svelte': `<script lang="ts">
  import { onMount } from 'svelte';
  import { countVisits } from './visits';
  let { title }: { title: string } = $props();
  let visits: string = $state('…');
  let n: number = $state(2);
  onMount(async () => { visits = await countVisits(); });
</script>
<main>
  <h1 id="title">{title}</h1>
  <p>Visits: <strong id="visits">{visits}</strong></p>
  <button id="inc" type="button" onclick={() => n++}>count {n}</button>
</main>
<style>
  h1 { color: tomato; }
</style>
`,
};
