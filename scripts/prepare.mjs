// @ts-check
// npm's "prepare" hook. It builds the toolchain when it is installed in its own checkout (`npm ci` here),
// and does nothing when another project installs it through a `file:` dependency (a scaffolded app's
// `npm install`): that app gets the finished package as it is, and the toolchain folder other projects
// use is never rebuilt underneath them. `npm run build` always builds.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const real = (p) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};
const invokedFrom = process.env.INIT_CWD ? real(process.env.INIT_CWD) : real(root);
const ownCheckout = invokedFrom === real(root);
if (!ownCheckout && existsSync(join(root, 'dist', 'index.js'))) process.exit(0);
const r = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--types'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
