// @ts-check
// The registry: feed answers per second and p99 latency under wrk on loopback (embedded store; PostgreSQL
// too when its server binaries are installed), and publish of a 3 MB package against verifying it alone.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, scratchDir } from './lib.mjs';

const dist = new URL('../dist/', import.meta.url);
const { createZip, signPackage } = await import(new URL('index.js', dist).href);
const { openFileBlobStore } = await import(new URL('registry/blobs.js', dist).href);
const { createRegistry, operator } = await import(new URL('registry/registry.js', dist).href);
const { startRegistryServer } = await import(new URL('registry/server.js', dist).href);
const { createSqlStore } = await import(new URL('registry/sql-store.js', dist).href);
const { openSqliteDb } = await import(new URL('registry/sqlite.js', dist).href);

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ID = 'com.bench.app';
const pkg = async (version, extra = {}) => {
  const manifest = { id: ID, version, minHostVersion: '3.0.0', entryPoint: 'index.html', permissions: ['storage'], allowedDomains: [], name: 'Bench' };
  const entries = [
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
    { name: 'index.html', data: Buffer.from('<!doctype html><script src="app.js"></script>') },
    { name: 'app.js', data: Buffer.from('console.log(1)') },
    ...Object.entries(extra).map(([name, data]) => ({ name, data })),
  ];
  return Buffer.from(signPackage((await createZip(entries)).bytes, privateKey).bytes);
};

/** A private PostgreSQL cluster (socket directory and port of its own) for the run, as the tests start one. */
function startPostgres() {
  const root = '/usr/lib/postgresql';
  const bin = existsSync(root)
    ? readdirSync(root)
        .map((v) => `${root}/${v}/bin`)
        .find((b) => existsSync(join(b, 'pg_ctl')))
    : undefined;
  if (!bin) return undefined;
  const dir = scratchDir('miniapp-pg-bench-');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const asRoot = process.getuid?.() === 0;
  const run = (cmd, args) => {
    const r = asRoot ? spawnSync('su', ['postgres', '-s', '/bin/sh', '-c', [cmd, ...args].map((a) => `'${a}'`).join(' ')], { encoding: 'utf8' }) : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr || r.stdout}`);
  };
  if (asRoot) spawnSync('chown', ['postgres', dir]);
  run(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-k ${dir} -p ${port} -c listen_addresses='' -c fsync=off`, 'start']);
  return { url: `postgres://postgres@/postgres?host=${encodeURIComponent(dir)}&port=${port}`, stop: () => run(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', 'fast', 'stop']) };
}

async function openRegistry(kind, pgUrl) {
  const dir = scratchDir('miniapp-registry-bench-');
  const blobs = await openFileBlobStore(dir);
  let store;
  if (kind === 'postgres') {
    const { openPostgresDb } = await import(new URL('registry/postgres.js', dist).href);
    store = await createSqlStore(await openPostgresDb({ url: pgUrl, schema: `bench_${process.pid}` }));
  } else store = await createSqlStore(openSqliteDb(join(dir, 'registry.db')));
  const registry = createRegistry({ store, blobs, conformance: false });
  const admin = operator('bench');
  await registry.addPartner(admin, { id: 'bench', permissions: ['storage'] });
  await registry.addKey(admin, 'bench', { publicKey: publicPem, appIds: ['com.bench.*'] });
  return { registry, dir, blobs, actor: { name: 'bench', role: 'partner', partnerId: 'bench' }, admin };
}

async function publishOne(r, bytes) {
  const temp = r.blobs.tempPath();
  writeFileSync(temp, bytes);
  const { createHash } = await import('node:crypto');
  return r.registry.publish(r.actor, { tempPath: temp, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
}

/** wrk in its own process; the registry answers from this one (so it must not block: spawn, not spawnSync). */
async function wrk(url) {
  const script = join(scratchDir('wrk-'), 'devices.lua');
  writeFileSync(
    script,
    `counter = 0\nrequest = function()\n  counter = counter + 1\n  return wrk.format("GET", "${new URL(url).pathname}?device=d" .. (counter % 100000) .. "&hostVersion=3.4.0")\nend\n`,
  );
  const r = await new Promise((done) => {
    const child = spawn('wrk', ['-t1', '-c32', '-d5s', '--latency', '-s', script, url]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
  if (r.status !== 0) throw new Error(`wrk: ${r.stderr}`);
  if (process.env.BENCH_VERBOSE) console.log(r.stdout);
  const rps = Number(wrkField(/Requests\/sec:\s+([\d.]+)/, r.stdout)[1]);
  const p99 = wrkField(/99%\s+([\d.]+)(us|ms|s)/, r.stdout);
  const p99ms = Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(r.stdout)?.[1] ?? 0);
  const requests = Number(wrkField(/(\d+) requests in/, r.stdout)[1]);
  return { rps, p99ms, non2xx, requests };
}

/**
 * A line wrk always prints (rate, latency, count): a run that printed none is an error, not a NaN in the table.
 * @param {RegExp} pattern
 * @param {string} output
 */
function wrkField(pattern, output) {
  const m = pattern.exec(output);
  if (!m) throw new Error(`wrk's output has no ${pattern}:\n${output}`);
  return m;
}

/** The same-run baseline: a bare node:http server answering a descriptor-sized JSON document, under the same wrk. */
async function startBaseline() {
  const { createServer } = await import('node:http');
  const body = JSON.stringify({ descriptorVersion: 1, id: ID, pad: 'x'.repeat(1400) });
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/mini-programs/${ID}/version`, close: () => server.close() };
}

/**
 * A registry serving the feed as `registry serve` does, its JSON request log included (written as serve
 * writes it, batched per event-loop turn, to a file standing in for a redirected stderr).
 */
async function startFeed(kind, pgUrl) {
  const r = await openRegistry(kind, pgUrl);
  await publishOne(r, await pkg('1.0.0'));
  await r.registry.approve({ name: 'rev', role: 'reviewer' }, ID, '1.0.0');
  await r.registry.release(r.admin, ID, '1.0.0', { channel: 'stable', percent: 100 });
  await publishOne(r, await pkg('1.1.0'));
  await r.registry.approve({ name: 'rev', role: 'reviewer' }, ID, '1.1.0');
  await r.registry.release(r.admin, ID, '1.1.0', { channel: 'stable', percent: 30 });
  const { openSync, writeSync, closeSync } = await import('node:fs');
  const { batchLines } = await import(new URL('registry/log-lines.js', dist).href);
  const fd = openSync(join(r.dir, 'requests.log'), 'a');
  const log = batchLines((text) => writeSync(fd, `${text}\n`));
  const server = await startRegistryServer({ registry: r.registry, log: log.line });
  return {
    url: `${server.url}/mini-programs/${ID}/version`,
    close: async () => {
      await server.close();
      log.flush();
      closeSync(fd);
    },
  };
}

/**
 * Feed answers/s and p99 under wrk, the targets interleaved round by round (the machine's load drifts
 * between runs: a same-round baseline is what a figure is compared with), then the medians.
 */
async function feedBench(targets, rounds) {
  const seen = new Map(targets.map((t) => [t.name, []]));
  for (let round = 1; round <= rounds; round++) {
    const line = [];
    // Each round starts with another target, so no store is always measured last (the load drifts within a round too).
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
    for (const t of order) {
      // The servers run in this process: its CPU time per answer is what the server spends on one,
      // a figure the machine's load disturbs far less than latency (which waits for a core).
      const cpu = process.cpuUsage();
      const m = await wrk(t.url);
      const used = process.cpuUsage(cpu);
      m.cpuUs = (used.user + used.system) / m.requests;
      seen.get(t.name).push(m);
      line.push(`${t.name} ${Math.round(m.rps)}/s p99 ${m.p99ms.toFixed(1)} ms ${m.cpuUs.toFixed(0)} us CPU/answer${m.non2xx ? ` (non-2xx ${m.non2xx})` : ''}`);
    }
    console.log(`round ${round}: ${line.join(' | ')}`);
  }
  const base = seen.get('baseline');
  const baseRps = median(base.map((m) => m.rps));
  const baseP99 = median(base.map((m) => m.p99ms));
  const baseCpu = median(base.map((m) => m.cpuUs));
  for (const [name, ms] of seen) {
    const rps = median(ms.map((m) => m.rps));
    const p99 = median(ms.map((m) => m.p99ms));
    const cpuUs = median(ms.map((m) => m.cpuUs));
    const vs =
      name === 'baseline'
        ? ''
        : `; ${(rps / baseRps).toFixed(2)}x the baseline's rate, p99 ${(p99 / baseP99).toFixed(2)}x the baseline's, CPU/answer ${(cpuUs / baseCpu).toFixed(2)}x  (goal >= 5000/s, p99 < 20 ms)`;
    console.log(
      `${name === 'baseline' ? 'baseline (bare node:http, same JSON size)' : `feed (${name})`}: median ${Math.round(rps)} answers/s, p99 ${p99.toFixed(2)} ms, ${cpuUs.toFixed(0)} us CPU/answer over ${ms.length} rounds${vs}`,
    );
  }
}

/**
 * `miniapp publish` of a 3 MB package to a running registry (`registry serve`, its own process, conformance
 * off) against `miniapp verify` of the same package alone, both as the commands a partner's CI runs,
 * interleaved run by run; each publish is a new version (the same bytes again would be the fast duplicate path).
 */
async function publishBench() {
  const work = scratchDir('miniapp-registry-publish-');
  const data = join(work, 'data');
  const bin = new URL('../bin/miniapp.js', import.meta.url).pathname;
  writeFileSync(join(work, 'pub.pem'), publicPem);
  const cli = (args, env = {}) => spawnSync(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' });
  cli(['registry', 'partner', 'add', 'bench', '--permissions', 'storage', '--data', data]);
  cli(['registry', 'key', 'add', 'bench', '--public-key', 'pub.pem', '--app-ids', 'com.bench.*', '--data', data]);
  const token = JSON.parse(cli(['registry', 'token', 'create', '--role', 'partner', '--partner', 'bench', '--data', data, '--json']).stdout).result.token;
  const server = spawn(process.execPath, [bin, 'registry', 'serve', '--data', data, '--port', '0', '--no-conformance'], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise((resolve, reject) => {
    let err = '';
    server.stderr.on('data', (d) => {
      err += d;
      const m = /listening on (http:\/\/[\d.:]+)/.exec(err);
      if (m) resolve(m[1]);
    });
    server.on('exit', () => reject(new Error(err)));
  });
  const runs = 7;
  const files = [];
  for (let i = 0; i <= runs; i++) {
    const file = join(work, `app-${i}.zip`);
    writeFileSync(file, await pkg(`2.0.${i}`, { 'assets/blob.bin': randomBytes(3 * 1024 * 1024) }));
    files.push(file);
  }
  const time = async (args, env) => {
    const t = performance.now();
    const r = await new Promise((done) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: 'ignore' });
      child.on('close', (code) => done(code));
    });
    if (r !== 0) throw new Error(`miniapp ${args.join(' ')} exited ${r}`);
    return performance.now() - t;
  };
  const verify = [];
  const publish = [];
  try {
    await time(['publish', files[0], '--registry', url], { MINIAPP_REGISTRY_TOKEN: token }); // warm-up
    for (let i = 1; i <= runs; i++) {
      verify.push(await time(['verify', files[i], '--pubkey', 'pub.pem']));
      publish.push(await time(['publish', files[i], '--registry', url], { MINIAPP_REGISTRY_TOKEN: token }));
    }
  } finally {
    server.kill('SIGTERM');
  }
  const v = median(verify);
  const p = median(publish);
  console.log(`miniapp publish of a 3.0 MB package: median ${p.toFixed(0)} ms vs miniapp verify of it alone ${v.toFixed(0)} ms: ${(p / v).toFixed(2)}x (goal <= 2x)`);
}

if (process.env.BENCH_PUBLISH_ONLY) console.log('BENCH_PUBLISH_ONLY: feed benchmark skipped');
else if (!spawnSync('wrk', ['--version']).stdout) console.log('wrk not installed (apt-get install wrk): feed benchmark skipped');
else {
  const pg = startPostgres();
  if (!pg) console.log('feed (postgres): no PostgreSQL server binaries (apt-get install postgresql): skipped');
  const targets = [];
  try {
    targets.push({ name: 'baseline', ...(await startBaseline()) });
    targets.push({ name: 'embedded', ...(await startFeed('embedded')) });
    if (pg) targets.push({ name: 'postgres', ...(await startFeed('postgres', pg.url)) });
    await feedBench(targets, Number(process.env.BENCH_ROUNDS ?? 3));
  } finally {
    for (const t of targets) await t.close();
    pg?.stop();
  }
}
if (!process.env.BENCH_FEED_ONLY) await publishBench();
