import { posix } from 'node:path';
import { applyEdits, attr, escapeAttribute, isExternalUrl, scanTags, type HtmlEdit } from './html.js';

// A web app manifest (the PWA one, which create-react-app and Vite put at public/manifest.json) is not
// the mini-program manifest, though both want to be manifest.json at the package root. It is told apart
// by its shape, not its name.

/** The members only a W3C web app manifest has. */
const WEB_MANIFEST_MEMBERS = ['start_url', 'display', 'display_override', 'icons', 'short_name', 'theme_color', 'background_color', 'scope', 'orientation', 'shortcuts'];

/** Where the web app manifest goes when the build moves it aside. */
export const WEB_MANIFEST_NAME = 'site.webmanifest';

/** True for a JSON object shaped like a web app manifest and not like a mini-program manifest. */
export function isWebAppManifest(bytes: Uint8Array): boolean {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return false;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const o = value as Record<string, unknown>;
  if ('entryPoint' in o || 'minHostVersion' in o) return false;
  return WEB_MANIFEST_MEMBERS.some((m) => m in o);
}

/**
 * Points the HTML's <link rel="manifest"> at site.webmanifest when it named the root manifest.json;
 * returns the HTML unchanged otherwise.
 */
export function relinkWebManifest(html: string, htmlPath: string): { html: string; relinked: boolean } {
  const edits: HtmlEdit[] = [];
  const htmlDir = posix.dirname(htmlPath);
  for (const tag of scanTags(html)) {
    if (tag.name !== 'link' || !(attr(tag, 'rel')?.value.toLowerCase().split(/\s+/) ?? []).includes('manifest')) continue;
    const href = attr(tag, 'href');
    if (!href || href.valueStart === undefined || isExternalUrl(href.value)) continue;
    const clean = href.value.trim().replace(/[?#].*$/, '');
    const resolved = clean.startsWith('/') ? clean.slice(1) : posix.normalize(posix.join(htmlDir, clean));
    if (resolved !== 'manifest.json') continue;
    const text = href.value.replace(/manifest\.json(?=[?#]|$)/, WEB_MANIFEST_NAME);
    edits.push({ start: href.valueStart, end: href.valueEnd!, text: escapeAttribute(text) });
  }
  return { html: applyEdits(html, edits), relinked: edits.length > 0 };
}
