import { runConformance } from '../host/index.js';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import type { RegistryContext } from './context.js';
import { trustStoreOf } from './partners.js';
import type { ConformanceVerdict, VersionRecord } from './types.js';

/**
 * Conformance for each published version, one at a time in the background: the host-grade runtime
 * (src/host/conformance.ts) installs the stored package and runs the app in its own sandbox process,
 * never in the registry's. The verdict is stored on the version, and audited, for reviewers.
 */
export function createConformanceQueue(ctx: RegistryContext, onError: (err: unknown) => void) {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
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
    enqueue(v: VersionRecord): void {
      pending++;
      tail = tail
        .then(() => runOne(v))
        .catch(onError)
        .finally(() => void pending--);
    },
    get pending() {
      return pending;
    },
    /** Resolves once every queued run has finished (shutdown waits for it). */
    idle: () => tail,
  };
}
