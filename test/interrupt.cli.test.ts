import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binPath } from './helpers/cli.js';
import { tempDir } from './helpers/temp.js';

/** Ctrl-C during a command that writes leaves the whole output or none, and exits 130 promptly. */
const work = tempDir('interrupt');

/** Sends SIGINT `ms` after the command reports on stderr that its work started (`when`). */
function interruptAfter(args: string[], when: RegExp, ms: number): Promise<{ code: number | null; stdout: string; stderr: string; afterSignalMs: number; signalled: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!timer && when.test(stderr)) {
        timer = setTimeout(() => {
          signalledAt = Date.now();
          child.kill('SIGINT');
        }, ms);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, afterSignalMs: signalledAt ? Date.now() - signalledAt : 0, signalled: signalledAt > 0 });
    });
  });
}

describe('interrupting a command that writes', () => {
  it('keygen interrupted while generating writes no key, prints no success and exits 130 at once', async () => {
    // A 4096-bit key takes long enough to be interrupted; retry the rare run that finishes first.
    for (let attempt = 0; attempt < 3; attempt++) {
      const prefix = `k${attempt}`;
      const r = await interruptAfter(['keygen', '--out', prefix, '--bits', '4096', '--json'], /generating/, 50);
      if (!r.signalled) continue;
      expect(r.code).toBe(130);
      expect(r.stdout).not.toContain('"ok": true');
      expect(JSON.parse(r.stdout).errors[0].code).toBe('INTERRUPTED');
      expect(existsSync(join(work, `${prefix}.key.pem`)) || existsSync(join(work, `${prefix}.pub.pem`))).toBe(false);
      expect(r.afterSignalMs).toBeLessThan(1000);
      expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      return;
    }
    throw new Error('keygen finished before every interrupt: nothing was tested');
  }, 60_000);
});

describe('writeFilesAtomic: several files as one output', () => {
  it('an abort before the files are placed leaves none of them and no temp file', async () => {
    const { writeFilesAtomic } = await import('../src/core/fs/atomic.js');
    const dir = mkdtempSync(join(work, 'files-'));
    const controller = new AbortController();
    const files = [
      { path: join(dir, 'a.zip'), data: 'a' },
      { path: join(dir, 'a.release.json'), data: '{}' },
    ];
    controller.abort();
    await expect(writeFilesAtomic(files, { signal: controller.signal })).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(readdirSync(dir)).toEqual([]);
    await writeFilesAtomic(files, { signal: new AbortController().signal });
    expect(readdirSync(dir).sort()).toEqual(['a.release.json', 'a.zip']);
  });

  it('exclusive: a clash with an existing file undoes the files already placed', async () => {
    const { writeFilesAtomic } = await import('../src/core/fs/atomic.js');
    const dir = mkdtempSync(join(work, 'clash-'));
    await writeFilesAtomic([{ path: join(dir, 'k.pub.pem'), data: 'old' }]);
    await expect(
      writeFilesAtomic(
        [
          { path: join(dir, 'k.key.pem'), data: 'new' },
          { path: join(dir, 'k.pub.pem'), data: 'new' },
        ],
        { exclusive: true },
      ),
    ).rejects.toMatchObject({ code: 'WRITE_FAILED' });
    expect(readdirSync(dir)).toEqual(['k.pub.pem']);
  });
});
