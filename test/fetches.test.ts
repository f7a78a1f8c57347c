import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCopiedFiles } from '../src/build/entries.js';
import type { Diagnostic } from '../src/core/errors/index.js';
import { FETCHING_ATTRIBUTES, fetchedUrls, isFetchingAttribute, srcsetUrls } from '../src/format/index.js';
import { findStaticReferences } from '../src/runtime/host/static-references.js';
import { tempDir } from './helpers/temp.js';

describe('what a page fetches (format/fetches.ts)', () => {
  it('knows which attributes fetch, and that navigation and page links do not', () => {
    const cases: Array<[string, string, string[], boolean]> = [
      ['img', 'src', [], true],
      ['img', 'srcset', [], true],
      ['img', 'alt', [], false],
      ['video', 'poster', [], true],
      ['svg:image', 'href', [], true],
      ['use', 'xlink:href', [], true],
      ['td', 'background', [], true],
      ['link', 'imagesrcset', ['preload'], true],
      ['link', 'href', ['icon'], true],
      ['link', 'href', [], true],
      ['link', 'href', ['canonical'], false],
      ['link', 'href', ['alternate', 'icon'], true],
      ['a', 'href', [], false],
      ['area', 'href', [], false],
      ['form', 'action', [], false],
    ];
    expect(cases.map(([tag, attribute, rel]) => isFetchingAttribute(tag, attribute, rel))).toEqual(cases.map((c) => c[3]));
  });

  it('reads a srcset as HTML does: a URL ends at whitespace, so a comma inside one stays', () => {
    expect(srcsetUrls('a.jpg 1x, b@2x.jpg 2x')).toEqual([
      { url: 'a.jpg', offset: 0 },
      { url: 'b@2x.jpg', offset: 10 },
    ]);
    expect(srcsetUrls('data:image/png;base64,AAAA 1x,c.png 2x').map((c) => c.url)).toEqual(['data:image/png;base64,AAAA', 'c.png']);
    expect(srcsetUrls('x.png, y.png 2x,').map((c) => c.url)).toEqual(['x.png', 'y.png']);
    expect(fetchedUrls('imagesrcset', 'p.png 1x, q.png 2x')).toEqual(['p.png', 'q.png']);
    expect(fetchedUrls('src', '  img/a.png ')).toEqual(['img/a.png']);
  });

  // One page with every fetching attribute of the table: the build must copy what each names, and
  // conformance must check each against allowedDomains. A side that kept a table of its own fails here.
  const everyAttribute = Object.entries(FETCHING_ATTRIBUTES)
    .flatMap(([tag, names]) => names.map((name) => ({ tag, name, file: `f/${tag}-${name.replace(':', '-')}.png` })))
    .concat([{ tag: 'td', name: 'background', file: 'f/td-background.png' }]);
  const page = (url: (file: string) => string) =>
    `<html><body>${everyAttribute.map(({ tag, name, file }) => `<${tag} ${tag === 'link' ? 'rel="icon" ' : ''}${name}="${url(file)}${name.endsWith('srcset') ? ' 2x' : ''}"></${tag}>`).join('\n')}</body></html>`;

  it('the build copies the file every fetching attribute names (scripts are bundled instead)', () => {
    const project = tempDir('fetches');
    for (const { file } of everyAttribute) {
      mkdirSync(dirname(join(project, file)), { recursive: true });
      writeFileSync(join(project, file), 'x');
    }
    const warnings: Diagnostic[] = [];
    const copied = findCopiedFiles(
      project,
      'index.html',
      page((f) => f),
      warnings,
    );
    expect(warnings).toEqual([]);
    expect(copied.map((c) => c.name).sort()).toEqual(
      everyAttribute
        .filter((a) => a.tag !== 'script')
        .map((a) => a.file)
        .sort(),
    );
  });

  it('conformance reports every fetching attribute that names a host outside allowedDomains', () => {
    const html = page((f) => `https://tracker.example/${f}`);
    const refs = findStaticReferences({ 'index.html': new TextEncoder().encode(html) }, ['api.example.com'], 'https://app.invalid');
    expect(refs.map((r) => r.url).sort()).toEqual(everyAttribute.map((a) => `https://tracker.example/${a.file}`).sort());
    const linked = findStaticReferences(
      { 'index.html': new TextEncoder().encode('<link rel="canonical" href="https://tracker.example/page"><a href="https://tracker.example/x">x</a>') },
      [],
      'https://app.invalid',
    );
    expect(linked).toEqual([]);
  });
});
