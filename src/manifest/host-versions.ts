/**
 * The newest host app version this toolchain knows. A manifest whose minHostVersion is higher could
 * never be launched by any host that exists; `--newest-host-version` overrides it for pre-release hosts.
 */
export const NEWEST_HOST_VERSION = '3.4.0';
