import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBuildContext } from '../../src/build/index.js';
import type { BuildOutput } from '../../src/build/types.js';
import { baseManifest, makeProject } from '../helpers/project.js';

const text = (out: BuildOutput, name: string) => new TextDecoder().decode(out.files.get(name));
const codes = (list: { code: string }[]) => list.map((d) => d.code);

async function buildOnce(dir: string, options: Parameters<typeof createBuildContext>[0] extends infer O ? Partial<O> : never = {}) {
  const ctx = createBuildContext({ projectDir: dir, ...options });
  try {
    return await ctx.rebuild();
  } finally {
    await ctx.dispose();
  }
}

describe('createBuildContext', () => {
  it('bundles what the entry HTML references into hashed files and rewrites the HTML to them', async () => {
    const dir = makeProject({
      'index.html': `<!doctype html>\n<html><head>\n<link rel="stylesheet" href="./src/style.css">\n<link rel="icon" href="icon.png">\n</head>\n<body>\n<!-- <script src="./src/missing.ts"></script> -->\n<script type="module" src="/src/main.ts"></script>\n<script src='src/legacy.js' defer></script>\n<script src="https://cdn.example.com/x.js"></script>\n</body></html>\n`,
      'src/legacy.js': 'window.legacyLoaded = true;\n',
      'src/main.ts': "import './extra.css';\nimport { greet } from './greet';\n(window as any).MiniAppBridge.call('storage.get', { key: greet('a') });\n",
      'src/extra.css': 'h1 { margin: 0 }\n',
      'public/icon.png': new Uint8Array([137, 80, 78, 71]),
      'public/data/info.txt': 'static\n',
    });
    const out = await buildOnce(dir);
    expect(out.errors).toEqual([]);
    expect(out.ok).toBe(true);
    const names = [...out.files.keys()];
    expect(names).toEqual([...names].sort());
    expect(names).toContain('manifest.json');
    expect(names).toContain('index.html');
    expect(names).toContain('icon.png');
    expect(names).toContain('data/info.txt');
    const js = names.filter((n) => /^assets\/main-[A-Z0-9]{8}\.js$/.test(n));
    const legacy = names.filter((n) => /^assets\/legacy-[A-Z0-9]{8}\.js$/.test(n));
    const css = names.filter((n) => n.endsWith('.css'));
    expect(js).toHaveLength(1);
    expect(legacy).toHaveLength(1);
    expect(css).toHaveLength(2); // style.css, and extra.css imported by main.ts
    const html = text(out, 'index.html');
    expect(html).toContain(`<script type="module" src="${js[0]}"></script>`);
    expect(html).toContain(`<script src='${legacy[0]}' defer></script>`);
    for (const c of css) expect(html).toContain(`href="${c}"`);
    expect(html).toContain('<!-- <script src="./src/missing.ts"></script> -->');
    expect(html).toContain('https://cdn.example.com/x.js');
    expect(html).toContain('href="icon.png"');
    // Production: minified, no source maps in the package, maps set aside.
    expect(names.some((n) => n.endsWith('.map'))).toBe(false);
    expect([...out.sourcemaps.keys()].some((n) => n === `${js[0]}.map`)).toBe(true);
    expect(text(out, js[0]!)).not.toContain('longDescriptiveName');
    expect(text(out, js[0]!)).not.toContain('sourceMappingURL');
    expect(text(out, legacy[0]!)).toMatch(/^\(\(\)=>\{|^\(function/);
    expect(out.modules.map((m) => m.path)).toContain('src/greet.ts');
    expect(out.watchFiles).toContain(join(out.watchFiles[0]!, '..', 'src', 'greet.ts'));
  });

  it('development mode keeps names readable and inlines source maps', async () => {
    const out = await buildOnce(makeProject(), { mode: 'development' });
    const js = [...out.files.keys()].find((n) => n.endsWith('.js'))!;
    expect(text(out, js)).toContain('longDescriptiveName');
    expect(text(out, js)).toContain('sourceMappingURL=data:application/json');
    expect(out.sourcemaps.size).toBe(0);
  });

  it('--sourcemap linked puts maps in the package; none drops them', async () => {
    const dir = makeProject();
    const linked = await buildOnce(dir, { sourcemap: 'linked' });
    expect([...linked.files.keys()].some((n) => n.endsWith('.js.map'))).toBe(true);
    const none = await buildOnce(dir, { sourcemap: 'none' });
    expect([...none.files.keys()].some((n) => n.endsWith('.map'))).toBe(false);
    expect(none.sourcemaps.size).toBe(0);
  });

  it('rewrites paths relative to an entry HTML in a subfolder', async () => {
    const dir = makeProject({ 'pages/index.html': '<script type="module" src="../src/main.ts"></script>' }, { entryPoint: 'pages/index.html' });
    const out = await buildOnce(dir);
    expect(out.errors).toEqual([]);
    expect(text(out, 'pages/index.html')).toMatch(/src="\.\.\/assets\/main-[A-Z0-9]+\.js"/);
  });

  it('reports a syntax error at file:line:column with a code frame', async () => {
    const dir = makeProject({ 'src/greet.ts': 'export function greet(name: string) {\n  return name +;\n}\n' });
    const out = await buildOnce(dir);
    expect(out.ok).toBe(false);
    expect(out.files.size).toBe(0);
    expect(out.errors[0]).toMatchObject({ code: 'BUILD_ERROR', file: 'src/greet.ts', line: 2, column: 16 });
    expect(out.errors[0]!.frame).toBe('  2 |   return name +;\n    |                ^');
  });

  it('reports an unresolved import with its location', async () => {
    const out = await buildOnce(makeProject({ 'src/main.ts': "import { x } from './nope';\nconsole.log(x);\n" }));
    expect(out.errors[0]).toMatchObject({ code: 'BUILD_UNRESOLVED_IMPORT', file: 'src/main.ts', line: 1, column: 19 });
  });

  it('reports a script the HTML references but that does not exist, at the tag', async () => {
    const out = await buildOnce(makeProject({ 'index.html': '<html>\n<script type="module" src="./src/mian.ts"></script>\n</html>' }));
    expect(out.errors).toMatchObject([{ code: 'BUILD_HTML_REFERENCE_MISSING', file: 'index.html', line: 2, column: 28 }]);
  });

  it('leaves a root-relative reference to a public/ file as written', async () => {
    const out = await buildOnce(makeProject({ 'index.html': '<script src="/vendor/lib.js"></script><script type="module" src="/src/main.ts"></script>', 'public/vendor/lib.js': 'var lib = 1;' }));
    expect(out.errors).toEqual([]);
    expect(text(out, 'index.html')).toContain('<script src="/vendor/lib.js"></script>');
    expect(text(out, 'vendor/lib.js')).toBe('var lib = 1;');
  });

  it('refuses public files the strict reader would refuse, naming them', async () => {
    const dir = makeProject({ 'public/Logo.png': 'a', 'public/logo.png': 'b', 'public/a:b.txt': 'c', 'public/manifest.json': '{}' });
    symlinkSync('/etc/hostname', join(dir, 'public', 'link.txt'));
    const out = await buildOnce(dir);
    expect(out.ok).toBe(false);
    const byCode = (code: string) => out.errors.filter((e) => e.code === code).map((e) => e.file);
    expect(byCode('BUILD_SYMLINK')).toEqual(['public/link.txt']);
    expect(byCode('BUILD_UNSAFE_PATH')).toEqual(['public/a:b.txt']);
    expect(byCode('BUILD_PATH_COLLISION')).toEqual(['public/logo.png']);
    // Not "the same name on case-insensitive file systems": the same name, from two places.
    expect(byCode('BUILD_PATH_DUPLICATE')).toEqual(['public/manifest.json']);
  });

  it('does not build when manifest.json has errors, and reports those first and alone', async () => {
    const out = await buildOnce(makeProject({ 'src/greet.ts': 'export const greet = (;\n' }, { id: 'Not Valid' }));
    expect(out.ok).toBe(false);
    expect(codes(out.errors)).toEqual(['MANIFEST_INVALID_ID']);
    const missing = await buildOnce(makeProject({}, { entryPoint: 'app.html' }));
    expect(codes(missing.errors)).toEqual(['MANIFEST_ENTRY_POINT_MISSING']);
  });

  it('lint: an undeclared permission is an error, an unused one a warning, a foreign URL a warning', async () => {
    const dir = makeProject(
      {
        'src/main.ts': [
          'const call = (m: string, p?: unknown) => (window as any).MiniAppBridge.call(m, p);',
          "call('storage.set', { key: 'a', value: 'b' });",
          "call('payment.pay', { amount: 1 });",
          "fetch('https://api.example.com/ok');",
          "fetch('https://tracker.example.net/collect');",
          "fetch('https://cdn.api.example.com/x');",
          '',
        ].join('\n'),
      },
      { permissions: ['storage', 'camera'], allowedDomains: ['api.example.com'] },
    );
    const out = await buildOnce(dir);
    expect(out.ok).toBe(false);
    expect(out.errors).toMatchObject([{ code: 'BRIDGE_PERMISSION_UNDECLARED', file: 'src/main.ts', line: 3 }]);
    expect(out.errors[0]!.message).toContain('"payment.pay"');
    expect(codes(out.warnings).sort()).toEqual(['BUILD_URL_NOT_ALLOWED', 'BUILD_URL_NOT_ALLOWED', 'PERMISSION_UNUSED']);
    expect(out.warnings.find((w) => w.code === 'PERMISSION_UNUSED')).toMatchObject({ file: 'manifest.json', pointer: '/permissions/1', line: expect.any(Number) });
    expect(
      out.warnings
        .filter((w) => w.code === 'BUILD_URL_NOT_ALLOWED')
        .map((w) => w.message)
        .join(),
    ).toMatch(/tracker\.example\.net.*cdn\.api\.example\.com|cdn\.api\.example\.com.*tracker\.example\.net/);
  });

  it('lint checks development builds too (code with an inline source map), on every rebuild', async () => {
    const dir = makeProject({ 'src/main.ts': "(window as any).MiniAppBridge.call('storage.get', { key: 'a' });\n" });
    const ctx = createBuildContext({ projectDir: dir, mode: 'development' });
    try {
      expect((await ctx.rebuild()).ok).toBe(true);
      writeFileSync(join(dir, 'src/main.ts'), "(window as any).MiniAppBridge.call('payment.pay', { orderId: 'o1', amount: 1 });\n");
      const out = await ctx.rebuild();
      expect(out.ok).toBe(false);
      expect(out.errors).toMatchObject([{ code: 'BRIDGE_PERMISSION_UNDECLARED', file: 'src/main.ts', line: 1 }]);
    } finally {
      await ctx.dispose();
    }
  });

  it('lint reads the shipped code: a call removed by tree shaking does not count', async () => {
    const dir = makeProject({
      'src/unused.ts': "export const never = () => (window as any).MiniAppBridge.call('camera.scanCode');\n",
      'src/main.ts': "import './unused';\n(window as any).MiniAppBridge.call('storage.get', { key: 'a' });\n",
    });
    const out = await buildOnce(dir);
    expect(out.errors).toEqual([]);
  });

  it('runs overlapping rebuild calls one after the other', async () => {
    const ctx = createBuildContext({ projectDir: makeProject() });
    try {
      const [a, b] = await Promise.all([ctx.rebuild(), ctx.rebuild()]);
      expect(a.ok && b.ok).toBe(true);
      expect([...a.files.keys()]).toEqual([...b.files.keys()]);
    } finally {
      await ctx.dispose();
    }
  });

  it('rebuilds incrementally and picks up changes to sources, HTML and manifest', async () => {
    const dir = makeProject();
    const ctx = createBuildContext({ projectDir: dir });
    try {
      const first = await ctx.rebuild();
      expect(first.ok).toBe(true);
      writeFileSync(join(dir, 'src/greet.ts'), 'export const greet = (n: string) => `bye ${n}`;\n');
      const second = await ctx.rebuild();
      const js = [...second.files.keys()].find((n) => n.endsWith('.js'))!;
      expect(new TextDecoder().decode(second.files.get(js))).toContain('bye');
      expect([...first.files.keys()]).not.toContain(js);
      mkdirSync(join(dir, 'src/more'), { recursive: true });
      writeFileSync(join(dir, 'src/more/b.ts'), "console.log('second entry');\n");
      writeFileSync(join(dir, 'index.html'), '<script type="module" src="src/main.ts"></script><script type="module" src="src/more/b.ts"></script>');
      const third = await ctx.rebuild();
      expect([...third.files.keys()].filter((n) => n.endsWith('.js')).length).toBeGreaterThanOrEqual(2);
      writeFileSync(join(dir, 'manifest.json'), '{ broken');
      const fourth = await ctx.rebuild();
      expect(fourth.ok).toBe(false);
      expect(codes(fourth.errors)).toContain('MANIFEST_SYNTAX');
      // Fixed manifest, one entry again: the build follows the HTML, not the entries of the last build.
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...baseManifest }));
      writeFileSync(join(dir, 'index.html'), '<script type="module" src="src/more/b.ts"></script>');
      const fifth = await ctx.rebuild();
      expect(fifth.ok).toBe(true);
      const scripts = [...fifth.files.keys()].filter((n) => n.endsWith('.js'));
      expect(scripts).toHaveLength(1);
      expect(new TextDecoder().decode(fifth.files.get(scripts[0]!))).toContain('second entry');
    } finally {
      await ctx.dispose();
      await ctx.dispose();
    }
  });

  it('bundleOutputs "disk" gives the same package and maps as memory, follows rebuilds and leaves nothing behind', async () => {
    const dir = makeProject({ 'index.html': '<script type="module" src="src/main.ts"></script><script src="src/legacy.js"></script>', 'src/legacy.js': 'window.legacy = 1;\n' });
    const memory = await buildOnce(dir);
    const ctx = createBuildContext({ projectDir: dir, bundleOutputs: 'disk' });
    const leftovers = () => readdirSync(dir).filter((n) => n.startsWith('.miniapp-out'));
    try {
      const disk = await ctx.rebuild();
      expect(disk.ok).toBe(true);
      expect([...disk.files.keys()]).toEqual([...memory.files.keys()]);
      const same = (a: Map<string, Uint8Array>, b: Map<string, Uint8Array>) => [...a.keys()].length > 0 && [...a].every(([name, data]) => b.has(name) && Buffer.from(data).equals(b.get(name)!));
      expect(same(memory.files, disk.files)).toBe(true);
      // The external maps stay where esbuild wrote them, to be moved beside the package, not read.
      expect(disk.sourcemaps.size).toBe(0);
      expect([...disk.sourcemapFiles!.keys()]).toEqual([...memory.sourcemaps.keys()]);
      expect(same(memory.sourcemaps, new Map([...disk.sourcemapFiles!].map(([name, file]) => [name, readFileSync(file)])))).toBe(true);
      expect(leftovers()).toHaveLength(1);
      writeFileSync(join(dir, 'src/greet.ts'), 'export const greet = (n: string) => `bye ${n}`;\n');
      const again = await ctx.rebuild();
      const js = [...again.files.keys()].find((n) => /main-.*\.js$/.test(n))!;
      expect(text(again, js)).toContain('bye');
      // The bundle the first build wrote is gone from the folder: a long session does not pile them up.
      const folder = join(dir, leftovers()[0]!, 'assets');
      expect(readdirSync(folder).filter((n) => n.startsWith('main-') && n.endsWith('.js'))).toEqual([js.slice('assets/'.length)]);
    } finally {
      await ctx.dispose();
    }
    expect(leftovers()).toEqual([]);
  });
});

describe('nothing is dropped without a word', () => {
  it('packages files the HTML loads as they are (icons, images) from the project, at their path', async () => {
    const out = await buildOnce(
      makeProject({
        'index.html':
          '<html><head><link rel="icon" href="./icons/favicon.png"><link rel="apple-touch-icon" href="icons/touch.png"></head><body><img src="img/hero.jpg" srcset="img/hero.jpg 1x, img/hero@2x.jpg 2x"><img src="img/gone.png"><script type="module" src="./src/main.ts"></script></body></html>',
        'icons/favicon.png': 'fav',
        'icons/touch.png': 'touch',
        'img/hero.jpg': 'hero',
        'img/hero@2x.jpg': 'hero2',
      }),
    );
    expect(out.ok).toBe(true);
    expect([...out.files.keys()].filter((n) => /^(icons|img)\//.test(n)).sort()).toEqual(['icons/favicon.png', 'icons/touch.png', 'img/hero.jpg', 'img/hero@2x.jpg']);
    expect(text(out, 'icons/favicon.png')).toBe('fav');
    expect(out.warnings).toMatchObject([{ code: 'BUILD_HTML_REFERENCE_MISSING', file: 'index.html', severity: 'warning' }]);
    expect(out.warnings[0]!.message).toContain('img/gone.png');
  });

  it('warns, with the path and the source line, about an asset the code names by a literal path that the package lacks', async () => {
    const out = await buildOnce(
      makeProject({
        'src/main.ts': "const logo = new Image();\nlogo.src = './img/logo.png';\ndocument.body.append(logo);\n(window as any).MiniAppBridge.call('storage.get', { key: 'k' });\n",
        'img/logo.png': 'not referenced from the HTML',
        'public/ok.png': 'packaged',
        'src/other.ts': '',
      }),
    );
    expect(out.ok).toBe(true);
    expect(out.warnings.filter((w) => w.code === 'BUILD_ASSET_NOT_PACKAGED')).toMatchObject([{ file: 'src/main.ts', line: 2, severity: 'warning' }]);
    expect(out.warnings.find((w) => w.code === 'BUILD_ASSET_NOT_PACKAGED')!.message).toContain('./img/logo.png');
    // One the package has is not reported.
    const fine = await buildOnce(makeProject({ 'src/main.ts': "const i = new Image(); i.src = 'ok.png';\n(window as any).MiniAppBridge.call('storage.get', { key: 'k' });\n", 'public/ok.png': 'x' }));
    expect(fine.warnings.filter((w) => w.code === 'BUILD_ASSET_NOT_PACKAGED')).toEqual([]);
  });
});

describe('a web app manifest (PWA) is not the mini-program manifest', () => {
  const pwa = JSON.stringify({ name: 'Shop', short_name: 'Shop', start_url: '.', display: 'standalone', icons: [{ src: 'logo192.png', sizes: '192x192' }] });
  const html = '<html><head><link rel="manifest" href="%PUBLIC%/manifest.json"></head><body><script type="module" src="./src/main.ts"></script></body></html>'.replace('%PUBLIC%', '.');

  it('says what it is, by its shape, and how to fix it', async () => {
    const out = await buildOnce(makeProject({ 'public/manifest.json': pwa, 'index.html': html }));
    expect(out.ok).toBe(false);
    expect(out.errors).toMatchObject([{ code: 'BUILD_WEB_MANIFEST_COLLISION', file: 'public/manifest.json' }]);
    expect(out.errors[0]!.message).toMatch(/web app manifest/);
    expect(out.errors[0]!.message).not.toMatch(/case-insensitive/);
    expect(out.errors[0]!.hint).toMatch(/site\.webmanifest.*--rename-web-manifest/);
  });

  it('with renameWebManifest, packages it as site.webmanifest and relinks the HTML', async () => {
    const out = await buildOnce(makeProject({ 'public/manifest.json': pwa, 'index.html': html }), { renameWebManifest: true });
    expect(out.errors).toEqual([]);
    expect(text(out, 'site.webmanifest')).toBe(pwa);
    expect(JSON.parse(text(out, 'manifest.json')).id).toBe(baseManifest.id);
    expect(text(out, 'index.html')).toContain('<link rel="manifest" href="./site.webmanifest">');
  });
});
