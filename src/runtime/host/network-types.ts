import type { NetworkApi, NetworkResponse, WireError } from '../channel.js';
import type { NetworkMode } from './network-policy.js';

// The network's contract: what it is given, what it records, what a request ends in. Apart from
// network.ts so that its parts (network-requests.ts) can name them without importing it.

/** A canned response for `--network fixtures`. `url` matches exactly, or as a prefix when it ends with "*". */
export interface NetworkFixture {
  url: string;
  method?: string;
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  json?: unknown;
}

export interface NetworkViolation {
  api: NetworkApi;
  url: string;
  reason: string;
  /** 0 for the request itself, n for the n-th redirect. */
  hop: number;
}

/**
 * One network decision, as an audit log records it: the runtime refused the request (blocked, with the
 * code the guest saw and why), or the policy let it through (allowed, with the status it got, or the code
 * of what went wrong after: no fixture, a connection error, a WebSocket the runtime does not carry).
 */
export type NetworkAuditEvent =
  | { type: 'network.blocked'; api: NetworkApi; method: string; url: string; code: string; reason: string; hop: number }
  | { type: 'network.allowed'; api: NetworkApi; method: string; url: string; status?: number; code?: string; finalUrl?: string };

export interface NetworkOptions {
  mode: NetworkMode;
  allowedDomains: readonly string[];
  fixtures?: readonly NetworkFixture[];
  /** Extra CA certificates (PEM) trusted by the live network. */
  ca?: string | string[];
  /** Where to connect instead of host:443 (tests point allowed hosts at a loopback server). */
  connect?: (host: string) => { host: string; port: number } | undefined;
  /** Serves the app's own files for same-origin requests (the package is read-only). */
  readAppFile?: (path: string) => Promise<Uint8Array | undefined>;
  appOrigin: string;
  onViolation: (v: NetworkViolation) => void;
  /** Told every decision, where it is made (an audit log); absent, nothing is built for it. */
  onDecision?: (event: NetworkAuditEvent) => void;
  timeoutMs?: number;
}

export type NetworkOutcome = { ok: true; response: NetworkResponse } | { ok: false; error: WireError };
