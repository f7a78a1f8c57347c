import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import { blankComments } from './comments.js';
import { lineColumn } from './html.js';
import { ASSET_EXTENSIONS } from './session.js';

// An asset named by a literal path in JavaScript ("./img/logo.png") is not something a bundler can see:
// the browser asks for it at run time, relative to the page. If the package does not hold it, the app
// breaks on the phone (and `miniapp run` reports RUN_RESOURCE_MISSING), so the build says so first.

const ASSET_LITERAL = new RegExp(`["'\`]((?:\\.{1,2}/|/)?(?:[\\w@~-][\\w@~.-]*/)*[\\w@~-][\\w@~.-]*\\.(?:${ASSET_EXTENSIONS.join('|')}))["'\`]`, 'gi');

/** Where a literal first appears in the project's own sources (not its dependencies). */
function findInSources(literal: string, projectDir: string, inputs: readonly string[]): { file: string; line: number; column: number } | undefined {
  for (const file of inputs) {
    if (file.includes(':') || file.includes('node_modules/')) continue;
    let text: string;
    try {
      text = readFileSync(join(projectDir, file), 'utf8');
    } catch {
      continue;
    }
    const at = text.indexOf(literal);
    if (at >= 0) return { file, ...lineColumn(text, at) };
  }
  return undefined;
}

export interface AssetRefInput {
  /** Package path of the entry HTML: relative URLs resolve from its folder. */
  htmlPath: string;
  /** The shipped JavaScript, package path → text. */
  code: ReadonlyMap<string, string>;
  /** Every file name in the package. */
  packaged: ReadonlySet<string>;
  /** With sources (a build): only literals found in the app's own sources are reported, at their line. */
  sources?: { projectDir: string; inputs: readonly string[] };
}

/** BUILD_ASSET_NOT_PACKAGED warnings: literal asset paths in the code that name no file in the package. */
export function checkAssetReferences(input: AssetRefInput): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  const seen = new Set<string>();
  const htmlDir = posix.dirname(input.htmlPath);
  for (const [path, text] of input.code) {
    if (!path.endsWith('.js') && !path.endsWith('.mjs')) continue;
    // The cheap scan first: the comment-aware pass runs only on code naming an asset the package lacks.
    const missing = (m: RegExpMatchArray) => {
      const literal = m[1]!;
      const resolved = literal.startsWith('/') ? literal.slice(1) : posix.normalize(posix.join(htmlDir, literal));
      return !resolved.startsWith('../') && !input.packaged.has(resolved);
    };
    if (![...text.matchAll(ASSET_LITERAL)].some(missing)) continue;
    const code = blankComments(text);
    for (const m of code.matchAll(ASSET_LITERAL)) {
      const literal = m[1]!;
      const resolved = literal.startsWith('/') ? literal.slice(1) : posix.normalize(posix.join(htmlDir, literal));
      if (seen.has(literal) || resolved.startsWith('../') || input.packaged.has(resolved)) continue;
      seen.add(literal);
      const where = input.sources ? findInSources(literal, input.sources.projectDir, input.sources.inputs) : { file: path, ...lineColumn(text, m.index + 1) };
      if (!where) continue; // only in a dependency's code: not the app's own reference
      warnings.push(diagnostic('BUILD_ASSET_NOT_PACKAGED', { path: literal, resolved }, where, 'warning'));
    }
  }
  return warnings;
}
