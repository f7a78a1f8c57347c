import { runConformance } from '../host/index.js';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import { MiniappError } from '../core/errors/index.js';
import { requireRole, type RegistryContext } from './context.js';
import { trustStoreOf } from './partners.js';
import type { Actor, ConformanceVerdict, VersionRecord } from './types.js';

/**
 * Conformance for each published version, one at a time in the background: the host-grade runtime
 * (src/host/conformance.ts) installs the stored package and runs the app in its own sandbox process,
 * never in the registry's. The verdict is stored on the version, and audited, for reviewers.
 */
export function createConformanceQueue(ctx: RegistryContext, onError: (err: unknown) => void) {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  const queued = new Set<string>();
  async function runOne(v: VersionRecord): Promise<void> {
    let verdict: ConformanceVerdict;
    try {
      const report = await runConformance({
        target: ctx.blobs.path(v.sha256),
        hostVersion: ctx.options.conformanceHostVersion ?? NEWEST_HOST_VERSION,
        trustStore: await trustStoreOf(ctx),
        startupBudgetMs: ctx.options.conformanceStartupBudgetMs,
      });
      const failed = report.checks.filter((c) => c.status === 'failed').map((c) => `${c.name}${c.code ? ` ${c.code}` : ''}`);
      verdict = {
        status: report.ok ? 'passed' : 'failed',
        failed: failed.length ? failed : undefined,
        report: { checks: report.checks, timings: report.timings, memory: report.memory },
        at: ctx.now(),
      };
    } catch (err) {
      verdict = { status: 'failed', failed: [`conformance could not run: ${(err as Error).message}`], at: ctx.now() };
    }
    await ctx.change(
      () => ({ actor: 'registry', action: `conformance.${verdict.status}`, subject: `${v.appId}@${v.version}`, detail: verdict.failed ? { failed: verdict.failed } : undefined }),
      (tx) => tx.setConformance(v.appId, v.version, verdict),
    );
  }
  return {
    /** Queues a run; false when one for this version is already queued or running in this process. */
    enqueue(v: VersionRecord): boolean {
      const key = `${v.appId}@${v.version}`;
      if (queued.has(key)) return false;
      queued.add(key);
      pending++;
      tail = tail
        .then(() => runOne(v))
        .catch(onError)
        .finally(() => {
          pending--;
          queued.delete(key);
        });
      return true;
    },
    /** A run for this version is queued or running in this process. */
    has: (appId: string, version: string) => queued.has(`${appId}@${version}`),
    get pending() {
      return pending;
    },
    /** Resolves once every queued run has finished (shutdown waits for it). */
    idle: () => tail,
  };
}

export type ConformanceQueue = ReturnType<typeof createConformanceQueue>;

/**
 * Runs again the conformance of a submitted version (a reviewer asking for it: the run failed for a
 * reason outside the app, say), or, without a target, of every submitted version whose run is `pending`
 * but not queued in this process: runs that were in flight when a registry process died stay pending in
 * the store, and nothing else would finish them. Each re-run is audited (`conformance.requeued`) and its
 * verdict lands as a first run's does. Returns the versions queued.
 */
export async function requeueConformance(ctx: RegistryContext, queue: ConformanceQueue, actor: Actor, target?: { appId: string; version: string }) {
  requireRole(actor, ['reviewer'], 're-run conformance');
  if (ctx.options.conformance === false) {
    throw new MiniappError('REGISTRY_INVALID_STATE', {
      subject: target ? `${target.appId}@${target.version}` : 'this registry',
      state: 'serving without conformance runs',
      action: 're-run conformance',
      why: 'Serve the registry without --no-conformance to run conformance on packages.',
    });
  }
  let versions: VersionRecord[];
  if (target) {
    const v = await ctx.store.version(target.appId, target.version);
    const subject = `${target.appId}@${target.version}`;
    if (!v) throw new MiniappError('REGISTRY_NOT_FOUND', { what: 'version', name: subject });
    if (v.status !== 'submitted')
      throw new MiniappError('REGISTRY_INVALID_STATE', { subject, state: v.status, action: 're-run conformance', why: 'Conformance is re-run for a version awaiting review only.' });
    versions = queue.has(v.appId, v.version) ? [] : [v];
    if (!versions.length) return [{ id: v.appId, version: v.version }];
  } else {
    versions = (await ctx.store.versions({ status: 'submitted' })).filter((v) => v.conformance?.status === 'pending' && !queue.has(v.appId, v.version));
  }
  const requeued = [];
  for (const v of versions) {
    const verdict: ConformanceVerdict = { status: 'pending' };
    const was = v.conformance?.status ?? 'none';
    await ctx.change(
      () => ({ actor: actor.name, action: 'conformance.requeued', subject: `${v.appId}@${v.version}`, detail: { was } }),
      (tx) => tx.setConformance(v.appId, v.version, verdict),
    );
    queue.enqueue({ ...v, conformance: verdict });
    requeued.push({ id: v.appId, version: v.version });
  }
  return requeued;
}
