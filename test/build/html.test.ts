import { describe, expect, it } from 'vitest';
import { applyEdits, attr, isExternalUrl, isStylesheetLink, scanTags, scriptKind } from '../../src/build/html.js';

describe('entry HTML scanner', () => {
  it('finds script and link tags with double, single and unquoted values and any attribute order', () => {
    const html = `<link href='a.css' rel="stylesheet"><link rel=stylesheet href=b.css><script defer src="c.ts" type=module></script>`;
    const tags = scanTags(html).filter((t) => t.name !== 'head');
    expect(tags.map((t) => [t.name, attr(t, 'src')?.value ?? attr(t, 'href')?.value])).toEqual([
      ['link', 'a.css'],
      ['link', 'b.css'],
      ['script', 'c.ts'],
    ]);
    expect(tags.slice(0, 2).every(isStylesheetLink)).toBe(true);
    expect(scriptKind(tags[2]!)).toBe('module');
  });

  it('ignores tags inside comments, inline scripts, styles and textareas', () => {
    const html = [
      '<!-- <script src="commented.js"></script> -->',
      '<script>document.write(\'<script src="inline.js"></\' + "script>")</script>',
      '<style>/* <link rel="stylesheet" href="x.css"> */</style>',
      '<textarea><script src="text.js"></script></textarea>',
      '<SCRIPT SRC="real.js"></SCRIPT>',
    ].join('\n');
    const srcs = scanTags(html)
      .map((t) => attr(t, 'src')?.value)
      .filter(Boolean);
    expect(srcs).toEqual(['real.js']);
  });

  it('decodes entities and keeps a ">" inside a quoted value', () => {
    const [tag] = scanTags('<script src="a.js?x=1&amp;y=2" data-x="1 > 0"></script>');
    expect(attr(tag!, 'src')!.value).toBe('a.js?x=1&y=2');
    expect(attr(tag!, 'data-x')!.value).toBe('1 > 0');
  });

  it('tells module, classic and data scripts apart', () => {
    const kinds = scanTags('<script src=a></script><script type="text/javascript" src=b></script><script type="MODULE" src=c></script><script type="application/ld+json"></script>').map(scriptKind);
    expect(kinds).toEqual(['classic', 'classic', 'module', 'other']);
  });

  it('rewrites only the attribute values it is asked to', () => {
    const html = `<html>\n  <script type="module" src='./src/main.ts'></script>\n</html>`;
    const src = attr(scanTags(html).find((t) => t.name === 'script')!, 'src')!;
    expect(applyEdits(html, [{ start: src.valueStart!, end: src.valueEnd!, text: 'assets/main-ABC.js' }])).toBe(`<html>\n  <script type="module" src='assets/main-ABC.js'></script>\n</html>`);
  });

  it('leaves external URLs alone', () => {
    expect(['https://cdn.x/a.js', '//cdn.x/a.js', 'data:text/javascript,1', 'HTTP://x'].every(isExternalUrl)).toBe(true);
    expect(['./a.js', '/src/a.ts', 'a.ts'].some(isExternalUrl)).toBe(false);
  });
});
