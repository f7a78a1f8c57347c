// Lets TypeScript import .vue files in `npm run typecheck` (tsc checks the .ts files; the build compiles
// the components with the project's own vue/compiler-sfc). For type-checking inside .vue files, add vue-tsc.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
