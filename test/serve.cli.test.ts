import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { binPath, runCli, stripAnsi } from './helpers/cli.js';
import { makeProject, until } from './helpers/serve-fixture.js';

type Project = ReturnType<typeof makeProject>;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Starts `miniapp serve` as a user would and waits for the URL it prints. */
async function serve(args: string[], project: Project): Promise<{ child: ChildProcessWithoutNullStreams; url: string; out: () => string; err: () => string; exit: Promise<number | null> }> {
  const child = spawn(process.execPath, [binPath, 'serve', project.dir, '--port', '0', ...args], { env: { ...process.env, NO_COLOR: '1', CI: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  cleanups.push(() => child.exitCode === null && child.kill('SIGKILL'));
  const url = await until(() => /Ctrl-C to stop/.test(err) && /Local:\s+(http:\/\/\S+)/.exec(stripAnsi(err))?.[1], 15_000, 'the URL');
  return { child, url, out: () => stripAnsi(out), err: () => stripAnsi(err), exit };
}

const childrenOf = (pid: number): number[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter(Boolean);
  } catch {
    return [];
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
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
    ws.send(JSON.stringify({ type: 'bridge-call', call: { id: 'c1', method: 'storage.get', params: { key: 'k' }, outcome: 'error', error: { code: 'PERMISSION_DENIED', message: 'no storage' }, latencyMs: 1.5, startedAt: new Date().toISOString() } }));
    await until(() => /bridge storage\.get \{"key":"k"\} → PERMISSION_DENIED no storage 1\.5 ms/.test(s.err()), 5000, 'the inspector line');
    ws.close();
    s.child.kill('SIGTERM');
    expect(await s.exit).toBe(143);
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
      expect((await fetch(lan[1]!)).status).toBe(200);
    } else {
      // A machine with no LAN interface has nothing to print; loopback still answers.
      expect((await fetch(s.url)).status).toBe(200);
    }
    s.child.kill('SIGINT');
    expect(await s.exit).toBe(130);
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
