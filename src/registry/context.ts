import { MiniappError } from '../core/errors/index.js';
import type { BlobStore } from './blobs.js';
import type { AuditEntry, RegistryStore, StoreTx } from './store.js';
import type { Actor, Role } from './types.js';

export interface RegistryOptions {
  store: RegistryStore;
  blobs: BlobStore;
  now?: () => number;
  /** Run each published package through conformance in the sandboxed runtime (default true). */
  conformance?: boolean;
  /** Refuse a reviewer approving a package of their own partner (default true). */
  forbidSelfReview?: boolean;
  /** How long the feed may answer from its cache of a channel's releases, in ms (default 1000). Local changes clear it at once. */
  feedCacheMs?: number;
  /** Where descriptors point hosts for the bytes: a path on this server (default /packages/) or a CDN's base URL. */
  packageBaseUrl?: string;
  /** Conformance's start-up budget in ms (default 3000, as `miniapp conformance`). */
  conformanceStartupBudgetMs?: number;
  /** The host version conformance runs for (default: the newest this toolchain knows). */
  conformanceHostVersion?: string;
}

/** What the registry's parts share: the store, the blobs, the clock and the options. */
export interface RegistryContext {
  store: RegistryStore;
  blobs: BlobStore;
  now: () => number;
  options: RegistryOptions;
  /** Runs one change and its audit entry in one transaction; the feed's cache forgets what it held. */
  change<T>(entry: (value: T) => AuditEntry | AuditEntry[], fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** Clears cached feed answers (after a change made here). */
  onChange: Set<() => void>;
}

export function createContext(options: RegistryOptions): RegistryContext {
  const now = options.now ?? Date.now;
  const onChange = new Set<() => void>();
  return {
    store: options.store,
    blobs: options.blobs,
    now,
    options,
    onChange,
    async change(entry, fn) {
      const value = await options.store.change(async (tx) => {
        const v = await fn(tx);
        const at = now();
        for (const e of [entry(v)].flat()) await tx.audit(e, at);
        return v;
      });
      for (const f of onChange) f();
      return value;
    },
  };
}

/** Refuses an actor without one of the roles (admin may do everything). */
export function requireRole(actor: Actor, roles: readonly Role[], action: string): void {
  if (actor.role === 'admin' || roles.includes(actor.role)) return;
  throw new MiniappError('REGISTRY_FORBIDDEN', { role: actor.role, partner: actor.partnerId, action });
}

/** Refuses a partner acting on another partner's app (operators and admins may act on any). */
export function requireOwner(actor: Actor, partnerId: string, action: string): void {
  if (actor.role === 'admin') return;
  if (actor.role === 'partner' && actor.partnerId === partnerId) return;
  throw new MiniappError('REGISTRY_FORBIDDEN', {
    role: actor.role,
    partner: actor.partnerId,
    action,
    why: `Only partner ${JSON.stringify(partnerId)}, which published it, or an administrator may do this.`,
  });
}
