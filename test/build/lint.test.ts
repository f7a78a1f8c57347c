
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
