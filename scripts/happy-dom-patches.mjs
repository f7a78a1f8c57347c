// @ts-check
import { readFile } from 'node:fs/promises';

/**
 * Three fixes to happy-dom, applied as its files are bundled (the runtime always loads a bundle:
 * dist/runtime/guest/vendor/happy-dom.js, dist/sandbox/guest.cjs). Each is a literal replacement that
 * must match, so an upgrade of happy-dom that changes the code fails the build instead of silently
 * dropping a fix.
 *
 * 1. A dynamic import() that fails (a missing module, a syntax error, a throw while evaluating) left
 *    its task open in the frame's task manager, so the page never became idle and every run ended in
 *    RUN_TIMEOUT. The task now ends whatever happens; the promise rejects in the page as it does in
 *    a browser.
 * 2. A link to a fragment of the same document (`<a href="#">`, or the fragment already shown) was
 *    treated as a new page load: the page reloaded, scripts ran again, in a loop for `href="#"`. A
 *    browser only moves to the fragment (HTML's "navigate to a fragment").
 * 3. (Speed) The selector parser's regular expression holds two literal non-ASCII characters (¤ and £
 *    in a character class), the only ones in the sandbox's guest bundle: they made V8 decode the whole
 *    1.6 MB bundle into a two-byte string at every sandbox start. Written as \u escapes (the same
 *    characters to the regular expression), the bundle is ASCII.
 */
const PATCHES = [
  {
    file: /happy-dom[\\/]lib[\\/]module[\\/]ModuleFactory\.js$/,
    from: `        const taskID = asyncTaskManager?.startTask();
        const module = await this.getModule(url, options);
        const exports = await module.evaluate();
        asyncTaskManager.endTask(taskID);
        return exports;`,
    to: `        const taskID = asyncTaskManager?.startTask();
        try {
            const module = await this.getModule(url, options);
            return await module.evaluate();
        }
        finally {
            asyncTaskManager?.endTask(taskID);
        }`,
  },
  {
    file: /happy-dom[\\/]lib[\\/]browser[\\/]utilities[\\/]BrowserFrameNavigator\.js$/,
    from: `        if (targetURLWithoutHash.href === currentURLWithoutHash.href &&
            targetURL.hash &&
            targetURL.hash !== frame.window?.location.hash) {
            const history = frame[PropertySymbol.history];
            if (!disableHistory) {`,
    to: `        if (targetURLWithoutHash.href === currentURLWithoutHash.href &&
            !formData &&
            targetURL.href.includes('#')) {
            const history = frame[PropertySymbol.history];
            if (!disableHistory && targetURL.href !== frame.url) {`,
  },
  {
    file: /happy-dom[\\/]lib[\\/]query-selector[\\/]SelectorParser\.js$/,
    from: '_\u00a4\u00a3-]',
    to: '_\\u00A4\\u00A3-]',
  },
];

/** The esbuild plugin that applies PATCHES; fails the build when one no longer matches. */
export const happyDomPatches = {
  name: 'happy-dom-patches',
  setup(build) {
    for (const patch of PATCHES) {
      build.onLoad({ filter: patch.file }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(patch.from)) {
          return { errors: [{ text: `happy-dom patch no longer applies to ${args.path}: check scripts/happy-dom-patches.mjs against the new happy-dom` }] };
        }
        return { contents: source.replace(patch.from, patch.to), loader: 'js' };
      });
    }
  },
};
