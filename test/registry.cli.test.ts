import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath, parseJsonOutput, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/host-fixtures.js';

/** `miniapp registry serve` as a child process; resolves with its URL once it listens. */
function serveRegistry(cwd: string, data: string) {
  const child = spawn(process.execPath, [binPath, 'registry', 'serve', '--data', data, '--port', '0', '--startup-budget', '30000'], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on (http:\/\/[\d.:]+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`registry serve exited ${code}: ${stderr}`)));
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
  return { url, child, exited, stderr: () => stderr };
}

describe('miniapp registry, publish and review (the CLI, end to end)', () => {
  it('a partner registers, publishes a scaffolded app, a reviewer approves, it is released, and miniapp install <url> takes it', async () => {
    const dir = tempDir('miniapp-registry-cli-');
    const data = join(dir, 'registry-data');
    const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: dir, env, timeoutMs: 60_000 });
    expect((await cli(['init', 'shop', '--yes', '--id', 'com.acme.shop'])).code).toBe(0);
    expect((await cli(['build', 'shop'])).code).toBe(0);
    expect((await cli(['keygen', '--out', 'acme', '--bits', '2048'])).code).toBe(0);
    expect((await cli(['sign', 'shop/dist/com.acme.shop-1.0.0.zip', '--key', 'acme.key.pem'])).code).toBe(0);

    expect((await cli(['registry', 'partner', 'add', 'acme', '--name', 'Acme', '--permissions', 'storage,payment', '--data', data])).code).toBe(0);
    const key = await cli(['registry', 'key', 'add', 'acme', '--public-key', 'acme.pub.pem', '--app-ids', 'com.acme.*', '--data', data, '--json']);
    expect(parseJsonOutput(key.stdout).result.keyId).toMatch(/^sha256:[0-9a-f]{64}$/);
    const partnerToken = parseJsonOutput((await cli(['registry', 'token', 'create', '--role', 'partner', '--partner', 'acme', '--data', data, '--json'])).stdout).result.token as string;
    const reviewerToken = parseJsonOutput((await cli(['registry', 'token', 'create', '--role', 'reviewer', '--data', data, '--json'])).stdout).result.token as string;
    // Only the hash is kept.
    expect(readFileSync(join(data, 'registry.db')).includes(Buffer.from(partnerToken))).toBe(false);

    let server = serveRegistry(dir, data);
    let firstLog = '';
    try {
      let url = await server.url;
      const asPartner = { MINIAPP_REGISTRY_TOKEN: partnerToken };
      const asReviewer = { MINIAPP_REGISTRY_TOKEN: reviewerToken };
      const noToken = await cli(['publish', 'shop/dist/com.acme.shop-1.0.0.zip', '--registry', url], { MINIAPP_REGISTRY_TOKEN: '' });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('REGISTRY_TOKEN_MISSING');
      const unsigned = await cli(['build', 'shop', '--out-dir', 'raw']);
      expect(unsigned.code).toBe(0);
      const refused = await cli(['publish', 'shop/raw/com.acme.shop-1.0.0.zip', '--registry', url], asPartner);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toContain('PACKAGE_UNSIGNED');
      expect(refused.stdout + refused.stderr).not.toMatch(/\n\s+at /);

      const published = await cli(['publish', 'shop/dist/com.acme.shop-1.0.0.zip', '--registry', url], asPartner);
      expect(published.code, published.stdout + published.stderr).toBe(0);
      expect(published.stdout).toContain('published com.acme.shop@1.0.0');
      expect(published.stdout + published.stderr).not.toContain(partnerToken);

      // The registry process dies while the conformance run is in flight: the version is left pending,
      // and the next `registry serve` runs it again at start-up.
      server.child.kill('SIGKILL');
      await server.exited;
      firstLog = server.stderr();
      const atDeath = parseJsonOutput((await cli(['registry', 'audit', '--data', data, '--json'])).stdout).result.map((e: { action: string }) => e.action);
      expect(atDeath).toContain('version.published');
      expect(atDeath).not.toContain('conformance.passed');
      server = serveRegistry(dir, data);
      url = await server.url;

      // Conformance runs in the sandbox in the background; the reviewer sees its verdict.
      let shown: any;
      for (let i = 0; i < 120; i++) {
        shown = parseJsonOutput((await cli(['review', 'show', 'com.acme.shop@1.0.0', '--registry', url, '--json'], asReviewer)).stdout).result;
        if (shown.conformance.status !== 'pending') break;
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(shown).toMatchObject({ status: 'submitted', partner: 'acme', conformance: { status: 'passed' }, permissionChanges: { added: ['storage', 'payment'] } });
      expect((await cli(['review', 'list', '--registry', url], asReviewer)).stdout).toContain('com.acme.shop@1.0.0');
      expect((await cli(['review', 'approve', 'com.acme.shop@1.0.0', '--registry', url], asPartner)).stdout).toContain('REGISTRY_FORBIDDEN');
      expect((await cli(['review', 'approve', 'com.acme.shop@1.0.0', '--registry', url], asReviewer)).code).toBe(0);
      const released = await cli(['registry', 'release', 'com.acme.shop@1.0.0', '--channel', 'stable', '--percent', '100', '--registry', url, '--json'], asPartner);
      expect(parseJsonOutput(released.stdout).result).toMatchObject({ version: '1.0.0', channel: 'stable', percent: 100, state: 'active' });

      expect((await cli(['registry', 'trust-store', '--out', 'trust.json', '--data', data])).code).toBe(0);
      const feed = (await (await fetch(`${url}/mini-programs/com.acme.shop/version`)).json()) as { package: { file: string } };
      const install = await cli(['install', new URL(feed.package.file, url).href, '--trust-store', 'trust.json', '--apps-dir', 'apps', '--json']);
      expect(parseJsonOutput(install.stdout).result).toMatchObject({ ok: true, id: 'com.acme.shop', version: '1.0.0', partner: 'acme' });

      const audit = parseJsonOutput((await cli(['registry', 'audit', '--data', data, '--json'])).stdout).result.map((e: { action: string }) => e.action);
      expect(audit).toEqual(
        expect.arrayContaining(['partner.added', 'key.added', 'token.created', 'version.published', 'conformance.requeued', 'conformance.passed', 'version.approved', 'release.created']),
      );
      expect(server.stderr()).toContain('re-running the conformance of com.acme.shop@1.0.0');
      expect((await cli(['review', 'rerun', '--pending', '--registry', url], asReviewer)).stdout).toContain('no conformance run is left pending');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(143);
    }
    // One JSON line per request on stderr.
    const lines = (firstLog + server.stderr()).split('\n').filter((l) => l.startsWith('{'));
    expect(lines.map((l) => JSON.parse(l))).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'POST', path: '/api/publish', status: 201 }),
        expect.objectContaining({ method: 'GET', path: '/mini-programs/com.acme.shop/version', status: 200 }),
      ]),
    );
  }, 180_000);
});
