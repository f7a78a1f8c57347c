import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepDeadWorkDirs } from '../src/host/work-dir.js';
import { tempDir } from './helpers/temp.js';

describe("conformance's scratch folders", () => {
  it('a run sweeps the folders of processes that are gone, and keeps live ones and foreign names', async () => {
    const root = tempDir('sweep');
    // A pid that surely ended: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const names = {
      dead: `miniapp-conformance-${dead}-abc123`,
      mine: `miniapp-conformance-${process.pid}-def456`,
      parent: `miniapp-conformance-${process.ppid}-ghi789`,
      oldStyle: 'miniapp-conformance-Zx81Qa',
      other: `miniapp-build-${dead}-abc`,
    };
    for (const n of Object.values(names)) mkdirSync(join(root, n));
    writeFileSync(join(root, names.dead, 'left.txt'), 'x');
    expect(await sweepDeadWorkDirs(root)).toEqual([names.dead]);
    expect(existsSync(join(root, names.dead))).toBe(false);
    for (const n of [names.mine, names.parent, names.oldStyle, names.other]) expect(existsSync(join(root, n))).toBe(true);
  });
});
