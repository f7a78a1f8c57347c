/**
 * The dev server core: `createDevServer` builds, serves, watches and reloads; the channel interface and
 * the protocol are what a debug host or a test talks to. No terminal here: `miniapp serve` is the shell.
 */
export { createDevServer } from './dev-server.js';
export type { DevServer, DevServerEvent, DevServerOptions } from './dev-server.js';
export { createMemoryChannel } from './channel.js';
export type { DevChannel, DevClient, MemoryChannel, MemoryClient, ChannelHandlers } from './channel.js';
export { PROTOCOL_VERSION, WS_PATH, DEV_PREFIX, LIMITS, stripAnsi } from './protocol.js';
export type { DevServerMessage, DevClientMessage, ErrorPayload, BridgeCallRecord, RuntimeErrorRecord, ClientRole } from './protocol.js';
export { parseClientMessage } from './validate.js';
export { LAUNCH_PATH } from './http.js';
export { printable } from './terminal-text.js';
export type { ReleaseDescriptor } from './descriptor.js';
export { parseRequestPath, isAllowedHost, isAllowedOrigin } from './security.js';
