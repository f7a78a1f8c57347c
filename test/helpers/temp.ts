import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const created = new Set<string>();

/**
 * A new, empty directory under the system temp directory (`miniapp-<name>-XXXXXX`, symlinks resolved),
 * removed with everything in it when the test file ends (test/setup.ts). The one way tests make temp dirs.
 */
export function tempDir(name = 'test'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), `miniapp-${name.replace(/^miniapp-/, '').replace(/-$/, '')}-`)));
  created.add(dir);
  return dir;
}

/** Removes every directory tempDir() made in this test file. */
export function removeTempDirs(): void {
  for (const dir of created) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  created.clear();
}
