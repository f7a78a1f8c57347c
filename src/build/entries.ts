import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import { fetchedUrls, isFetchingAttribute } from '../format/index.js';
import { applyEdits, attr, escapeAttribute, isExternalUrl, isStylesheetLink, lineColumn, scanTags, scriptKind, type HtmlEdit, type HtmlTag } from './html.js';

// The entry HTML's side of a build: which files it references, and the HTML rewritten to their bundles.

export interface EntryRef {
  tag: HtmlTag;
  /** The attribute holding the URL (src or href). */
  attribute: 'src' | 'href';
  kind: 'module' | 'classic' | 'style';
  /** Project-relative source path, forward slashes. */
  input: string;
}

const toPosix = (p: string) => p.split(sep).join('/');

/** Resolves a URL from the HTML to a project file: "/x" from the project root, "x" from the HTML's folder. */
function resolveReference(projectDir: string, htmlPath: string, url: string): string | undefined {
  const clean = decodeURIComponentSafe(url.trim().replace(/[?#].*$/, ''));
  if (!clean) return undefined;
  const abs = clean.startsWith('/') ? join(projectDir, clean) : resolve(dirname(join(projectDir, htmlPath)), clean);
  const rel = relative(projectDir, abs);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Finds the scripts and stylesheets the entry HTML references; reports missing or outside files at their tag. */
export function findEntries(projectDir: string, htmlPath: string, html: string, errors: Diagnostic[]): EntryRef[] {
  const refs: EntryRef[] = [];
  for (const tag of scanTags(html)) {
    let attribute: 'src' | 'href';
    let kind: EntryRef['kind'];
    if (tag.name === 'script') {
      const k = scriptKind(tag);
      if (k === 'other' || !attr(tag, 'src')) continue;
      attribute = 'src';
      kind = k;
    } else if (tag.name === 'link' && isStylesheetLink(tag) && attr(tag, 'href')) {
      attribute = 'href';
      kind = 'style';
    } else continue;
    const a = attr(tag, attribute)!;
    if (isExternalUrl(a.value)) continue;
    const where = { file: htmlPath, ...lineColumn(html, a.valueStart ?? tag.start) };
    const input = resolveReference(projectDir, htmlPath, a.value);
    if (!input) {
      errors.push(diagnostic('BUILD_HTML_REFERENCE_OUTSIDE', { url: a.value }, where));
      continue;
    }
    if (!existsSync(join(projectDir, input))) {
      // A file under public/ is copied as is, so a reference to it stays as written.
      if (a.value.trim().startsWith('/') && existsSync(join(projectDir, 'public', input))) continue;
      errors.push(diagnostic('BUILD_HTML_REFERENCE_MISSING', { url: a.value, path: input }, where));
      continue;
    }
    refs.push({ tag, attribute, kind, input });
  }
  return refs;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export interface CopiedFile {
  /** Package path: the project-relative path, so the HTML's reference stays right. */
  name: string;
  absolute: string;
}

/**
 * Files the entry HTML fetches as they are (an <img>, a <link rel="icon">, a poster: format/fetches.ts
 * says which attributes fetch) that live in the project outside public/: copied into the package at
 * their project path, so a reference that works in the project works in the package. A reference to no
 * file is a warning, never a silent drop.
 */
export function findCopiedFiles(projectDir: string, htmlPath: string, html: string, warnings: Diagnostic[]): CopiedFile[] {
  const out = new Map<string, CopiedFile>();
  for (const tag of scanTags(html)) {
    // Scripts and stylesheets are entries: bundled, not copied (findEntries).
    if (tag.name === 'script' || (tag.name === 'link' && isStylesheetLink(tag))) continue;
    const rel = (
      attr(tag, 'rel')
        ?.value.toLowerCase()
        .split(/[\t\n\f\r ]+/) ?? []
    ).filter(Boolean);
    for (const a of tag.attributes) {
      if (!isFetchingAttribute(tag.name, a.name, rel)) continue;
      for (const url of fetchedUrls(a.name, a.value).filter((u) => u && !isExternalUrl(u))) {
        const input = resolveReference(projectDir, htmlPath, url);
        if (!input || out.has(input) || input === htmlPath || input === 'manifest.json') continue;
        if (url.trim().startsWith('/') && existsSync(join(projectDir, 'public', input))) continue;
        if (isFile(join(projectDir, input))) out.set(input, { name: input, absolute: join(projectDir, input) });
        else warnings.push(diagnostic('BUILD_HTML_REFERENCE_MISSING', { url, path: input }, { file: htmlPath, ...lineColumn(html, a.valueStart ?? tag.start) }, 'warning'));
      }
    }
  }
  return [...out.values()];
}

/** Bundles built for each entry, keyed "esm:<input>" or "classic:<input>" (package paths). */
export type EntryOutputs = Map<string, { js?: string; css?: string }>;

export const entryKey = (kind: EntryRef['kind'], input: string) => `${kind === 'classic' ? 'classic' : 'esm'}:${input}`;

/** Points each reference at its hashed bundle, relative to the HTML's folder; only those attribute values change. */
export function rewriteHtml(html: string, htmlPath: string, refs: readonly EntryRef[], outputs: EntryOutputs): string {
  const htmlDir = posix.dirname(htmlPath);
  const href = (pkgPath: string) => (htmlDir === '.' ? pkgPath : posix.relative(htmlDir, pkgPath));
  const edits: HtmlEdit[] = [];
  for (const ref of refs) {
    const out = outputs.get(entryKey(ref.kind, ref.input));
    const a = attr(ref.tag, ref.attribute)!;
    const built = ref.kind === 'style' ? out?.css : out?.js;
    if (!built) {
      // An entry that bundles to nothing (an empty stylesheet): drop the tag rather than point at a missing file.
      edits.push({ start: ref.tag.start, end: ref.tag.end, text: '' });
      continue;
    }
    edits.push({ start: a.valueStart!, end: a.valueEnd!, text: escapeAttribute(href(built)) });
    if (ref.kind !== 'style' && out?.css) {
      // CSS imported from a script becomes its own file: link it before the script.
      edits.push({ start: ref.tag.start, end: ref.tag.start, text: `<link rel="stylesheet" href="${escapeAttribute(href(out.css))}">` });
    }
  }
  return applyEdits(html, edits);
}
