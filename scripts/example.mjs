// The README's main job, end to end on the bundled sample. Later issues extend it to
// init → build → keygen → sign → verify → run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/miniapp.js', import.meta.url));

function step(title, args) {
  process.stderr.write(`\n$ miniapp ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`${title} failed (exit ${r.status})\n`);
    process.exit(r.status ?? 1);
  }
}

step('validate', ['validate', 'examples/loans/manifest.json']);
