import { toolchainPath } from '../core/toolchain.js';
import { startSandbox, type Sandbox, type SandboxLimits } from '../sandbox/index.js';

/** The guest side's bundle (see scripts/build.mjs): the guest environment and happy-dom in one CommonJS file, loaded with its code cache. */
export const sandboxGuestEntry = () => toolchainPath('dist', 'sandbox', 'guest.cjs');

/**
 * Starts a sandbox for a mini-program before knowing which: it loads the guest runtime and the DOM and
 * waits for its app. It may read nothing but the toolchain's dist/ (the host sends the app's files).
 * This module is deliberately light, so a host can start its first sandbox before loading the rest.
 */
export function startGuestSandbox(limits?: SandboxLimits, checkIntervalMs?: number): Sandbox {
  return startSandbox({ entry: sandboxGuestEntry(), readPaths: [], limits, checkIntervalMs });
}
