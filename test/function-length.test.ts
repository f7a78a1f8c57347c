import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No function in src/ over MAX_LINES lines without a stated reason (ARCHITECTURE.md, "Reading the
 * code"). A function's lines run from its first line to its last, inner closures included, so a
 * factory is as long as everything it holds. The reason is a `@long` tag in the doc comment above the
 * function (or above the declaration or property that holds it): `@long the grammar rules of one
 * cursor, each short`. The tag is for a length that is the clearest shape, not for a split not made.
 */
const MAX_LINES = 80;

interface LongFunction {
  where: string;
  name: string;
  lines: number;
  reason?: string;
}

/** The node whose doc comment speaks for a function: itself, or the declaration that names it. */
function holderOf(node: ts.Node): ts.Node {
  let n = node;
  for (;;) {
    const p = n.parent;
    if (!p) return n;
    if (
      ts.isVariableDeclaration(p) ||
      ts.isVariableDeclarationList(p) ||
      ts.isVariableStatement(p) ||
      ts.isPropertyAssignment(p) ||
      ts.isPropertyDeclaration(p) ||
      ts.isExportAssignment(p) ||
      ts.isParenthesizedExpression(p) ||
      ts.isAsExpression(p) ||
      ts.isSatisfiesExpression(p)
    ) {
      n = p;
      continue;
    }
    return n;
  }
}

function nameOf(node: ts.FunctionLikeDeclaration, holder: ts.Node, source: ts.SourceFile): string {
  if (node.name) return node.name.getText(source);
  let n: ts.Node | undefined = node.parent;
  while (n && n !== holder.parent) {
    if ((ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n) || ts.isPropertyDeclaration(n)) && n.name) return n.name.getText(source);
    n = n.parent;
  }
  if (ts.isCallExpression(node.parent)) return `(argument of ${node.parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

/** The `@long` reason in the comments just above a node, if any. */
function reasonOf(holder: ts.Node, text: string): string | undefined {
  const comments = ts.getLeadingCommentRanges(text, holder.getFullStart()) ?? [];
  for (const c of comments) {
    const m = /@long\s+([^\n*]+)/.exec(text.slice(c.pos, c.end));
    if (m?.[1]?.trim()) return m[1].trim();
  }
  return undefined;
}

/** Every function-like node over `max` lines in one file's text. */
function longFunctions(file: string, text: string, max = MAX_LINES): LongFunction[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: LongFunction[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > max) {
        const holder = holderOf(node);
        found.push({
          where: `${file}:${start + 1}`,
          name: nameOf(node as ts.FunctionLikeDeclaration, holder, source),
          lines,
          reason: reasonOf(holder, text),
        });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const src = new URL('../src/', import.meta.url).pathname;
function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* walk(join(dir, e.name));
    else if (/\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield join(dir, e.name);
  }
}

describe(`no function in src/ over ${MAX_LINES} lines without a stated reason`, () => {
  it('every long function is split or says why with @long', () => {
    const all = [...walk(src)].flatMap((file) => longFunctions(`src/${relative(src, file).split(sep).join('/')}`, readFileSync(file, 'utf8')));
    const unexplained = all.filter((f) => !f.reason).map((f) => `${f.where} ${f.name}: ${f.lines} lines`);
    expect(unexplained).toEqual([]);
    // the stated reasons stay few: a tag is an exception, not a habit
    expect(all.filter((f) => f.reason).length).toBeLessThanOrEqual(8);
  });

  it('measures inner closures with their function and reads the reason from the declaration', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const text = [
      'export function short() {',
      body(10),
      '}',
      'export function outer() {',
      '  const inner = () => {',
      body(50),
      '  };',
      body(40),
      '}',
      '/** The page text.',
      ' * @long one template literal, the page itself',
      ' */',
      'export const page = (x: string) => {',
      body(90),
      '};',
      'const table = { handler: function () {',
      body(85),
      '} };',
    ].join('\n');
    const found = longFunctions('x.ts', text);
    expect(found.map((f) => [f.name, f.lines, f.reason])).toEqual([
      ['outer', 94, undefined],
      ['page', 92, 'one template literal, the page itself'],
      ['handler', 87, undefined],
    ]);
  });
});
