import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintBundle } from '../../src/build/lint.js';
import type { Manifest } from '../../src/manifest/types.js';
import { tempDir } from '../helpers/temp.js';

const manifest = (patch: Partial<Manifest> = {}): Manifest => ({
  id: 'com.partner.shop',
  version: '1.0.0',
  minHostVersion: '3.0.0',
  entryPoint: 'index.html',
  permissions: ['camera', 'storage'],
  allowedDomains: ['api.partner.com'],
  ...patch,
});
const lint = (code: string, patch: Partial<Manifest> = {}, path = 'assets/main.js') =>
  lintBundle({ manifest: manifest(patch), projectDir: tempDir('lint'), code: new Map([[path, code]]), inputs: [] });
const codes = (list: { code: string }[]) => list.map((d) => d.code).sort();

describe('manifest-code lint', () => {
  it('warns about a method newer than minHostVersion that is not guarded by canIUse', () => {
    const r = lint('MiniAppBridge.call("camera.scanCode",{});MiniAppBridge.call("storage.get",{key:"a"})');
    expect(codes(r.warnings)).toEqual(['BRIDGE_METHOD_UNGUARDED']);
    expect(r.warnings[0]!.message).toContain('3.2.0');
    expect(r.warnings[0]!.hint).toContain('canIUse("camera.scanCode")');
  });

  it('accepts the same call behind canIUse, or when minHostVersion already has the method', () => {
    expect(lint('if(b.canIUse("camera.scanCode"))b.call("camera.scanCode",{});b.call("storage.get",{key:"a"})').warnings).toEqual([]);
    expect(lint('b.call("camera.scanCode",{});b.call("storage.get",{key:"a"})', { minHostVersion: '3.2.0' }).warnings).toEqual([]);
  });

  it('counts methods without a permission as bridge calls too', () => {
    const r = lint('b.call("ui.toast",{message:"hi"})', { permissions: [] });
    expect(r.methods).toEqual(['ui.toast']);
    expect(r.errors).toEqual([]);
  });

  it('an undeclared permission is an error, an unused one a warning, an unlisted https host a warning', () => {
    // In the entry HTML, so the URL is the app's own (URLs found only in dependencies are not reported).
    const r = lint('<script>b.call("payment.pay",{});fetch("https://tracker.example.net/x")</script>', { permissions: ['storage'] }, 'index.html');
    expect(codes(r.errors)).toEqual(['BRIDGE_PERMISSION_UNDECLARED']);
    expect(codes(r.warnings)).toEqual(['BUILD_URL_NOT_ALLOWED', 'PERMISSION_UNUSED']);
    expect(r.warnings.find((w) => w.code === 'BUILD_URL_NOT_ALLOWED')!.message).toContain('"tracker.example.net" is not in allowedDomains');
  });
});

describe('the URL lint reads code, not prose', () => {
  // The code is the app's own source too (URLs only found in dependencies are never reported).
  const lint = (code: string, patch: Partial<Manifest> = {}, path = 'assets/main.js') => {
    const projectDir = tempDir('lint');
    writeFileSync(join(projectDir, 'source.js'), code);
    return lintBundle({ manifest: manifest(patch), projectDir, code: new Map([[path, code]]), inputs: ['source.js'] });
  };
  const hosts = (r: { warnings: { code: string; message: string }[] }) => r.warnings.filter((w) => w.code === 'BUILD_URL_NOT_ALLOWED').map((w) => /contains (\S+),/.exec(w.message)?.[1]);

  it('leaves out URLs in comments and licence banners, keeps the ones the code fetches', () => {
    const code = [
      '/*! @license MIT https://github.com/partner/lib/blob/main/LICENSE */',
      '// see https://docs.example.org/why for details',
      '/** @see https://jsdoc.example.net/a */',
      'const re = /https?:\\/\\//; const s = "// not a comment https://api.tracker.io/collect";',
      'fetch(`https://cdn.example.com/${name}`);',
    ].join('\n');
    expect(hosts(lint(code))).toEqual(['https://api.tracker.io', 'https://cdn.example.com']);
  });

  it('leaves out <a href> links and HTML comments, keeps what the page loads', () => {
    const html =
      '<!-- https://commented.example.com -->\n<a href="https://github.com/partner/app">source</a>\n<img src="https://images.example.com/x.png">\n<script>/* https://inline-comment.example.com */ fetch("https://inline.example.com/a")</script>';
    expect(hosts(lint(html, {}, 'index.html'))).toEqual(['https://images.example.com', 'https://inline.example.com']);
  });

  it('leaves out link targets compiled from JSX or a template (href: "…"), not fetches', () => {
    expect(hosts(lint('jsx("a",{href:"https://partner.example.com/help",children:"help"});fetch("https://api.other.com/x")'))).toEqual(['https://api.other.com']);
  });

  it('leaves out comments in CSS, keeps url()', () => {
    expect(hosts(lint('/* https://fonts.comment.com */ body{background:url(https://img.example.com/b.png)}', {}, 'assets/a.css'))).toEqual(['https://img.example.com']);
  });
});
