import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The layers of src/ (ARCHITECTURE.md draws them). A folder may import folders of a lower rank, never
 * a higher one, and never a peer of its own rank, with one exception: the middle tier, where the
 * domain folders meet, may import each other through a folder's index.ts only, and never in a cycle.
 * A folder not named here (a new one) is in the middle tier.
 */
const RANKS: Record<string, number> = {
  format: 0, // the package format's constants and path rules: imports nothing at all
  core: 1, // errors, atomic files, options, toolchain paths
  bridge: 2, // the bridge method catalogue (and its browser mock)
  manifest: 2, // the manifest contract: schema, rules, domains
  package: 3, // the zip container: strict reader, writer, a package's manifest
  signing: 4, // the signing format: sign, verify, keys, descriptors
  // 5: the middle tier, every folder not named (build, runtime, sandbox, host, server, scaffold, testing...)
  commands: 6, // thin command shells and the command contract
  '(root)': 6, // src/index.ts, the library's public API
  cli: 7, // the process boundary
};
const MIDDLE = 5;
const rankOf = (folder: string) => RANKS[folder] ?? MIDDLE;

interface ImportEdge {
  /** Importing file, relative to src/. */
  from: string;
  line: number;
  specifier: string;
  /** Imported file, relative to src/; undefined for a package or a node: builtin, or outside src/. */
  to?: string;
}

const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : '(root)');

/** Every import, export-from and import() in a source file, relative ones resolved against src/. */
function importsOf(file: string, text: string): ImportEdge[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((ref) => {
    const line = text.slice(0, ref.pos).split('\n').length;
    const resolved = normalize(join(dirname(file), ref.fileName))
      .split(sep)
      .join('/');
    const inside = ref.fileName.startsWith('.') && !resolved.startsWith('..');
    return { from: file, line, specifier: ref.fileName, to: inside ? resolved : undefined };
  });
}

/** The broken rules, one line each, naming the file, the line and what to do instead. */
function layerViolations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  const middleEdges = new Map<string, Set<string>>();
  for (const e of edges) {
    const where = `src/${e.from}:${e.line} imports ${e.specifier}`;
    const a = folderOf(e.from);
    if (e.to === undefined) {
      if (a === 'format') problems.push(`${where}: src/format imports nothing (it is the package format's bottom layer)`);
      else if (e.specifier.startsWith('.')) problems.push(`${where}: a relative import must stay inside src/`);
      continue;
    }
    const b = folderOf(e.to);
    if (a === b) continue;
    const [ra, rb] = [rankOf(a), rankOf(b)];
    if (rb > ra) problems.push(`${where}: ${a} (rank ${ra}) may not import ${b} (rank ${rb}), a higher layer`);
    else if (rb === ra && ra !== MIDDLE) problems.push(`${where}: ${a} and ${b} are peers of one layer and may not import each other`);
    else if (rb === ra) {
      if (!/(^|\/)index\.(ts|js)$/.test(e.to)) problems.push(`${where}: ${a} may use ${b} only through ${b}/index.ts (or the index.ts of one of its folders)`);
      if (!middleEdges.has(a)) middleEdges.set(a, new Set());
      middleEdges.get(a)!.add(b);
    }
  }
  for (const cycle of cyclesOf(middleEdges)) problems.push(`the middle-tier folders import each other in a cycle: ${cycle.join(' -> ')}`);
  return problems;
}

function cyclesOf(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (node: string, path: string[]) => {
    if (path.includes(node)) {
      cycles.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
  return cycles;
}

/** Files that import each other, directly or around a loop (type-only imports count: a reader follows them too). */
function fileCycles(edges: readonly ImportEdge[]): string[] {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.to === undefined) continue;
    const to = e.to.replace(/\.js$/, '.ts');
    if (!graph.has(e.from)) graph.set(e.from, new Set());
    graph.get(e.from)!.add(to);
  }
  const seen = new Set<string>();
  return cyclesOf(graph)
    .map((c) => c.slice(0, -1))
    .filter((c) => {
      const key = [...c].sort().join(' ');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((c) => `src/${c.join(' -> src/')} -> src/${c[0]}: files that import each other; move what both need into one of them or a third file`);
}

const src = new URL('../src/', import.meta.url).pathname;
function* walk(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* walk(join(dir, e.name));
    else if (/\.(ts|tsx|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) yield join(dir, e.name);
  }
}

describe('src/ keeps its layers (ARCHITECTURE.md)', () => {
  it('no import runs against the allowed directions', () => {
    const edges = [...walk(src)].flatMap((file) => importsOf(relative(src, file).split(sep).join('/'), readFileSync(file, 'utf8')));
    expect(edges.length).toBeGreaterThan(300);
    expect(layerViolations(edges)).toEqual([]);
  });

  it('no two files import each other, directly or around a loop', () => {
    const edges = [...walk(src)].flatMap((file) => importsOf(relative(src, file).split(sep).join('/'), readFileSync(file, 'utf8')));
    expect(fileCycles(edges)).toEqual([]);
    const edge = (from: string, specifier: string) => importsOf(from, `import type { X } from '${specifier}';\n`);
    expect(fileCycles([...edge('runtime/a.ts', './b.js'), ...edge('runtime/b.ts', './c.js'), ...edge('runtime/c.ts', './a.js')])).toHaveLength(1);
  });

  it('reports an upward import, a peer import, an internal of a middle folder, a cycle and an import in src/format', () => {
    const edge = (from: string, specifier: string) => importsOf(from, `import x from '${specifier}';\n`);
    const problems = layerViolations([
      ...edge('commands/build.ts', '../cli/ui.js'),
      ...edge('manifest/check.ts', '../bridge/catalog.js'),
      ...edge('host/manager.ts', '../runtime/host/host.js'),
      ...edge('build/index.ts', '../server/index.js'),
      ...edge('server/index.ts', '../build/index.js'),
      ...edge('format/paths.ts', 'node:path'),
      ...edge('signing/sign.ts', '../package/reader.js'),
      ...edge('registry/index.ts', '../host/index.js'),
    ]);
    expect(problems).toEqual([
      'src/commands/build.ts:1 imports ../cli/ui.js: commands (rank 6) may not import cli (rank 7), a higher layer',
      'src/manifest/check.ts:1 imports ../bridge/catalog.js: manifest and bridge are peers of one layer and may not import each other',
      'src/host/manager.ts:1 imports ../runtime/host/host.js: host may use runtime only through runtime/index.ts (or the index.ts of one of its folders)',
      "src/format/paths.ts:1 imports node:path: src/format imports nothing (it is the package format's bottom layer)",
      'the middle-tier folders import each other in a cycle: build -> server -> build',
    ]);
  });
});
