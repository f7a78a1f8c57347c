import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { MiniappError } from '../core/errors/index.js';
import { writeFileAtomicSync } from '../core/fs/atomic.js';
import { toolchainPath } from '../core/toolchain.js';

export const TEMPLATES = ['vanilla', 'react', 'vue', 'svelte'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface ScaffoldOptions {
  /** Where the project goes (created if missing). */
  targetDir: string;
  template: TemplateName;
  id: string;
  name: string;
  /** The toolchain's templates/ folder. */
  templatesDir: string;
  /** The package.json dependency spec for miniapp, e.g. "file:/opt/miniapp". */
  toolchainSpec: string;
  /** Write into a non-empty directory, replacing files the template provides (they are listed). */
  force?: boolean;
}

export interface ScaffoldResult {
  dir: string;
  template: TemplateName;
  id: string;
  name: string;
  /** Files written, relative to dir, sorted. */
  files: string[];
  /** Files that existed and were replaced (only with force). */
  overwritten: string[];
}

/** Template files stored under another name, so npm packing keeps them and they do not act on the toolchain's own repo. */
const RENAMES: Record<string, string> = { _gitignore: '.gitignore', _github: '.github', _npmrc: '.npmrc' };
/** Never copied: installs and build output from running a template in place. */
const SKIPPED = new Set(['node_modules', 'dist', 'package-lock.json', '.DS_Store']);
/** Entries an "empty" target directory may already hold. */
const HARMLESS = new Set(['.git', '.DS_Store', 'Thumbs.db']);

/** A default id from a directory name: "My Shop!" → "com.example.my-shop". */
export function defaultAppId(dirName: string): string {
  const label = dirName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return `com.example.${label || 'app'}`;
}

/** An npm package name from a directory name. */
export function packageNameFor(dirName: string): string {
  return (
    dirName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[._-]+|-+$/g, '')
      .slice(0, 214) || 'mini-app'
  );
}

let idPattern: RegExp | undefined;
/**
 * Throws INIT_INVALID_ID with the manifest's own rule and hint. A valid id is checked against the
 * schema's pattern alone; the manifest module (validator, semver) loads only to explain a bad one,
 * which keeps `init` close to bare Node start-up.
 */
export async function assertAppId(id: string): Promise<void> {
  idPattern ??= new RegExp((JSON.parse(readFileSync(toolchainPath('schema', 'manifest.schema.json'), 'utf8')) as { properties: { id: { pattern: string } } }).properties.id.pattern, 'u');
  if (idPattern.test(id)) return;
  const { checkAppId } = await import('../manifest/check.js');
  const problem = checkAppId(id);
  if (problem) throw new MiniappError('INIT_INVALID_ID', { value: id, reason: problem.reason, fix: problem.hint });
}

function* walk(dir: string): Generator<string> {
  const entries = readdirSync(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (SKIPPED.has(e.name)) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* walk(full);
    else if (e.isFile()) yield full;
  }
}

const outputPath = (rel: string) =>
  rel
    .split('/')
    .map((s) => RENAMES[s] ?? s)
    .join('/');

/** Makes the template's files this project's: the manifest's id and name, the package name and the toolchain dependency. */
function personalise(rel: string, text: string, o: ScaffoldOptions, templateManifest: { id: string; name: string }): string {
  if (rel === 'manifest.json') {
    const m = JSON.parse(text) as Record<string, unknown>;
    m.id = o.id;
    m.name = o.name;
    return `${JSON.stringify(m, null, 2)}\n`;
  }
  if (rel === 'package.json') {
    const p = JSON.parse(text) as { name?: string; devDependencies?: Record<string, string> };
    p.name = packageNameFor(basename(o.targetDir));
    p.devDependencies = { ...p.devDependencies, miniapp: o.toolchainSpec };
    return `${JSON.stringify(p, null, 2)}\n`;
  }
  if (/\.(?:md|html|tsx?|vue|svelte|ya?ml)$/.test(rel)) return text.split(templateManifest.name).join(o.name).split(templateManifest.id).join(o.id);
  return text;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The deepest part of a path that exists (for ENOTDIR: the file standing where a folder should be). */
function nearestExisting(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      statSync(p);
      return p;
    } catch {
      if (dirname(p) === p) return path;
    }
  }
}

function listExisting(dir: string): string[] | undefined {
  try {
    const stat = statSync(dir);
    if (!stat.isDirectory()) throw new MiniappError('INIT_TARGET_NOT_DIRECTORY', { path: dir });
    return readdirSync(dir)
      .filter((n) => !HARMLESS.has(n))
      .sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    // A folder on the way is a file: the project cannot go there.
    if (code === 'ENOTDIR') throw new MiniappError('INIT_TARGET_NOT_DIRECTORY', { path: nearestExisting(dir) }, { cause: err });
    if (err instanceof MiniappError) throw err;
    throw new MiniappError('FILE_UNREADABLE', { path: dir, reason: (err as Error).message }, { cause: err });
  }
}

/** The app's own sources and configuration: never replaced by --force unless they are the template's own. */
const isAppSource = (rel: string) => /^(?:src|test|public)\//.test(rel) || ['package.json', 'index.html', 'manifest.json', 'tsconfig.json'].includes(rel);

interface PlannedFile {
  out: string;
  target: string;
  data: string | Buffer;
}

/** Every file the template writes, personalised, in order. */
function planFiles(o: ScaffoldOptions, templateDir: string): PlannedFile[] {
  const templateManifest = JSON.parse(readFileSync(join(templateDir, 'manifest.json'), 'utf8')) as { id: string; name: string };
  const planned: PlannedFile[] = [];
  for (const source of walk(templateDir)) {
    const rel = relative(templateDir, source).split(sep).join('/');
    const out = outputPath(rel);
    const raw = readFileSync(source);
    const data = /\.(?:json|md|html|tsx?|vue|svelte|css|ya?ml)$|(?:^|\/)_gitignore$/.test(rel) ? personalise(rel, raw.toString('utf8'), o, templateManifest) : raw;
    planned.push({ out, target: join(o.targetDir, out), data });
  }
  return planned;
}

/**
 * With --force, the existing app sources a template would replace: refused unless each is exactly what
 * the template writes (a project scaffolded from it and not changed since). Checked before anything is
 * written, so a refused init leaves the directory as it was.
 */
function assertNoForeignSources(planned: PlannedFile[], dir: string): void {
  const foreign: string[] = [];
  for (const f of planned) {
    if (!isAppSource(f.out) || !isFile(f.target)) continue;
    const mine = typeof f.data === 'string' ? Buffer.from(f.data) : f.data;
    if (!readFileSync(f.target).equals(mine)) foreign.push(f.out);
  }
  if (foreign.length) throw new MiniappError('INIT_WOULD_OVERWRITE', { path: dir, files: foreign.join(', ') });
}

/**
 * Creates a project from a template. Refuses a non-empty directory unless `force`; even then it never
 * replaces an existing app's sources (only files that are still the template's own), and it reports
 * every file it replaced: nothing is overwritten silently. Each file is written atomically.
 */
export async function scaffold(o: ScaffoldOptions): Promise<ScaffoldResult> {
  if (!(TEMPLATES as readonly string[]).includes(o.template)) throw new MiniappError('INIT_TEMPLATE_UNKNOWN', { template: o.template, known: TEMPLATES.join(', ') });
  await assertAppId(o.id);
  if (o.name.trim() === '' || o.name.length > 64) throw new MiniappError('INIT_INVALID_NAME', { value: o.name });
  const templateDir = join(o.templatesDir, o.template);
  const existing = listExisting(o.targetDir);
  if (existing && existing.length > 0 && !o.force) throw new MiniappError('INIT_DIR_NOT_EMPTY', { path: o.targetDir, entries: existing.slice(0, 5).join(', '), more: existing.length > 5 });

  const planned = planFiles(o, templateDir);
  if (o.force && existing && existing.length > 0) assertNoForeignSources(planned, o.targetDir);
  const files: string[] = [];
  const overwritten: string[] = [];
  // A dozen small files: written one after another with synchronous calls, each atomically (temp file,
  // rename), without fsync since a scaffold can be redone. Asynchronous calls would make each step a
  // thread-pool round trip, most of `init`'s time on these machines.
  for (const { out, target, data } of planned) {
    try {
      mkdirSync(dirname(target), { recursive: true });
    } catch (err) {
      throw new MiniappError('WRITE_FAILED', { path: dirname(target), reason: (err as Error).message }, { cause: err });
    }
    if (o.force && isFile(target)) overwritten.push(out);
    writeFileAtomicSync(target, data, { exclusive: !o.force, durable: false });
    files.push(out);
  }
  return { dir: o.targetDir, template: o.template, id: o.id, name: o.name, files: files.sort(), overwritten: overwritten.sort() };
}
