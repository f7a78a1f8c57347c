/**
 * What a browser (a real WebView) fetches from a page's markup, stated once: the build copies the files
 * these attributes name into the package (build/entries.ts), and conformance checks every one of them
 * against allowedDomains (runtime/host/static-references.ts). Plain navigation (<a href>, <area href>,
 * <form action>) is not a fetch. CSS fetches through url() and @import; an element's `style` attribute
 * is CSS too, which the reader of CSS handles.
 */

/** Attributes that make a fetch, by element (SVG's names lower-cased, as HTML parsers see them). */
export const FETCHING_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  img: ['src', 'srcset'],
  source: ['src', 'srcset'],
  video: ['src', 'poster'],
  audio: ['src'],
  track: ['src'],
  embed: ['src'],
  object: ['data'],
  iframe: ['src'],
  frame: ['src'],
  input: ['src'],
  script: ['src'],
  image: ['href', 'xlink:href'],
  use: ['href', 'xlink:href'],
  feimage: ['href', 'xlink:href'],
  link: ['href', 'imagesrcset'],
};

/** Attributes that make a fetch on any element (the legacy `background` of body, table, td...). */
export const FETCHING_ON_ANY_ELEMENT: readonly string[] = ['background'];

/** <link rel> values that fetch nothing (the link names a page, not a resource). */
export const NON_FETCHING_RELS: ReadonlySet<string> = new Set([
  'canonical',
  'alternate',
  'author',
  'bookmark',
  'help',
  'license',
  'next',
  'prev',
  'search',
  'me',
  'external',
  'nofollow',
  'noopener',
  'noreferrer',
  'opener',
  'tag',
]);

/**
 * Whether `<tag attribute=...>` makes the page fetch what it names. `tag` and `attribute` as a parser
 * reports them (lower case; an `svg:` prefix is ignored); `rel` is a <link>'s rel tokens, lower case.
 */
export function isFetchingAttribute(tag: string, attribute: string, rel: readonly string[] = []): boolean {
  if (FETCHING_ON_ANY_ELEMENT.includes(attribute)) return true;
  const element = tag.replace(/^svg:/, '');
  if (!FETCHING_ATTRIBUTES[element]?.includes(attribute)) return false;
  return !(element === 'link' && attribute === 'href' && rel.length > 0 && rel.every((r) => NON_FETCHING_RELS.has(r)));
}

/** A srcset-like attribute (srcset, imagesrcset): a list of candidate URLs, not one URL. */
export const isSrcsetAttribute = (attribute: string) => attribute.endsWith('srcset');

/** The candidate URLs of a srcset (HTML's parsing: a URL ends at whitespace; trailing commas end a candidate). */
export function srcsetUrls(value: string): Array<{ url: string; offset: number }> {
  const out: Array<{ url: string; offset: number }> = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && /[\s,]/.test(value[i]!)) i++;
    const start = i;
    while (i < value.length && !/\s/.test(value[i]!)) i++;
    let url = value.slice(start, i);
    const endsCandidate = url.endsWith(',');
    url = url.replace(/,+$/, '');
    if (url) out.push({ url, offset: start });
    if (!endsCandidate) {
      while (i < value.length && value[i] !== ',') i++;
    }
  }
  return out;
}

/** The URLs one fetching attribute names: each candidate of a srcset, else the value itself. */
export const fetchedUrls = (attribute: string, value: string): string[] => (isSrcsetAttribute(attribute) ? srcsetUrls(value).map((c) => c.url) : [value.trim()]);
