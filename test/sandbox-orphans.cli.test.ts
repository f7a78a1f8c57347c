import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCgroup } from '../src/sandbox/index.js';

const distSandbox = new URL('../dist/sandbox/index.js', import.meta.url).href;
const cgroup = detectCgroup();

/** A host process that starts one sandbox, prints the sandbox's pid once it is ready, and waits. */
function host(): Promise<{ sandboxPid: number; kill(): void }> {
  const script = `const { startGuestSandbox } = await import(${JSON.stringify(distSandbox)}); const s = startGuestSandbox(); await s.ready; console.log(s.pid); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve({ sandboxPid: Number(String(d).trim()), kill: () => child.kill('SIGKILL') }));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}`)));
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
};

describe('sandboxes whose host was killed', () => {
  // bwrap's die-with-parent does not hold in every case once it has switched users (a jail killed while
  // it boots was seen to outlive its host): what is left in a dead host's cgroup is killed by the next.
  it.runIf(cgroup.ok)(
    'are killed by the next host that starts a sandbox, and their group removed',
    async () => {
      if (!cgroup.ok) return;
      // A host that is gone: its pid, and a group named after it holding a process that outlived it.
      const deadHost = spawnSync('true').pid;
      const group = join(cgroup.memoryParent, `miniapp-${deadHost}-1`);
      const orphan = spawn('sleep', ['60'], { stdio: 'ignore' });
      // Another test file's host may sweep the group between mkdir and the write (it is empty and its
      // host is dead): make it again until the orphan is inside.
      for (let i = 0; ; i++) {
        try {
          mkdirSync(group, { recursive: true });
          writeFileSync(join(group, 'cgroup.procs'), String(orphan.pid));
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || i === 9) throw err;
        }
      }
      const next = await host();
      try {
        expect(await until(() => orphan.exitCode !== null || orphan.signalCode !== null, 5000)).toBe(true);
        expect(orphan.signalCode).toBe('SIGKILL');
        expect(alive(next.sandboxPid)).toBe(true);
        // Removed once its process is gone, by the sweep of a later host.
        const later = await host();
        later.kill();
        expect(await until(() => !existsSync(group), 5000)).toBe(true);
      } finally {
        next.kill();
        orphan.kill('SIGKILL');
      }
    },
    60_000,
  );
});
