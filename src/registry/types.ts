import type { ConformanceReport } from '../host/index.js';
import type { Manifest } from '../manifest/types.js';
import type { ReleaseDescriptor } from '../signing/descriptor.js';

export const ROLES = ['admin', 'reviewer', 'partner'] as const;
export type Role = (typeof ROLES)[number];

export const CHANNELS = ['stable', 'beta'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Partner {
  id: string;
  name?: string;
  permissions: string[];
  createdAt: number;
}

export interface SigningKeyRecord {
  keyId: string;
  partnerId: string;
  publicKey: string;
  appIds: string[];
  createdAt: number;
  revokedAt?: number;
}

export interface TokenRecord {
  id: string;
  /** sha256 (hex) of the secret: the secret itself is never stored. */
  hash: string;
  role: Role;
  /** The partner a partner token acts for; a reviewer's own partner, when it has one. */
  partnerId?: string;
  label?: string;
  createdAt: number;
  revokedAt?: number;
}

export type VersionStatus = 'submitted' | 'approved' | 'rejected';

/** What a conformance run concluded; `pending` while it runs. */
export interface ConformanceVerdict {
  status: 'pending' | 'passed' | 'failed' | 'skipped';
  failed?: string[];
  report?: Pick<ConformanceReport, 'checks' | 'timings' | 'memory'>;
  at?: number;
}

export interface VersionRecord {
  appId: string;
  version: string;
  sha256: string;
  size: number;
  partnerId: string;
  keyId: string;
  manifest: Manifest;
  descriptor: ReleaseDescriptor;
  status: VersionStatus;
  reason?: string;
  reviewer?: string;
  conformance?: ConformanceVerdict;
  createdAt: number;
  reviewedAt?: number;
  yankedAt?: number;
}

export type ReleaseState = 'active' | 'paused' | 'rolled-back' | 'yanked';

export interface ReleaseRecord {
  id: number;
  appId: string;
  version: string;
  channel: Channel;
  /** Share of devices, in hundredths of a percent: 0..10000. */
  rollout: number;
  state: ReleaseState;
  createdAt: number;
  updatedAt: number;
}

export interface AuditRecord {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

/** Who asks: a token's holder, or the operator at the machine (`miniapp registry ...` on the store itself). */
export interface Actor {
  /** For the audit log: `token:<id>` or `operator:<name>`. */
  name: string;
  role: Role;
  partnerId?: string;
}
