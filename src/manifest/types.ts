import type { Profile } from './domains.js';

export type { Profile } from './domains.js';

/** A mini-program manifest (manifest.json at the package root): generated from schema/manifest.schema.json. */
import type { Manifest } from './generated/manifest.js';

export type { Manifest };

export interface ManifestCheckOptions {
  /** File name used in diagnostics (default "manifest.json"). */
  file?: string;
  /** "dev" (default) allows loopback domains; "release" forbids what a store reviewer rejects. */
  profile?: Profile;
  /** The newest host version the toolchain knows; a higher minHostVersion is an error. */
  newestHostVersion?: string;
  /**
   * Answers whether a path exists in the package or project. Given when validating a directory or a
   * package, so the entry point is checked; omitted for a lone manifest file.
   */
  fileExists?: (packagePath: string) => boolean;
  /** Describes where files were looked up, for messages ("the package", "./app"). */
  where?: string;
}

export interface ManifestCheckResult {
  /** The manifest when it has no errors. */
  manifest?: Manifest;
  /** The parsed value even when it has errors (for inspect and reports). */
  value?: unknown;
  errors: import('../core/errors/index.js').Diagnostic[];
  warnings: import('../core/errors/index.js').Diagnostic[];
}
