import { createConformanceQueue, requeueConformance } from './conformance.js';
import { createContext, requireRole, type RegistryOptions } from './context.js';
import { createFeed } from './feed.js';
import * as partners from './partners.js';
import { publish, type Upload } from './publish.js';
import { release, releasesOf, setReleaseState, setRollout, yank } from './releases.js';
import { decideSubmission, listSubmissions, showSubmission } from './review.js';
import type { Actor, VersionStatus } from './types.js';

export type { RegistryOptions } from './context.js';

/** The operator at the machine, acting on the store directly (`miniapp registry ... --data DIR`). */
export const operator = (name = process.env.USER ?? 'operator'): Actor => ({ name: `operator:${name}`, role: 'admin' });

/**
 * The marketplace's core: partners, keys and tokens; publish (the host's install decision before
 * anything is stored); review; releases with staged rollout; the update feed; the trust-store export and
 * the audit log. No HTTP here (server.ts) and no terminal (src/commands): every call takes the actor it
 * acts for and checks what that actor may do.
 */
export function createRegistry(options: RegistryOptions & { onError?: (err: unknown) => void }) {
  const ctx = createContext(options);
  const feed = createFeed(ctx);
  const conformance = createConformanceQueue(ctx, options.onError ?? (() => undefined));
  return {
    store: options.store,
    blobs: options.blobs,
    authenticate: (token: string | undefined) => partners.authenticate(ctx, token),
    addPartner: (a: Actor, input: Parameters<typeof partners.addPartner>[2]) => partners.addPartner(ctx, a, input),
    setPartnerPermissions: (a: Actor, id: string, permissions: unknown) => partners.setPartnerPermissions(ctx, a, id, permissions),
    listPartners: async (a: Actor) => {
      requireRole(a, ['reviewer'], 'list partners');
      return ctx.store.partners();
    },
    addKey: (a: Actor, partnerId: string, input: { publicKey?: unknown; appIds?: unknown }) => partners.addKey(ctx, a, partnerId, input),
    rotateKey: (a: Actor, keyId: string, input: { publicKey?: unknown; appIds?: unknown }) => partners.rotateKey(ctx, a, keyId, input),
    revokeKey: (a: Actor, keyId: string) => partners.revokeKey(ctx, a, keyId),
    listKeys: async (a: Actor, partnerId?: string) => {
      requireRole(a, ['reviewer'], 'list keys');
      return ctx.store.keys({ partnerId, includeRevoked: true });
    },
    createToken: (a: Actor, input: { role?: unknown; partnerId?: unknown; label?: unknown }) => partners.createToken(ctx, a, input),
    revokeToken: (a: Actor, id: string) => partners.revokeToken(ctx, a, id),
    listTokens: async (a: Actor) => {
      requireRole(a, [], 'list tokens');
      return (await ctx.store.tokens()).map(({ hash: _h, ...t }) => t);
    },
    exportTrustStore: async (a: Actor) => {
      requireRole(a, ['reviewer'], 'export the trust store');
      return partners.exportTrustStore(ctx);
    },
    async publish(a: Actor, upload: Upload) {
      const { result, created } = await publish(ctx, a, upload);
      if (created && options.conformance !== false) conformance.enqueue(created);
      return result;
    },
    /** Re-runs one submitted version's conformance, or (no target) every run left pending by a process that stopped. */
    rerunConformance: (a: Actor, target?: { appId: string; version: string }) => requeueConformance(ctx, conformance, a, target),
    listSubmissions: (a: Actor, filter?: { status?: VersionStatus; appId?: string }) => listSubmissions(ctx, a, filter),
    showSubmission: (a: Actor, appId: string, version: string) => showSubmission(ctx, a, appId, version),
    approve: (a: Actor, appId: string, version: string) => decideSubmission(ctx, a, appId, version, { approve: true }),
    reject: (a: Actor, appId: string, version: string, reason: unknown) => decideSubmission(ctx, a, appId, version, { approve: false, reason }),
    release: (a: Actor, appId: string, version: string, input: { channel?: unknown; percent?: unknown }) => release(ctx, a, appId, version, input),
    setRollout: (a: Actor, appId: string, input: { channel?: unknown; percent?: unknown }) => setRollout(ctx, a, appId, input),
    pause: (a: Actor, appId: string, input: { channel?: unknown }) => setReleaseState(ctx, a, appId, input, 'pause'),
    resume: (a: Actor, appId: string, input: { channel?: unknown }) => setReleaseState(ctx, a, appId, input, 'resume'),
    rollback: (a: Actor, appId: string, input: { channel?: unknown }) => setReleaseState(ctx, a, appId, input, 'rollback'),
    yank: (a: Actor, appId: string, version: string, reason?: unknown) => yank(ctx, a, appId, version, reason),
    releases: (appId: string) => releasesOf(ctx, appId),
    auditLog: async (a: Actor, o?: { after?: number; limit?: number }) => {
      requireRole(a, [], 'read the audit log');
      return ctx.store.auditLog(o);
    },
    feed,
    conformance,
    /** Waits for background conformance runs, then closes the store. */
    async close() {
      await conformance.idle();
      await options.store.close();
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
