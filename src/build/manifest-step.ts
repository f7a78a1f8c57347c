import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { diagnostic } from '../core/errors/index.js';
import type { ManifestCheckResult } from '../manifest/types.js';
import { explainUnsafePackagePath } from '../format/paths.js';
import type { BuildContextOptions, BuildDiagnostic } from './types.js';

// The first step of every build: manifest.json read, and its full check started (the manifest module
// loads meanwhile), so bundling can start at once from the entry point a plain parse finds.

export interface ManifestStep {
  bytes: Uint8Array;
  /** The entryPoint by a plain parse, when it is a safe package path. */
  htmlPath?: string;
  /** The full check; a build never packages a manifest the host would reject. */
  checking: Promise<ManifestCheckResult>;
}

/** The entryPoint of a manifest by a plain parse, when it is a safe package path; the full check comes separately. */
export function peekEntryPoint(bytes: Uint8Array): string | undefined {
  try {
    const value = (JSON.parse(new TextDecoder().decode(bytes)) as { entryPoint?: unknown }).entryPoint;
    return typeof value === 'string' && !explainUnsafePackagePath(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the manifest check of bytes read from `manifestFile`; `fileExists` answers for the files the package will have. */
export function checkManifest(
  bytes: Uint8Array,
  options: Pick<BuildContextOptions, 'profile' | 'newestHostVersion'>,
  fileExists: (rel: string) => boolean,
  where: string,
): Promise<ManifestCheckResult> {
  const checking = import('../manifest/check.js').then(({ checkManifestBytes }) =>
    checkManifestBytes(bytes, { file: 'manifest.json', profile: options.profile ?? 'dev', newestHostVersion: options.newestHostVersion, fileExists, where }),
  );
  checking.catch(() => undefined);
  return checking;
}

/** Reads the project's manifest.json; a missing or unreadable one is an error in `errors`. */
export async function readProjectManifest(projectDir: string, options: BuildContextOptions, errors: BuildDiagnostic[]): Promise<ManifestStep | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(join(projectDir, 'manifest.json'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'MANIFEST_NOT_FOUND' : 'FILE_UNREADABLE';
    errors.push(diagnostic(code, { path: projectDir, reason: (err as Error).message }, { file: 'manifest.json' }));
    return undefined;
  }
  const fileExists = (rel: string) => existsSync(join(projectDir, rel)) || existsSync(join(projectDir, 'public', rel));
  return { bytes, htmlPath: peekEntryPoint(bytes), checking: checkManifest(bytes, options, fileExists, 'the project') };
}
