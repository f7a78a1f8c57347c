// Lets TypeScript import .svelte files in `npm run typecheck` (tsc checks the .ts files; the build compiles
// the components with the project's own svelte/compiler). For checks inside .svelte files, add svelte-check.
declare module '*.svelte' {
  import type { Component } from 'svelte';
  const component: Component;
  export default component;
}
