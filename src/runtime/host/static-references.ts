import { FETCHING_ON_ANY_ELEMENT, isFetchingAttribute, isSrcsetAttribute, srcsetUrls } from '../../format/index.js';
import { checkUrl } from './network-policy.js';

/**
 * References a real WebView fetches but the headless DOM does not (srcset, CSS url() and @import, SVG
 * <image href>, media sources and posters, icons, <object data>, preload links...), found statically
 * in the package's HTML, SVG and CSS. Each one to a host outside allowedDomains is a reference the
 * runtime cannot catch while the app runs, so conformance fails on it. Plain navigation (<a href>,
 * <area href>, <form action>) is not a fetch. A tolerant scanner (regular expressions over the text,
 * comments and script bodies blanked first), not a parser: it reports file and line.
 */
export interface StaticReference {
  file: string;
  line: number;
  column: number;
  /** Where the reference is, e.g. "<img srcset>", "<link rel=icon href>", "CSS url()", "CSS @import". */
  where: string;
  url: string;
  reason: string;
  /** The headless DOM fetches this one too (a script, an image src, a stylesheet): the run-time policy also sees it. */
  headless?: true;
}

const MAX_REFERENCES = 200;

const SKIPPED_SCHEMES = /^(?:data|blob|javascript|mailto|tel|sms|about):/i;

const blank = (s: string) => s.replace(/[^\n]/g, ' ');

/** url(...) and @import references of a CSS text (comments blanked by the caller). */
function cssUrls(css: string): Found[] {
  const out: Found[] = [];
  const url = /url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)/gi;
  for (let m; (m = url.exec(css)); ) out.push({ url: m[1] ?? m[2] ?? m[3] ?? '', offset: m.index, where: 'CSS url()' });
  const imports = /@import\s+(?:"([^"]*)"|'([^']*)')/gi;
  for (let m; (m = imports.exec(css)); ) out.push({ url: m[1] ?? m[2] ?? '', offset: m.index, where: 'CSS @import' });
  return out;
}

type Found = { url: string; offset: number; where: string; headless?: true };

/** What happy-dom loads itself (through the runtime's policy): script src, img src, stylesheet links. */
const loadedHeadless = (tag: string, attr: string, rel: string[]) =>
  (tag === 'script' && attr === 'src') || (tag === 'img' && attr === 'src') || (tag === 'link' && attr === 'href' && rel.includes('stylesheet'));

function htmlReferences(html: string): Found[] {
  // Comments and script bodies never fetch through attributes; blanking keeps every offset (and line).
  const text = html.replace(/<!--[\s\S]*?-->/g, blank).replace(/(<script\b[^>]*>)([\s\S]*?)(<\/script\s*>)/gi, (_m, open: string, body: string, close: string) => open + blank(body) + close);
  const found: Found[] = [];
  const styles = /(<style\b[^>]*>)([\s\S]*?)<\/style\s*>/gi;
  for (let m; (m = styles.exec(text)); ) {
    const bodyAt = m.index + m[1]!.length;
    for (const r of cssUrls(m[2]!.replace(/\/\*[\s\S]*?\*\//g, blank))) found.push({ ...r, offset: bodyAt + r.offset });
  }
  const tags = /<([a-zA-Z][\w:-]*)(\s[^>]*)?>/g;
  for (let m; (m = tags.exec(text)); ) {
    const tag = m[1]!.toLowerCase();
    const attrsAt = m.index + 1 + m[1]!.length;
    const attrs = attributes(m[2] ?? '');
    const rel = (attrs.find((a) => a.name === 'rel')?.value ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    for (const a of attrs) {
      const at = attrsAt + a.offset;
      if (a.name === 'style') for (const r of cssUrls(a.value)) found.push({ ...r, where: `${r.where} in <${tag} style>`, offset: at + r.offset });
      else if (FETCHING_ON_ANY_ELEMENT.includes(a.name)) found.push({ url: a.value, offset: at, where: `<${tag} ${a.name}>` });
      else if (isFetchingAttribute(tag, a.name, rel)) {
        const where = tag === 'link' ? `<link${rel.length ? ` rel=${rel.join(' ')}` : ''} ${a.name}>` : `<${tag} ${a.name}>`;
        if (isSrcsetAttribute(a.name)) for (const c of srcsetUrls(a.value)) found.push({ url: c.url, offset: at + c.offset, where });
        else found.push({ url: a.value.trim(), offset: at, where, ...(loadedHeadless(tag, a.name, rel) ? { headless: true as const } : {}) });
      }
    }
  }
  return found;
}

/** The attributes of a tag's text, with each value's offset in it (entities &amp; and &#47; decoded). */
function attributes(text: string): Array<{ name: string; value: string; offset: number }> {
  const out: Array<{ name: string; value: string; offset: number }> = [];
  const attr = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
  for (let m; (m = attr.exec(text)); ) {
    const raw = m[2] ?? m[3] ?? m[4];
    if (raw === undefined) continue;
    const value = raw
      .replace(/&amp;/g, '&')
      .replace(/&#0*47;|&sol;/g, '/')
      .replace(/&colon;|&#0*58;/g, ':');
    out.push({ name: m[1]!.toLowerCase(), value, offset: m.index + m[0].length - raw.length - (m[4] === undefined ? 1 : 0) });
  }
  return out;
}

const lineAndColumn = (text: string, offset: number) => {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
};

/**
 * Every static reference of the package to a host outside `allowedDomains` (or over anything but
 * https, on another port, with user:password@, to an IP literal): the same policy as every request at
 * run time (network-policy.ts). At most 200.
 */
export function findStaticReferences(files: Record<string, Uint8Array>, allowedDomains: readonly string[], origin: string): StaticReference[] {
  const out: StaticReference[] = [];
  const decoder = new TextDecoder();
  for (const file of Object.keys(files).sort()) {
    const isMarkup = /\.(?:html?|xhtml|svg)$/i.test(file);
    if (!isMarkup && !/\.css$/i.test(file)) continue;
    const text = decoder.decode(files[file]);
    const found = isMarkup ? htmlReferences(text) : cssUrls(text.replace(/\/\*[\s\S]*?\*\//g, blank));
    for (const ref of found.sort((a, b) => a.offset - b.offset)) {
      const url = ref.url.trim();
      if (!url || url.startsWith('#') || SKIPPED_SCHEMES.test(url)) continue;
      let parsed: URL;
      try {
        parsed = new URL(url, `${origin}/${file}`);
      } catch {
        continue; // not a URL a WebView could fetch either
      }
      if (parsed.origin === origin) continue;
      const verdict = checkUrl(parsed.href, allowedDomains);
      if (verdict.allowed) continue;
      out.push({ file, ...lineAndColumn(text, ref.offset), where: ref.where, url: parsed.href.slice(0, 2000), reason: verdict.reason, ...(ref.headless ? { headless: true as const } : {}) });
      if (out.length >= MAX_REFERENCES) return out;
    }
  }
  return out;
}
