import type { Manifest } from '../../manifest/types.js';
import type { Fixtures } from './fixtures.js';
import type { NetworkMode } from './network-policy.js';
import type { Recording } from './recorder.js';
import type { PaymentOutcome } from './services/payments.js';
import type { Clock } from './services/tokens.js';

// What a host is given: its options, and where its audit events go. Apart from host.ts so that the
// parts createHost joins can name them without importing the file that imports them.

/** Where security-relevant events go (the host-grade runtime's AuditLog fits); the app id is added here. */
export interface AuditSink {
  record(event: { type: string; app?: string; [field: string]: unknown }): void;
}

export interface HostOptions {
  manifest: Manifest;
  hostVersion: string;
  hostKey: Uint8Array;
  dataDir?: string;
  storageQuota?: number;
  clock?: Clock;
  /** Consent permissions the user grants or denies in this run (default: granted). */
  grant?: readonly string[];
  deny?: readonly string[];
  network?: NetworkMode;
  fixtures?: Fixtures;
  replay?: Recording;
  paymentOutcome?: PaymentOutcome;
  /** Trusted CA certificates (PEM) for --network live. */
  ca?: string | string[];
  connect?: (host: string) => { host: string; port: number } | undefined;
  installedApps?: readonly string[];
  location?: { latitude: number; longitude: number; accuracy: number } | null;
  launchPath?: string;
  launchQuery?: Record<string, string>;
  origin: string;
  readAppFile?: (path: string) => Promise<Uint8Array | undefined>;
  /** The app asked to close (navigation.close). */
  onCloseRequest?: () => void;
  /** An audit log: bridge calls, escape traces and network decisions are recorded as they happen. */
  audit?: AuditSink;
  /** How many bridge calls are kept in full (previews); the rest are counted. Default RECORD_LIMITS.calls. */
  recordLimit?: number;
}
