import { rmSync, renameSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevServer, createMemoryChannel, type DevServer, type DevServerEvent } from '../src/server/index.js';
import { MANIFEST, makeProject, until } from './helpers/serve-fixture.js';
import { tempDir } from './helpers/temp.js';

type Project = ReturnType<typeof makeProject>;
const open: { server?: DevServer; project?: Project }[] = [];
const cleanupAfter: (() => void)[] = [];

async function start(files: Record<string, string> = {}, options: { watch?: boolean } = {}) {
  const project = makeProject(files);
  const events: DevServerEvent[] = [];
  const channel = createMemoryChannel();
  const server = await createDevServer({ projectDir: project.dir, port: 0, channels: [channel], onEvent: (e) => events.push(e), watch: options.watch, ackTimeoutMs: 500 });
  open.push({ server, project });
  return { project, server, channel, events };
}

afterEach(async () => {
  for (const { server, project } of open.splice(0)) {
    await server?.close();
    project?.cleanup();
  }
  for (const f of cleanupAfter.splice(0)) f();
});

/** The text of the entry's module bundle as the server serves it now. */
async function servedScript(server: DevServer): Promise<string> {
  const html = await (await fetch(server.url)).text();
  const bundle = /src="(assets\/main-[^"]+\.js)"/.exec(html)![1]!;
  return (await fetch(server.url + bundle)).text();
}

/** A raw HTTP request (fetch normalises "..", which is exactly what these tests must not do). */
function raw(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method, headers, insecureHTTPParser: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serving the package', () => {
  it('serves exactly the package files, the entry HTML at / with the client injected', async () => {
    const { server } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const files = [...server.state().served!.files.keys()];
    expect(files).toContain('manifest.json');
    expect(files).toContain('robots.txt');
    const home = await fetch(server.url);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    const html = await home.text();
    expect(html).toMatch(/<head><script src="\/__miniapp\/client\.js" data-miniapp-token="[0-9a-f]{48}" data-miniapp-build="[0-9a-f]{16}"><\/script>/);
    // The page knows the build it runs: the one being served.
    expect(/data-miniapp-build="(\w+)"/.exec(html)![1]).toBe(server.state().served!.hash);
    const bundle = /src="(assets\/main-[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(server.url + bundle);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(await js.text()).toContain('hello v1');
    expect(await (await fetch(`${server.url}robots.txt`)).text()).toBe('User-agent: *\n');
    // Sources are not package files: they are not served.
    expect((await fetch(`${server.url}src/main.js`)).status).toBe(404);
    // Only HTML gets the client.
    expect(await (await fetch(`${server.url}manifest.json`)).text()).not.toContain('__miniapp');
  });

  it('answers the release descriptor of the dev build and serves that exact package', async () => {
    const { server } = await start();
    const res = await fetch(`${server.url}mini-programs/${MANIFEST.id}/version`);
    expect(res.status).toBe(200);
    const d = await res.json();
    // The same descriptor shape `miniapp sign` writes, so a host's update flow reads it unchanged.
    expect(d).toMatchObject({
      descriptorVersion: 1,
      id: MANIFEST.id,
      version: '1.0.0',
      minHostVersion: '3.0.0',
      entryPoint: 'index.html',
      permissions: MANIFEST.permissions,
      signature: null,
      dev: { buildHash: expect.any(String) },
    });
    const zip = new Uint8Array(await (await fetch(new URL(d.package.file, res.url))).arrayBuffer());
    expect(zip.length).toBe(d.package.size);
    expect(createHash('sha256').update(zip).digest('hex')).toBe(d.package.sha256);
    expect((await fetch(`${server.url}mini-programs/com.other.app/version`)).status).toBe(404);
  });

  it('refuses path escapes, encoded or not, and never lists a folder', async () => {
    const { server, project } = await start();
    writeFileSync(join(project.dir, '..', 'outside-secret.txt'), 'secret');
    for (const path of [
      '/../outside-secret.txt',
      '/%2e%2e/outside-secret.txt',
      '/%2E%2E%2Foutside-secret.txt',
      '/assets/..%2f..%2foutside-secret.txt',
      '/..%5c..%5coutside-secret.txt',
      '/%5c..%5coutside-secret.txt',
      '/a\\..\\b',
      '/%00',
      '/%zz',
      '/./manifest.json',
      '//etc/passwd',
    ]) {
      const r = await raw(server.url, path);
      expect([400, 404], path).toContain(r.status);
      expect(r.body, path).not.toContain('secret');
    }
    for (const path of ['/assets/', '/assets', '/src/', '/__miniapp/client', '/nope/']) {
      const r = await raw(server.url, path);
      expect(r.status, path).toBe(404);
    }
    rmSync(join(project.dir, '..', 'outside-secret.txt'));
  });

  it('does not serve a public/ symlink that points outside the project', async () => {
    const project = makeProject();
    const secret = join(project.dir, '..', `secret-${Date.now()}.txt`);
    writeFileSync(secret, 'top secret');
    symlinkSync(secret, join(project.dir, 'public', 'leak.txt'));
    const server = await createDevServer({ projectDir: project.dir, port: 0, watch: false });
    open.push({ server, project });
    const r = await raw(server.url, '/leak.txt');
    expect(r.body).not.toContain('top secret');
    expect(server.state().lastBuild!.errors.map((e) => e.code)).toContain('BUILD_SYMLINK');
    rmSync(secret);
  });

  it('refuses a foreign Host (DNS rebinding) and a cross-site reload POST', async () => {
    const { server } = await start();
    expect((await raw(server.url, '/', { Host: 'evil.example.com' })).status).toBe(403);
    expect((await raw(server.url, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
    expect((await raw(server.url, '/__miniapp/reload', { Origin: 'http://evil.example.com' }, 'POST')).status).toBe(403);
    expect((await raw(server.url, '/__miniapp/reload', {}, 'POST')).status).toBe(202);
    expect((await raw(server.url, '/__miniapp/reload', {}, 'GET')).status).toBe(405);
  });

  it('fails with a coded error when the port is taken', async () => {
    const { server, project } = await start();
    await expect(createDevServer({ projectDir: project.dir, port: server.port })).rejects.toMatchObject({ code: 'SERVER_PORT_IN_USE' });
  });
});

describe('rebuild and reload', () => {
  it('a file the build does not read, rewritten many times a second (a log), neither rebuilds nor holds back a real edit', async () => {
    const { server, project, channel, events } = await start({ 'logs/app.log': 'start\n' });
    const client = channel.connect();
    await client.next('hello');
    await server.idle();
    const builds = () => events.filter((e) => e.type === 'build').length;
    const before = builds();
    let n = 0;
    const logging = setInterval(() => project.write('logs/app.log', `line ${n++}\n`), 3);
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(builds()).toBe(before);
      const since = client.messages.length;
      project.write('src/message.js', "export const message = 'edited while logging';\n");
      const reload = await client.next('reload', { since });
      expect(reload.changed).toEqual(['src/message.js']);
    } finally {
      clearInterval(logging);
    }
    // A settings file esbuild reads without listing it as an input still rebuilds.
    const since = client.messages.length;
    project.write('tsconfig.json', '{ "compilerOptions": { "jsx": "react-jsx" } }\n');
    expect(await client.next('building', { since })).toMatchObject({ changed: ['tsconfig.json'] });
  });

  it('rebuilds on save, then sends reload with the new build served', async () => {
    const { server, project, channel } = await start();
    const client = channel.connect();
    const hello = await client.next('hello');
    expect(hello).toMatchObject({ protocol: 1, app: { id: MANIFEST.id }, build: { ok: true } });
    const since = client.messages.length;
    project.write('src/message.js', "export const message = 'hello v2';\n");
    const reload = await client.next('reload', { since });
    const kinds = client.messages.slice(since).map((m) => m.type);
    expect(kinds.indexOf('building')).toBeLessThan(kinds.indexOf('reload'));
    expect(reload.changed).toContain('src/message.js');
    // When reload arrives the new build is already what the server serves.
    const html = await (await fetch(server.url)).text();
    const bundle = /src="(assets\/main-[^"]+\.js)"/.exec(html)![1]!;
    expect(await (await fetch(server.url + bundle)).text()).toContain('hello v2');
  });

  it('shows a syntax error with file, line, column and frame, keeps the last good build, recovers', async () => {
    const { server, project, channel } = await start();
    const client = channel.connect();
    await client.next('hello');
    const good = server.state().served!.hash;
    let since = client.messages.length;
    project.write('src/message.js', "export const message = 'oops;\n");
    const error = await client.next('error', { since });
    expect(error.code).toBe('BUILD_ERROR');
    expect(error.file).toBe('src/message.js');
    expect(error.line).toBe(1);
    expect(error.column).toBeGreaterThan(20);
    expect(error.frame).toContain("'oops;");
    expect(JSON.stringify(error)).not.toMatch(/\u001b\[/);
    expect(server.state().served!.hash).toBe(good);
    expect((await fetch(server.url)).status).toBe(200);
    // A page that connects now learns about the error at once.
    const late = channel.connect();
    await late.next('error');
    since = client.messages.length;
    project.write('src/message.js', "export const message = 'fixed';\n");
    await client.next('reload', { since });
    expect(server.state().served!.hash).not.toBe(good);
  });

  it('reports an invalid manifest as manifest-invalid and keeps serving the last good build', async () => {
    const { server, project, channel } = await start();
    const client = channel.connect();
    await client.next('hello');
    const since = client.messages.length;
    project.write('manifest.json', JSON.stringify({ ...MANIFEST, version: 'one' }));
    const m = await client.next('manifest-invalid', { since });
    expect(m.errors[0]).toMatchObject({ file: 'manifest.json' });
    expect(m.errors.map((e) => e.code)).toContain('MANIFEST_INVALID_VERSION');
    expect((await fetch(server.url)).status).toBe(200);
    project.write('manifest.json', JSON.stringify({ ...MANIFEST, version: '1.0.1' }));
    await client.next('reload', { since: client.messages.length });
    expect((await (await fetch(`${server.url}mini-programs/${MANIFEST.id}/version`)).json()).version).toBe('1.0.1');
  });

  it('survives deleted and renamed files and folders', async () => {
    const { server, project, channel } = await start({
      'src/lib/util.js': 'export const n = 1;\n',
      'src/main.js': "import { n } from './lib/util.js';\nimport { message } from './message.js';\ndocument.getElementById('title').textContent = message + n;\n",
    });
    const client = channel.connect();
    await client.next('hello');
    let since = client.messages.length;
    renameSync(join(project.dir, 'src/lib'), join(project.dir, 'src/helpers'));
    const err = await client.next('error', { since });
    expect(err.code).toBe('BUILD_UNRESOLVED_IMPORT');
    since = client.messages.length;
    project.write('src/main.js', "import { n } from './helpers/util.js';\ndocument.getElementById('title').textContent = 'renamed' + n;\n");
    await client.next('reload', { since });
    since = client.messages.length;
    rmSync(join(project.dir, 'public'), { recursive: true });
    await client.next('reload', { since });
    expect(server.state().served!.files.has('robots.txt')).toBe(false);
    since = client.messages.length;
    mkdirSync(join(project.dir, 'public/img'), { recursive: true });
    writeFileSync(join(project.dir, 'public/img/a.txt'), 'A');
    await until(() => server.state().served!.files.has('img/a.txt'), 10_000, 'new public folder');
  });

  it('rebuilds when a file outside the project that has the error is fixed (at start, and after a good build)', async () => {
    const shared = tempDir('shared');
    cleanupAfter.push(() => rmSync(shared, { recursive: true, force: true }));
    writeFileSync(join(shared, 'a.js'), "export const a = 'never closed;\n");
    writeFileSync(join(shared, 'b.js'), "export const b = 'b ok';\n");
    const project = makeProject();
    // Imported by relative path (../../miniapp-shared-…/a.js), as a monorepo's shared folder is.
    const importer = (name: string) => `import { ${name} } from '${relative(join(project.dir, 'src'), join(shared, `${name}.js`))}';\ndocument.getElementById('title').textContent = ${name};\n`;
    project.write('src/main.js', importer('a'));
    const channel = createMemoryChannel();
    const server = await createDevServer({ projectDir: project.dir, port: 0, channels: [channel], ackTimeoutMs: 500 });
    open.push({ server, project });
    const client = channel.connect();
    expect((await client.next('hello')).build.ok).toBe(false);
    writeFileSync(join(shared, 'a.js'), "export const a = 'a fixed';\n");
    await client.next('reload');
    expect(await servedScript(server)).toContain('a fixed');
    // The app starts importing another outside file, broken when first read; fixing it must rebuild.
    writeFileSync(join(shared, 'b.js'), "export const b = 'never closed;\n");
    let since = client.messages.length;
    project.write('src/main.js', importer('b'));
    await client.next('error', { since });
    since = client.messages.length;
    writeFileSync(join(shared, 'b.js'), "export const b = 'b fixed';\n");
    await client.next('reload', { since });
    expect(await servedScript(server)).toContain('b fixed');
  });

  it('keeps seeing edits in a folder outside the project after it is replaced (rm -rf then mkdir)', async () => {
    const shared = tempDir('shared');
    cleanupAfter.push(() => rmSync(shared, { recursive: true, force: true }));
    writeFileSync(join(shared, 'util.js'), "export const n = 'shared v1';\n");
    const project = makeProject();
    project.write('src/main.js', `import { n } from '${relative(join(project.dir, 'src'), join(shared, 'util.js'))}';\ndocument.getElementById('title').textContent = n;\n`);
    const channel = createMemoryChannel();
    const server = await createDevServer({ projectDir: project.dir, port: 0, channels: [channel], ackTimeoutMs: 500 });
    open.push({ server, project });
    const client = channel.connect();
    await client.next('hello');
    rmSync(shared, { recursive: true });
    mkdirSync(shared);
    writeFileSync(join(shared, 'util.js'), "export const n = 'replaced';\n");
    await until(async () => (await servedScript(server)).includes('replaced'), 10_000, 'the build after the shared folder was replaced');
    await server.idle();
    const since = client.messages.length;
    writeFileSync(join(shared, 'util.js'), "export const n = 'edited after the replacement';\n");
    await client.next('reload', { since });
    expect(await servedScript(server)).toContain('edited after the replacement');
  });

  it('rebuilds when a file the app uses in a dot-folder changes (src/.generated, public/.well-known)', async () => {
    const { server, project, channel } = await start({
      'src/.generated/message.js': "export const message = 'generated v1';\n",
      'src/main.js': "import { message } from './.generated/message.js';\ndocument.getElementById('title').textContent = message;\n",
      'public/.well-known/assetlinks.json': '{"v":1}',
    });
    const client = channel.connect();
    await client.next('hello');
    let since = client.messages.length;
    project.write('src/.generated/message.js', "export const message = 'generated v2';\n");
    await client.next('reload', { since });
    expect(await servedScript(server)).toContain('generated v2');
    since = client.messages.length;
    project.write('public/.well-known/assetlinks.json', '{"v":2}');
    await client.next('reload', { since });
    expect(await (await fetch(`${server.url}.well-known/assetlinks.json`)).text()).toBe('{"v":2}');
  });

  it('reports changes by project-relative path when the project is reached through a symlink', async () => {
    const project = makeProject();
    const link = `${project.dir}-link`;
    symlinkSync(project.dir, link, 'dir');
    cleanupAfter.push(() => rmSync(link));
    const channel = createMemoryChannel();
    const server = await createDevServer({ projectDir: link, port: 0, channels: [channel], ackTimeoutMs: 500 });
    open.push({ server, project });
    const client = channel.connect();
    await client.next('hello');
    project.write('src/message.js', "export const message = 'through the link';\n");
    const reload = await client.next('reload');
    expect(reload.changed).toEqual(['src/message.js']);
    expect(await servedScript(server)).toContain('through the link');
  });

  it('keeps seeing edits in a folder replaced under the same name (git checkout, rm -rf then mkdir, a folder moved over)', async () => {
    const { server, project, channel } = await start({
      'src/lib/util.js': "export const n = 'lib v1';\n",
      'src/main.js': "import { n } from './lib/util.js';\ndocument.getElementById('title').textContent = n;\n",
    });
    const client = channel.connect();
    await client.next('hello');
    const lib = join(project.dir, 'src/lib');
    const replacements: [string, () => void][] = [
      [
        'rm -rf then mkdir',
        () => {
          rmSync(lib, { recursive: true });
          mkdirSync(lib);
          writeFileSync(join(lib, 'util.js'), "export const n = 'replaced';\n");
        },
      ],
      [
        'a folder moved over',
        () => {
          mkdirSync(`${lib}-next`);
          writeFileSync(join(`${lib}-next`, 'util.js'), "export const n = 'replaced';\n");
          renameSync(lib, `${lib}-old`);
          renameSync(`${lib}-next`, lib);
        },
      ],
    ];
    for (const [how, replace] of replacements) {
      replace();
      await until(async () => (await servedScript(server)).includes('replaced'), 10_000, `the build after ${how}`);
      await server.idle();
      const since = client.messages.length;
      project.write('src/lib/util.js', `export const n = 'edited after ${how}';\n`);
      await client.next('reload', { since });
      expect(await servedScript(server)).toContain(`edited after ${how}`);
    }
  });

  it('starts with a failing build: pages get the errors and the client, then the app once fixed', async () => {
    const { server, project, channel } = await start({ 'src/message.js': "export const message = 'never closed;\n" });
    const page = await fetch(server.url);
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain('BUILD_ERROR');
    expect(html).toContain('src/message.js:1');
    expect(html).toContain('/__miniapp/client.js');
    expect((await fetch(`${server.url}mini-programs/${MANIFEST.id}/version`)).status).toBe(503);
    const client = channel.connect();
    expect((await client.next('hello')).build.ok).toBe(false);
    await client.next('error');
    project.write('src/message.js', "export const message = 'fixed';\n");
    await client.next('reload');
    expect((await fetch(server.url)).status).toBe(200);
  });

  it('coalesces a burst of saves into few rebuilds and reports only the last', async () => {
    const { server, project, channel, events } = await start();
    const client = channel.connect();
    await client.next('hello');
    const before = server.state().rebuilds;
    const since = client.messages.length;
    for (let i = 0; i < 20; i++) project.write(`src/message.js`, `export const message = 'burst ${i}';\n`);
    await client.next('reload', { since });
    await server.idle();
    await new Promise((r) => setTimeout(r, 150));
    await server.idle();
    const builds = server.state().rebuilds - before;
    expect(builds).toBeGreaterThanOrEqual(1);
    expect(builds).toBeLessThanOrEqual(3);
    const html = await (await fetch(server.url)).text();
    const bundle = /src="(assets\/main-[^"]+\.js)"/.exec(html)![1]!;
    expect(await (await fetch(server.url + bundle)).text()).toContain('burst 19');
    expect(events.filter((e) => e.type === 'build').length).toBe(1 + builds);
  });

  it('counts the clients that acknowledged a reload; a manual reload works without changes', async () => {
    const { server, channel, events } = await start({}, { watch: false });
    const clients = [channel.connect(), channel.connect(), channel.connect()];
    await Promise.all(clients.map((c) => c.next('hello')));
    const since = clients[0]!.messages.length;
    await server.reload();
    const reloads = await Promise.all(clients.map((c) => c.next('reload', { since })));
    expect(reloads[0]!.reason).toBe('manual');
    clients[0]!.send({ type: 'ack', id: reloads[0]!.id });
    clients[1]!.send({ type: 'ack', id: reloads[1]!.id });
    const done = await until(() => events.find((e): e is Extract<DevServerEvent, { type: 'reloaded' }> => e.type === 'reloaded'), 3000, 'reloaded event');
    expect(done).toMatchObject({ acknowledged: 2, sent: 3 });
  });

  it('relays bridge calls from one page to the others (the inspector) and to the terminal', async () => {
    const { channel, events } = await start({}, { watch: false });
    const page = channel.connect();
    const inspector = channel.connect();
    await inspector.next('hello');
    const call = {
      id: 'c1',
      method: 'payment.pay',
      params: { amount: 5, currency: 'USD' },
      outcome: 'ok' as const,
      result: { transactionId: 't1' },
      latencyMs: 3.2,
      startedAt: new Date().toISOString(),
    };
    page.send({ type: 'bridge-call', call });
    const seen = await inspector.next('bridge-call');
    expect(seen.call).toMatchObject({ method: 'payment.pay', outcome: 'ok', latencyMs: 3.2 });
    expect(page.messages.some((m) => m.type === 'bridge-call')).toBe(false);
    expect(events.some((e) => e.type === 'bridge-call' && e.call.method === 'payment.pay')).toBe(true);
  });

  it('close() is idempotent and frees the port', async () => {
    const { server, project } = await start();
    const port = server.port;
    await Promise.all([server.close(), server.close()]);
    await server.close();
    const again = await createDevServer({ projectDir: project.dir, port, watch: false });
    await again.close();
  });
});

describe('WebSocket upgrade guard', () => {
  it('accepts the token from a same-origin page or a native client, refuses everything else', async () => {
    const { server, events } = await start({}, { watch: false });
    const { WebSocket } = await import('ws');
    const origin = server.url.replace(/\/$/, '');
    const attempt = (url: string, headers: Record<string, string> = {}) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.once('error', () => resolve('error'));
      });
    expect(await attempt(server.wsUrl, { Origin: origin })).toBe('open');
    expect(await attempt(server.wsUrl)).toBe('open'); // no Origin: a native debug host
    expect(await attempt(server.wsUrl, { Origin: 'http://evil.example.com' })).toBe('403');
    expect(await attempt(server.wsUrl, { Origin: 'null' })).toBe('403');
    expect(await attempt(server.wsUrl, { Origin: origin.replace('http:', 'https:') })).toBe('403');
    expect(await attempt(server.wsUrl.replace(/token=\w+/, 'token=nope'), { Origin: origin })).toBe('403');
    expect(await attempt(server.wsUrl.replace(/\?token=\w+/, ''), { Origin: origin })).toBe('403');
    expect(await attempt(server.wsUrl, { Origin: 'http://evil.example.com', Host: 'evil.example.com' })).toBe('403');
    expect(await attempt(server.wsUrl.replace('/__miniapp/ws', '/other'), { Origin: origin })).toBe('404');
    expect(events.filter((e) => e.type === 'refused').length).toBe(7);
  });
});
