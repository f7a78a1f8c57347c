/**
 * The host-grade runtime as one entry: what a host process loads. scripts/build.mjs also bundles it
 * into dist/host/bundle.js, so a host starts without resolving dozens of modules.
 */
export { decideInstall, installPackage, INSTALL_STEPS } from './install.js';
export type { DecideInstallOptions, InstallOptions, InstallReport, InstallStep } from './install.js';
export { parseTrustStore, loadTrustStore, appIdMatches } from './trust-store.js';
export type { TrustStore } from './trust-store.js';
export { openAuditLog } from './audit.js';
export type { AuditLog, AuditEvent, AuditEventType, AuditRecord } from './audit.js';
export { createHostManager } from './manager.js';
export type { HostManager, HostManagerOptions } from './manager.js';
export { launchSandboxedApp } from './sandboxed-app.js';
export type { SandboxedApp } from './sandboxed-app.js';
export { startGuestSandbox } from './guest-sandbox.js';
export { checkForUpdate } from './updates.js';
export { runConformance } from './conformance.js';
export type { ConformanceReport, ConformanceCheck } from './conformance.js';
export { readAppState, writeAppState } from './app-store.js';
export type { AppState } from './app-store.js';
