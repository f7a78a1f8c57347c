import { DEV_PREFIX } from './protocol.js';

/**
 * The script tag served HTML gets: it runs before the app's scripts, so MiniAppBridge exists when they
 * start. `build` is the hash of the build this HTML belongs to ("" for the build-failed page): the client
 * compares it with the one the server announces on every (re)connect, and reloads when they differ.
 */
export function clientScriptTag(token: string, build = ''): string {
  return `<script src="${DEV_PREFIX}client.js" data-miniapp-token="${token}" data-miniapp-build="${build}"></script>`;
}

/**
 * Injects the live-reload client into an HTML document: right after <head> (or <html>, or at the very
 * start when the document has neither), so it runs before any script of the app.
 */
export function injectClient(html: string, token: string, build = ''): string {
  const tag = clientScriptTag(token, build);
  const head = /<head(?:\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
  const root = /<html(?:\s[^>]*)?>/i.exec(html);
  if (root) return html.slice(0, root.index + root[0].length) + tag + html.slice(root.index + root[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  if (doctype) return doctype[0] + tag + html.slice(doctype[0].length);
  return tag + html;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page served in place of the app while no build has succeeded yet: it reloads itself once one does. */
export function buildFailedPage(errors: { code: string; message: string; file?: string; line?: number; column?: number; frame?: string }[], token: string): string {
  const items = errors
    .map((e) => {
      const where = e.file ? `${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''} ` : '';
      return `<li><code>${escapeHtml(where)}${escapeHtml(e.code)}</code> ${escapeHtml(e.message)}${e.frame ? `<pre>${escapeHtml(e.frame)}</pre>` : ''}</li>`;
    })
    .join('');
  return `<!doctype html><html><head>${clientScriptTag(token)}<meta charset="utf-8"><title>Build failed</title></head><body style="font:14px system-ui;padding:1em"><h1>The app does not build yet</h1><ul>${items}</ul><p>Fix the problems above; this page reloads when the build succeeds.</p></body></html>`;
}
