/**
 * The runtime's public face: what other folders (host, testing, sandbox, the library) may use. The
 * files behind it are the runtime's own; import from here, never from them (test/layers.test.ts).
 */
export { runApp } from './run.js';
export type { RunOptions, RunReport, RunOutcome } from './run.js';
export { launchApp, appOrigin } from './launch.js';
export { exitError, isLimitExit } from './sandboxed.js';
export type { EscapeAttempts, LaunchOptions, RunningApp } from './launch.js';
export { createInProcessChannel } from './channel.js';
export type { Channel, ConsoleLevel, GuestEnd, GuestMessage, HostEnd, HostMessage, LifecycleState, MessageOf, NetworkApi, NetworkRequest, NetworkResponse, WireError } from './channel.js';
export { loadAppSource } from './app-source.js';
export type { AppSource, AppSourceOptions } from './app-source.js';
export { createHost } from './host/host.js';
export type { AuditSink, ConsoleEntry, GuestErrorEntry, Host, HostOptions } from './host/host.js';
export { BridgeFailure } from './host/failure.js';
export { FakeClock, issueToken, systemClock, tokenSigningKey, verifyToken, TOKEN_LIFETIME_MS } from './host/services/tokens.js';
export type { Clock, TokenCheck, TokenClaims, VerifyTokenOptions } from './host/services/tokens.js';
export type { CallContext, Handler, Responder } from './host/dispatcher.js';
export type { NetworkAuditEvent, NetworkMode, NetworkFixture, NetworkViolation } from './host/network.js';
export type { CallRecord, Recording } from './host/recorder.js';
export { checkUrl } from './host/network-policy.js';
export type { PolicyVerdict } from './host/network-policy.js';
export { findStaticReferences } from './host/static-references.js';
export type { StaticReference } from './host/static-references.js';
export { appAudit, looksLikeEscape } from './host/audit-events.js';
export { toJsonParams, MAX_PARAMS_BYTES } from './json-value.js';
export { RECORD_LIMITS } from './host/bounded.js';
