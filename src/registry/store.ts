import type { AuditRecord, Channel, Partner, ReleaseRecord, ReleaseState, SigningKeyRecord, TokenRecord, VersionRecord, VersionStatus, ConformanceVerdict } from './types.js';

/** What one change writes besides its own rows: its audit entry, in the same transaction. */
export interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  detail?: Record<string, unknown>;
}

/** The writes of one transaction: all of them land, or none does. */
export interface StoreTx {
  insertPartner(p: Partner): Promise<void>;
  updatePartner(id: string, change: { name?: string; permissions?: string[] }): Promise<void>;
  insertKey(k: SigningKeyRecord): Promise<void>;
  revokeKey(keyId: string, at: number): Promise<boolean>;
  insertToken(t: TokenRecord): Promise<void>;
  revokeToken(id: string, at: number): Promise<boolean>;
  insertVersion(v: VersionRecord): Promise<void>;
  reviewVersion(appId: string, version: string, from: VersionStatus, change: { status: VersionStatus; reason?: string; reviewer: string; at: number }): Promise<boolean>;
  setConformance(appId: string, version: string, verdict: ConformanceVerdict): Promise<void>;
  yankVersion(appId: string, version: string, at: number): Promise<void>;
  insertRelease(r: Omit<ReleaseRecord, 'id'>): Promise<void>;
  updateRelease(id: number, change: { rollout?: number; state?: ReleaseState; at: number }): Promise<void>;
  /** Reads inside the transaction (what it is about to change). */
  releases(appId: string, channel?: Channel): Promise<ReleaseRecord[]>;
  version(appId: string, version: string): Promise<VersionRecord | undefined>;
  audit(entry: AuditEntry, at: number): Promise<void>;
}

/**
 * Where a registry keeps its records. Two implementations share one SQL store over two drivers
 * (openRegistryStore): the embedded SQLite file and PostgreSQL, with the same migrations. Blobs are kept
 * apart (blobs.ts). Every change goes through change(), whose transaction also appends the audit entry.
 */
export interface RegistryStore {
  readonly kind: 'embedded' | 'postgres';
  readonly where: string;
  partners(): Promise<Partner[]>;
  partner(id: string): Promise<Partner | undefined>;
  keys(options?: { partnerId?: string; includeRevoked?: boolean }): Promise<SigningKeyRecord[]>;
  key(keyId: string): Promise<SigningKeyRecord | undefined>;
  tokenByHash(hash: string): Promise<TokenRecord | undefined>;
  tokens(): Promise<TokenRecord[]>;
  version(appId: string, version: string): Promise<VersionRecord | undefined>;
  versionsBySha(sha256: string): Promise<VersionRecord[]>;
  versions(filter?: { appId?: string; status?: VersionStatus; partnerId?: string }): Promise<VersionRecord[]>;
  releases(appId: string, channel?: Channel): Promise<ReleaseRecord[]>;
  auditLog(options?: { after?: number; limit?: number }): Promise<AuditRecord[]>;
  /** One transaction: its writes and their audit entries land together or not at all. */
  change<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** A cheap round trip to the database (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
