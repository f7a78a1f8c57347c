import { MiniappError } from '../core/errors/index.js';
import { HOST_VERSION_PATTERN } from '../format/index.js';

/**
 * The newest host app version this toolchain knows. A manifest whose minHostVersion is higher could
 * never be launched by any host that exists; `--newest-host-version` overrides it for pre-release hosts.
 * It is a toolchain rule for authors (validate, build, sign); a host decides minHostVersion by its own
 * version instead (HOST_UPDATE_REQUIRED), and every command that decides as a host defaults to this one.
 */
export const NEWEST_HOST_VERSION = '3.4.0';

/** The one grammar of a host version (src/format): MAJOR.MINOR.PATCH, no pre-release part. */
export { HOST_VERSION_PATTERN };

export const isHostVersion = (value: string): boolean => HOST_VERSION_PATTERN.test(value);

/** Checks a `--host-version` value: anything but MAJOR.MINOR.PATCH is a usage error (exit 2). */
export function parseHostVersionOption(value: unknown, command: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && isHostVersion(value)) return value;
  throw new MiniappError('USAGE_ERROR', { reason: `--host-version ${JSON.stringify(value)} is not a host version: MAJOR.MINOR.PATCH, such as 3.2.0 (no pre-release part)`, command });
}
