// @ts-check
// The README's main job, end to end on a sample mini-program:
// init → build → keygen → sign → verify → run, in .tmp/example/ (recreated each time).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/miniapp.js', import.meta.url));
const work = '.tmp/example';
const app = `${work}/sample-app`;
const zip = `${app}/dist/com.example.sample-1.0.0.zip`;

function step(args) {
  process.stderr.write(`\n$ miniapp ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    process.stderr.write(`\nminiapp ${args[0]} failed (exit ${r.status}); the example stops here.\n`);
    process.exit(r.status ?? 1);
  }
}

rmSync(`${root}/${work}`, { recursive: true, force: true });
mkdirSync(`${root}/${work}/keys`, { recursive: true });
step(['init', app, '--yes', '--template', 'vanilla', '--id', 'com.example.sample', '--name', 'Sample']);
step(['validate', app]);
step(['build', app]);
step(['keygen', '--out', `${work}/keys/partner`, '--bits', '2048']);
step(['sign', zip, '--key', `${work}/keys/partner.key.pem`]);
step(['verify', zip, '--pubkey', `${work}/keys/partner.pub.pem`]);
step(['run', zip, '--pubkey', `${work}/keys/partner.pub.pem`]);
process.stderr.write(`\nDone: the signed package is ${zip}; the sample project is in ${app}.\n`);
