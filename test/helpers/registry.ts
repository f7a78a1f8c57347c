import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileBlobStore } from '../../src/registry/blobs.js';
import { createRegistry, operator, type Registry } from '../../src/registry/registry.js';
import { startRegistryServer, type RegistryServer } from '../../src/registry/server.js';
import { createSqlStore } from '../../src/registry/sql-store.js';
import { openSqliteDb } from '../../src/registry/sqlite.js';
import { tempDir } from './temp.js';

export type StoreKind = 'embedded' | 'postgres';

/**
 * A PostgreSQL server of the test run's own: a fresh cluster on a private socket directory and port,
 * started with the Debian server binaries (installed by .ci/run), run as the postgres user when the
 * tests run as root. Undefined, with the reason, when no server binaries are installed.
 */
export function localPostgres(): { url: string; stop(): void; halt(): void; start(): void } | { skip: string } {
  const versions = existsSync('/usr/lib/postgresql') ? execFileSync('ls', ['/usr/lib/postgresql']).toString().split(/\s+/).filter(Boolean) : [];
  const bin = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((b) => existsSync(join(b, 'pg_ctl')));
  if (!bin) return { skip: 'no PostgreSQL server installed (apt-get install postgresql; .ci/run does it in CI)' };
  const dir = mkdtempSync(join(tmpdir(), 'miniapp-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const root = process.getuid?.() === 0;
  const as = (cmd: string, args: string[]) => {
    const r = root ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [cmd, ...args].map((a) => `'${a}'`).join(' ')], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  if (root) execFileSync('chown', ['postgres', dir]);
  as(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const start = () =>
    as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-k ${dir} -p ${port} -c listen_addresses='' -c fsync=off -c max_connections=200`, 'start']);
  start();
  return {
    start,
    halt: () => as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', '-w', 'stop']),
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
    stop() {
      try {
        as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface TestRegistry {
  registry: Registry;
  server: RegistryServer;
  url: string;
  dir: string;
  admin: ReturnType<typeof operator>;
  close(): Promise<void>;
}

let schemaCount = 0;

/** A registry on port 0 over a fresh store of the given kind (PostgreSQL: a fresh schema in the test cluster). */
export async function startTestRegistry(
  kind: StoreKind,
  options: { pgUrl?: string; conformance?: boolean; log?: string[]; maxUploadBytes?: number; uploadTimeoutMs?: number } = {},
): Promise<TestRegistry> {
  const dir = tempDir('registry');
  const blobs = await openFileBlobStore(dir);
  let store;
  if (kind === 'postgres') {
    const { openPostgresDb } = await import('../../src/registry/postgres.js');
    store = await createSqlStore(await openPostgresDb({ url: options.pgUrl!, schema: `t${process.pid}_${++schemaCount}_${Date.now() % 100000}` }));
  } else {
    store = await createSqlStore(openSqliteDb(join(dir, 'registry.db')));
  }
  const registry = createRegistry({ store, blobs, conformance: options.conformance ?? false });
  const server = await startRegistryServer({ registry, log: options.log ? (l) => options.log!.push(l) : undefined, maxUploadBytes: options.maxUploadBytes, uploadTimeoutMs: options.uploadTimeoutMs });
  return { registry, server, url: server.url, dir, admin: operator('test'), close: () => server.close() };
}

/** A JSON call to the registry's API as a token holder. */
export async function api(url: string, path: string, token: string | undefined, body?: unknown, method?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body instanceof Uint8Array ? { 'content-type': 'application/zip' } : {}) },
    body: body === undefined ? undefined : body instanceof Uint8Array ? (body as unknown as BodyInit) : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}
