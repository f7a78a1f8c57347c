import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { binPath, runCli, stripAnsi } from './helpers/cli.js';
import { makeProject, until } from './helpers/serve-fixture.js';

type Project = ReturnType<typeof makeProject>;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Starts `miniapp serve` as a user would and waits for the URL it prints. */
async function serve(
  args: string[],
  project: Project,
  cwd?: string,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string; out: () => string; err: () => string; rawErr: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [binPath, 'serve', project.dir, '--port', '0', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const url = await until(() => /Ctrl-C to stop/.test(err) && /Local:\s+(http:\/\/\S+)/.exec(stripAnsi(err))?.[1], 15_000, 'the URL');
  return { child, url, out: () => stripAnsi(out), err: () => stripAnsi(err), rawErr: () => err, exit };
}

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter(Boolean);
  } catch {
    return [];
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped by whoever adopted it) is not running.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

describe('miniapp serve', () => {
  it('prints the URL, serves the app, and on Ctrl-C closes everything and exits 130', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const s = await serve(['--json'], project);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(s.err()).toContain('/__miniapp/');
    const res = await fetch(s.url);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('__miniapp/client.js');
    // POST /__miniapp/reload rebuilds; the terminal reports it.
    expect((await fetch(`${s.url}__miniapp/reload`, { method: 'POST' })).status).toBe(202);
    await until(() => (s.err().match(/built in/g) ?? []).length >= 2, 10_000, 'the manual rebuild');
    const esbuild = childrenOf(s.child.pid!);
    expect(esbuild.length).toBeGreaterThan(0);
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
    const doc = JSON.parse(s.out());
    expect(doc).toMatchObject({ ok: true, command: 'serve', result: { url: s.url, rebuilds: 2 } });
    await until(() => esbuild.every((p) => !alive(p)), 5000, 'esbuild to exit');
    await expect(fetch(s.url)).rejects.toThrow();
  });

  it('streams bridge calls to the terminal with --inspect', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const s = await serve(['--inspect'], project);
    const token = /data-miniapp-token="(\w+)"/.exec(await (await fetch(s.url)).text())![1]!;
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}__miniapp/ws?token=${token}`);
    await new Promise((r) => ws.once('message', r));
    ws.send(
      JSON.stringify({
        type: 'bridge-call',
        call: {
          id: 'c1',
          method: 'storage.get',
          params: { key: 'k' },
          outcome: 'error',
          error: { code: 'PERMISSION_DENIED', message: 'no storage' },
          latencyMs: 1.5,
          startedAt: new Date().toISOString(),
        },
      }),
    );
    await until(() => /bridge storage\.get \{"key":"k"\} → PERMISSION_DENIED no storage 1\.5 ms/.test(s.err()), 5000, 'the inspector line');
    ws.close();
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(143);
  });

  it('prints what came from a page escaped: no control sequence reaches the terminal', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const s = await serve(['--inspect'], project);
    const token = /data-miniapp-token="(\w+)"/.exec(await (await fetch(s.url)).text())![1]!;
    const { WebSocket } = await import('ws');
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}__miniapp/ws?token=${token}`);
    await new Promise((r) => ws.once('message', r));
    const title = '\u001b]0;pwned\u0007';
    const clear = '\u001b[2J\u001b[H';
    const link = '\u001b]8;;http://evil.example/\u001b\\click\u001b]8;;\u001b\\';
    ws.send(
      JSON.stringify({
        type: 'bridge-call',
        call: { id: 'c1', method: `storage.get${title}`, params: { key: clear }, outcome: 'error', error: { code: `E${clear}`, message: link }, latencyMs: 1, startedAt: new Date().toISOString() },
      }),
    );
    ws.send(JSON.stringify({ type: 'runtime-error', error: { kind: 'error', message: `boom${title}\u009b31m`, source: `http://x/${clear}`, line: 3, at: new Date().toISOString() } }));
    await until(() => /uncaught error in the app: boom/.test(s.err()) && /bridge storage\.get/.test(s.err()), 5000, 'both lines');
    const printed = s.rawErr();
    expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(printed).toContain('storage.get\\x1b]0;pwned\\x07');
    expect(printed).toContain('boom\\x1b]0;pwned\\x07\\x9b31m');
    ws.close();
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
  });

  it('logs refused requests once per kind, cut short and without the token', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const s = await serve([], project);
    const token = /data-miniapp-token="(\w+)"/.exec(await (await fetch(s.url)).text())![1]!;
    const { request } = await import('node:http');
    const u = new URL(s.url);
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const req = request({ host: u.hostname, port: u.port, path, headers }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on('error', () => resolve(0));
        req.end();
      });
    for (let i = 0; i < 30; i++) expect(await get(`/__miniapp/ws?token=${token}&pad=${'a'.repeat(4000)}`, { Host: 'rebind.example.com' })).toBe(403);
    await until(() => /refused/.test(s.err()), 5000, 'the refusal line');
    await new Promise((r) => setTimeout(r, 200));
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
    const lines = s
      .err()
      .split('\n')
      .filter((l) => l.includes('refused'));
    expect(lines.filter((l) => /^(warning: )?refused \//.test(l.trim()) || l.includes('refused /'))).toHaveLength(1);
    expect(s.err()).not.toContain(token);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(600);
    expect(s.err()).toMatch(/30 × 403 host/);
  });

  it('shuts down during a rebuild at once: summary printed, exit 130, no esbuild left', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) files[`src/m${i}.js`] = `${i ? `import { v${i - 1} } from './m${i - 1}.js';\n` : ''}export const v${i} = ${i ? `v${i - 1} + ` : ''}'${'x'.repeat(200)}';\n`;
    files['src/main.js'] = "import { v399 } from './m399.js';\ndocument.title = v399;\n";
    const project = makeProject(files);
    cleanups.push(project.cleanup);
    const s = await serve([], project);
    const esbuild = childrenOf(s.child.pid!);
    expect(esbuild.length).toBeGreaterThan(0);
    project.write('src/m0.js', "export const v0 = 'edited';\n");
    await new Promise((r) => setTimeout(r, 20)); // the save is seen and its rebuild (~300 ms here) has started
    const t = Date.now();
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
    expect(Date.now() - t).toBeLessThan(1400); // before the CLI's 1.5 s forced exit
    expect(s.out()).toMatch(/dev server stopped: \d+ builds?/);
    await new Promise((r) => setTimeout(r, 100));
    expect(esbuild.filter(alive)).toEqual([]);
  });

  it('says the last good build is still served only once there is one', async () => {
    const project = makeProject({ 'src/message.js': "export const message = 'never closed;\n" });
    cleanups.push(project.cleanup);
    const s = await serve([], project);
    expect(s.err()).toContain('build failed; pages show the errors until it builds');
    expect(s.err()).not.toContain('still serving the last good build');
    project.write('src/message.js', "export const message = 'fixed';\n");
    await until(() => /built in/.test(s.err()), 10_000, 'the good build');
    project.write('src/message.js', "export const message = 'broken again;\n");
    await until(() => /build failed \(src\/message\.js\); still serving the last good build/.test(s.err()), 10_000, 'the second failure');
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
  });

  it('refuses a bad port as a usage error and a missing folder with a coded error', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const bad = await runCli(['serve', project.dir, '--port', '70000', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).errors[0].code).toBe('SERVER_INVALID_PORT');
    const missing = await runCli(['serve', `${project.dir}/nope`, '--port', '0', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).errors[0].code).toBe('SERVER_PROJECT_NOT_FOUND');
  });

  it('serves the LAN with --host 0.0.0.0: prints the network address and a QR code', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const s = await serve(['--host', '0.0.0.0'], project);
    await until(() => /Ctrl-C to stop/.test(s.err()), 10_000, 'the banner');
    const lan = /Network:\s+(http:\/\/\S+)/.exec(s.err());
    if (lan) {
      // The QR code is printed after the address; on a loaded machine it can arrive a moment later.
      for (let i = 0; i < 100 && !/[▀▄█]{10,}/.test(s.err()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(s.err()).toMatch(/[▀▄█]{10,}/);
      // And what the LAN can now see.
      expect(s.err()).toMatch(/read the app: every served file, with the sources inlined in the source maps/);
      expect(s.err()).toMatch(/watch every bridge call/);
      expect((await fetch(lan[1]!)).status).toBe(200);
    } else {
      // A machine with no LAN interface has nothing to print; loopback still answers.
      expect((await fetch(s.url)).status).toBe(200);
    }
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
  });
});

describe('miniapp serve --allowed-hosts', () => {
  const hostStatus = (url: string, host: string) =>
    import('node:http').then(
      ({ request }) =>
        new Promise<number>((resolve) => {
          const u = new URL(url);
          const req = request({ host: u.hostname, port: u.port, path: '/', headers: { Host: `${host}:${u.port}` } }, (res) => {
            res.resume();
            resolve(res.statusCode!);
          });
          req.on('error', () => resolve(0));
          req.end();
        }),
    );

  it('answers a LAN name given by flag or by the serve.allowedHosts config key', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    const flag = await serve(['--allowed-hosts', 'mylaptop.local'], project);
    expect(await hostStatus(flag.url, 'mylaptop.local')).toBe(200);
    expect(await hostStatus(flag.url, 'other.local')).toBe(403);
    flag.child.kill('SIGINT');
    expect(await flag.exit).toBe(130);
    project.write('cfg/miniapp.config.json', JSON.stringify({ serve: { allowedHosts: ['.local'] } }));
    const config = await serve([], project, `${project.dir}/cfg`);
    expect(await hostStatus(config.url, 'other.local')).toBe(200);
    config.child.kill('SIGINT');
    expect(await config.exit).toBe(130);
  });
});

describe('miniapp serve on a terminal', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.runIf(hasScript)('reloads on r and stops on q (exit 130)', async () => {
    const project = makeProject();
    cleanups.push(project.cleanup);
    // `script` gives the CLI a pseudo-terminal, so stdin is a TTY and the keys are read raw.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(binPath)} serve ${JSON.stringify(project.dir)} --port 0 --no-color`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env: { ...process.env, CI: '', NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await until(() => /press r to reload/.test(out), 15_000, 'the key help');
    child.stdin.write('r');
    await until(() => (stripAnsi(out).match(/built in/g) ?? []).length >= 2, 10_000, 'the rebuild after r');
    child.stdin.write('q');
    expect(await exit).toBe(130);
  });
});
