import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import semverLt from 'semver/functions/lt.js';
import { diagnostic, isMiniappError, MiniappError } from '../core/errors/index.js';
import type { Manifest, Profile } from '../manifest/types.js';
import { appOrigin, findStaticReferences, loadAppSource, type StaticReference } from '../runtime/index.js';
import type { LifecycleState } from '../runtime/index.js';
import { versionDir, writeAppState } from './app-store.js';
import { openAuditLog, type AuditLog } from './audit.js';
import { writeFilesPrivately } from './extract.js';
import { auditInstallStep, auditInstallVerdict, installPackage, type InstallStep } from './install.js';
import { createHostManager } from './manager.js';
import { isLimitExit, readAppFiles, type SandboxedApp } from './sandboxed-app.js';
import { processRss, type SandboxExit } from '../sandbox/index.js';
import type { TrustStore } from './trust-store.js';
import { makeWorkDir, removeWorkDir } from './work-dir.js';

export interface ConformanceOptions {
  /** A package (.zip, signed or not) or a directory (package files as they are, or a project). */
  target: string;
  cwd?: string;
  hostVersion: string;
  trustStore?: TrustStore;
  profile?: Profile;
  /** Longest acceptable time from launch to the entry page loaded, in ms. Default 3000. */
  startupBudgetMs?: number;
  /** Per-app memory limit, counting buffers. Default 64 MB. */
  memoryMb?: number;
  /** Storage quota per app. Default 10 MB. */
  storageQuotaBytes?: number;
  /** How long each lifecycle phase may take to settle, in ms. Default 2000. */
  phaseTimeoutMs?: number;
  audit?: AuditLog;
  onProgress?: (message: string) => void;
}

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface ConformanceCheck {
  /** Stable name, e.g. "install.signature", "lifecycle.suspend", "policy.network". */
  name: string;
  status: CheckStatus;
  code?: string;
  message?: string;
  ms?: number;
  /** The package file (and line) at fault, for checks of the package's own files. */
  file?: string;
  line?: number;
}

export interface ConformanceReport {
  ok: boolean;
  target: string;
  app?: { id: string; version: string };
  signed: boolean;
  checks: ConformanceCheck[];
  timings: { startupMs?: number; totalMs: number };
  /**
   * peakGuestBytes: the most the app itself used (heap and buffers over the runtime's own baseline, as
   * the sandbox reports it), the figure the limit applies to; peakRssBytes: the sandbox process's
   * largest resident size, read by the host from /proc (absent where there is none).
   */
  memory: { peakGuestBytes: number; peakRssBytes?: number; limitBytes: number };
  storage?: { usedBytes: number; quotaBytes: number };
  /** References a WebView would fetch from hosts outside allowedDomains, found in the package's HTML and CSS. */
  staticReferences?: StaticReference[];
}

const LIFECYCLE: Array<'hide' | 'show' | 'suspend' | 'resume' | 'unload'> = ['hide', 'show', 'suspend', 'resume', 'unload'];

/**
 * A conformance run: install the package as a host would (an unsigned package or a directory goes
 * through every step but the signature ones, reported as skipped), launch it in its sandbox, drive the
 * lifecycle (launch, hide, show, suspend, resume, unload), and check what a host's review would:
 * no uncaught errors, no undeclared permission used, no network outside allowedDomains, start-up within
 * budget, memory within the limit, storage within quota. Failures are checks, never throws.
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const t0 = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const memoryMb = options.memoryMb ?? 64;
  const report: ConformanceReport = { ok: false, target: options.target, signed: false, checks: [], timings: { totalMs: 0 }, memory: { peakGuestBytes: 0, limitBytes: memoryMb * 1048576 } };
  const add = (check: ConformanceCheck) => report.checks.push(check);
  const progress = options.onProgress ?? (() => undefined);
  const work = await makeWorkDir();
  const appsDir = join(work, 'apps');
  const audit = options.audit ?? openAuditLog();
  const manager = createHostManager({
    appsDir,
    hostVersion: options.hostVersion,
    audit,
    dataDir: join(work, 'data'),
    limits: { memoryMb },
    idleSuspendMs: 0,
    // One spare boots while the package is verified and extracted; no second one is needed.
    replenishSpares: false,
    appOptions: { storageQuota: options.storageQuotaBytes, network: 'fixtures' },
  });
  try {
    progress(`installing ${options.target}`);
    const manifest = await install(options, cwd, appsDir, report, add, audit);
    if (!manifest) return report;
    report.app = { id: manifest.id, version: manifest.version };
    await staticReferenceCheck(appsDir, manifest, report, add);

    progress(`launching ${manifest.id}`);
    const launchStarted = performance.now();
    let app: SandboxedApp;
    try {
      app = await manager.launch(manifest.id);
    } catch (err) {
      if (!isMiniappError(err)) throw err;
      add({ name: 'lifecycle.launch', status: 'failed', code: err.code, message: err.message, ms: round(performance.now() - launchStarted) });
      const reason = String(err.args.reason ?? '');
      if (reason in LIMIT_CHECKS) limitChecks({ reason: reason as SandboxExit['reason'], detail: `while loading${err.args.detail ? `: ${String(err.args.detail)}` : ''}` }, add);
      return report;
    }
    report.timings.startupMs = round(app.launchMs);
    const budget = options.startupBudgetMs ?? 3000;
    add({ name: 'lifecycle.launch', status: 'passed', ms: round(app.launchMs) });
    add(
      app.launchMs <= budget
        ? { name: 'budget.startup', status: 'passed', ms: round(app.launchMs), message: `${Math.round(app.launchMs)} ms of ${budget} ms` }
        : {
            name: 'budget.startup',
            status: 'failed',
            code: 'CONFORMANCE_STARTUP_OVER_BUDGET',
            message: diagnostic('CONFORMANCE_STARTUP_OVER_BUDGET', { ms: Math.round(app.launchMs), budget }).message,
            ms: round(app.launchMs),
          },
    );
    const memory = sampleMemory(app, report);
    try {
      await settle(app, options.phaseTimeoutMs);
      await driveLifecycle(app, options, add, progress);
    } finally {
      memory.stop();
    }
    const exit = await exitedYet(app);
    limitChecks(exit, add, { except: 'MEMORY_LIMIT' });
    policyChecks(app, report, add, exit?.reason === 'MEMORY_LIMIT' ? exit : undefined);
  } finally {
    await manager.close();
    if (!options.audit) audit.close();
    await removeWorkDir(work);
    report.timings.totalMs = round(performance.now() - t0);
    report.ok = report.checks.length > 0 && report.checks.every((c) => c.status !== 'failed');
  }
  return report;
}

const round = (n: number) => Math.round(n * 10) / 10;

async function exitedYet(app: SandboxedApp) {
  return Promise.race([app.exited, new Promise<undefined>((r) => setImmediate(() => r(undefined)))]);
}

/** Waits until the app is idle, or the phase timeout (a busy app is not a failure by itself). */
async function settle(app: SandboxedApp, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([app.host.waitForIdle(), app.exited, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
  clearTimeout(timer);
}

/** The check of each limit a sandbox stops an app for; an app stopped for any of them does not conform. */
const LIMIT_CHECKS: Record<string, { name: string; what: string }> = {
  CPU_LIMIT: { name: 'budget.cpu', what: 'kept the CPU busy past its limit' },
  MEMORY_LIMIT: { name: 'budget.memory', what: 'went over its memory limit' },
  TIMER_FLOOD: { name: 'budget.timers', what: 'held more pending timers than its limit' },
  MESSAGE_FLOOD: { name: 'budget.messages', what: 'sent more messages to the host than its limit' },
};

/** One check per limit: failed with APP_LIMIT_EXCEEDED for the one the app was stopped for, passed for the others. */
function limitChecks(exit: Pick<SandboxExit, 'reason' | 'detail'> | undefined, add: (c: ConformanceCheck) => void, options: { except?: string } = {}): void {
  for (const [reason, { name, what }] of Object.entries(LIMIT_CHECKS)) {
    if (reason === options.except) continue;
    if (exit?.reason === reason) add({ name, status: 'failed', code: 'APP_LIMIT_EXCEEDED', message: `the app ${what} and was stopped (${reason}${exit.detail ? `: ${exit.detail}` : ''})` });
    else add({ name, status: 'passed' });
  }
}

/**
 * Samples the sandbox's memory every few ms while the app runs (a peak between two lifecycle phases
 * counts too): the guest's own figure (heap and buffers over the runtime's baseline) and the process's
 * resident size, read by the host from /proc where there is one.
 */
function sampleMemory(app: SandboxedApp, report: ConformanceReport): { stop(): void } {
  const sample = () => {
    report.memory.peakGuestBytes = Math.max(report.memory.peakGuestBytes, app.sandbox.memory().guestBytes);
    const rss = processRss(app.sandbox.pid);
    if (rss !== undefined) report.memory.peakRssBytes = Math.max(report.memory.peakRssBytes ?? 0, rss);
  };
  sample();
  const timer = setInterval(sample, 20);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
    },
  };
}

/** Whether an app's stop is a failure: anything but the host's own unload, or the app closing itself. */
const unexpectedStop = (app: SandboxedApp, exit: SandboxExit | undefined, unloading: boolean): exit is SandboxExit =>
  exit !== undefined && !(exit.reason === 'STOPPED' && (unloading || app.closedByApp));

const stopCheck = (name: string, exit: SandboxExit, ms?: number): ConformanceCheck => ({
  name,
  status: 'failed',
  code: isLimitExit(exit) ? 'APP_LIMIT_EXCEEDED' : 'APP_CRASHED',
  message: `the app was stopped: ${exit.reason}${exit.detail ? `: ${exit.detail}` : ''}`,
  ...(ms === undefined ? {} : { ms }),
});

/**
 * Drives hide, show, suspend, resume and unload. An app that stops on its own (a limit, a crash) fails
 * the phase in which it stopped, and the phases after it are skipped; an app that closed itself
 * (navigation.close) skips them without failing.
 */
async function driveLifecycle(app: SandboxedApp, options: ConformanceOptions, add: (c: ConformanceCheck) => void, progress: (m: string) => void): Promise<void> {
  let reported = false;
  for (const phase of LIFECYCLE) {
    const started = performance.now();
    const before = await exitedYet(app);
    if (before) {
      if (!reported && unexpectedStop(app, before, false)) add(stopCheck(`lifecycle.${phase}`, before));
      else add({ name: `lifecycle.${phase}`, status: 'skipped', message: app.closedByApp ? 'the app closed itself (navigation.close)' : 'the app had already stopped' });
      reported = true;
      continue;
    }
    progress(`lifecycle: ${phase}`);
    const state: Record<typeof phase, LifecycleState | undefined> = { hide: 'hidden', show: 'shown', suspend: undefined, resume: undefined, unload: undefined };
    if (state[phase]) app.host.lifecycle(state[phase]!);
    if (phase === 'suspend') app.suspend();
    if (phase === 'resume') app.resume();
    if (phase === 'unload') await app.close();
    else if (phase !== 'suspend') await settle(app, options.phaseTimeoutMs);
    const exit = await exitedYet(app);
    const ms = round(performance.now() - started);
    if (unexpectedStop(app, exit, phase === 'unload')) {
      add(stopCheck(`lifecycle.${phase}`, exit, ms));
      reported = true;
    } else add({ name: `lifecycle.${phase}`, status: 'passed', ms });
  }
}

const methodList = (methods: Record<string, number>) => Object.keys(methods).slice(0, 5).join(', ');

function policyChecks(app: SandboxedApp, report: ConformanceReport, add: (c: ConformanceCheck) => void, memoryStop: SandboxExit | undefined): void {
  const snap = app.host.snapshot();
  const { recorder } = app.host;
  const scriptErrors = snap.errors.filter((e) => e.kind !== 'resource');
  add(
    scriptErrors.length
      ? {
          name: 'policy.uncaught-errors',
          status: 'failed',
          code: scriptErrors[0]!.kind === 'error' ? 'RUN_SCRIPT_ERROR' : 'RUN_UNHANDLED_REJECTION',
          message: `${scriptErrors.length} uncaught: ${scriptErrors[0]!.message}`,
        }
      : { name: 'policy.uncaught-errors', status: 'passed' },
  );
  const missing = snap.errors.filter((e) => e.kind === 'resource');
  add(missing.length ? { name: 'policy.resources', status: 'failed', code: 'RUN_RESOURCE_MISSING', message: missing[0]!.message } : { name: 'policy.resources', status: 'passed' });
  const undeclared = recorder.refusals('PERMISSION_DENIED');
  add(
    undeclared.count
      ? { name: 'policy.permissions', status: 'failed', code: 'RUN_UNDECLARED_PERMISSION', message: `${methodList(undeclared.methods)} used without declaring its permission` }
      : { name: 'policy.permissions', status: 'passed' },
  );
  const unknown = recorder.refusals('METHOD_NOT_FOUND');
  add(
    unknown.count
      ? {
          name: 'policy.methods',
          status: 'failed',
          code: 'RUN_UNKNOWN_METHOD',
          message: `${unknown.count} call(s) to ${methodList(unknown.methods)}, which this host (${app.host.availableMethods().length} methods) does not have: check the name, or MiniAppBridge.canIUse first`,
        }
      : { name: 'policy.methods', status: 'passed' },
  );
  // An app that tries to leave its sandbox does not conform, even though the sandbox stopped it.
  const { escapes } = app;
  add(
    escapes.count
      ? { name: 'policy.escape-attempts', status: 'failed', code: 'RUN_ESCAPE_ATTEMPT', message: diagnostic('RUN_ESCAPE_ATTEMPT', { count: escapes.count, what: escapes.first[0] }).message }
      : { name: 'policy.escape-attempts', status: 'passed' },
  );
  const violations = snap.counts.violations;
  add(
    violations
      ? {
          name: 'policy.network',
          status: 'failed',
          code: 'DOMAIN_NOT_ALLOWED',
          message: `${violations} request(s) outside allowedDomains, first ${snap.violations[0]!.url}: ${snap.violations[0]!.reason}`,
        }
      : { name: 'policy.network', status: 'passed' },
  );
  const limitMb = Math.round(report.memory.limitBytes / 1048576);
  const overMemory = memoryStop !== undefined || report.memory.peakGuestBytes > report.memory.limitBytes;
  add(
    overMemory
      ? {
          name: 'budget.memory',
          status: 'failed',
          code: 'APP_LIMIT_EXCEEDED',
          message: `the app went over its ${limitMb} MB memory limit and was stopped${memoryStop?.detail ? ` (MEMORY_LIMIT: ${memoryStop.detail})` : ''}`,
        }
      : { name: 'budget.memory', status: 'passed', message: `peak ${mb(report.memory.peakGuestBytes)} MB of ${limitMb} MB` },
  );
  const quota = recorder.refusals('QUOTA_EXCEEDED');
  report.storage = { usedBytes: app.host.storage.usedBytes, quotaBytes: app.host.storage.quotaBytes };
  add(
    quota.count
      ? { name: 'budget.storage', status: 'failed', code: 'QUOTA_EXCEEDED', message: `${quota.count} storage write(s) refused over the ${app.host.storage.quotaBytes}-byte quota` }
      : { name: 'budget.storage', status: 'passed' },
  );
}

/**
 * What a WebView would fetch but the headless DOM does not (srcset, CSS url(), SVG, media, icons...),
 * checked in the installed files against allowedDomains, with file and line.
 */
async function staticReferenceCheck(appsDir: string, manifest: Manifest, report: ConformanceReport, add: (c: ConformanceCheck) => void): Promise<void> {
  const files = await readAppFiles(versionDir(appsDir, manifest.id, manifest.version));
  const refs = findStaticReferences(files, manifest.allowedDomains, appOrigin(manifest.id));
  report.staticReferences = refs;
  if (!refs.length) return add({ name: 'policy.static-references', status: 'passed' });
  const first = refs[0]!;
  const more =
    refs.length > 1
      ? ` (and ${refs.length - 1} more: ${refs
          .slice(1, 4)
          .map((r) => `${r.file}:${r.line}`)
          .join(', ')}${refs.length > 4 ? ', …' : ''})`
      : '';
  add({
    name: 'policy.static-references',
    status: 'failed',
    code: 'DOMAIN_NOT_ALLOWED',
    message: `${first.file}:${first.line}:${first.column} ${first.where} ${first.url}: ${first.reason}; a WebView fetches it${more}`,
    file: first.file,
    line: first.line,
  });
}

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

async function install(options: ConformanceOptions, cwd: string, appsDir: string, report: ConformanceReport, add: (c: ConformanceCheck) => void, audit: AuditLog): Promise<Manifest | undefined> {
  const full = resolve(cwd, options.target);
  const stat = await fs.stat(full).catch(() => undefined);
  if (!stat) throw new MiniappError('PATH_NOT_FOUND', { path: options.target });
  const record = (s: InstallStep) => add({ name: `install.${s.step}`, status: s.status, code: s.code, message: s.message, ms: round(s.ms) });
  if (stat.isFile()) {
    const r = await installPackage({ source: full, appsDir, hostVersion: options.hostVersion, trustStore: options.trustStore, allowUnsigned: true, profile: options.profile ?? 'release', audit });
    report.signed = r.signed;
    r.steps.forEach(record);
    return r.ok ? r.manifest : undefined;
  }
  // A directory: the manifest rules and the host's checks, then the same private extraction, each step
  // audited as a package install's is.
  let app: Manifest | undefined;
  const step = (s: InstallStep) => {
    record(s);
    auditInstallStep(audit, full, app?.id, s);
  };
  const verdict = (code?: string) => auditInstallVerdict(audit, { source: full, app: app?.id, version: app?.version, ok: code === undefined, code });
  const failed = (name: InstallStep['step'], err: MiniappError) => {
    step({ step: name, status: 'failed', code: err.code, message: err.message, ms: 0 });
    verdict(err.code);
    return undefined;
  };
  const skipped = (name: InstallStep['step'], message: string) => step({ step: name, status: 'skipped', message, ms: 0 });
  skipped('fetch', 'a local directory');
  skipped('signature', 'a directory is work in progress: unsigned');
  let source;
  try {
    source = await loadAppSource(full, cwd);
  } catch (err) {
    if (!isMiniappError(err)) throw err;
    return failed('structure', err);
  }
  const m = source.manifest;
  app = m;
  step({ step: 'structure', status: 'passed', message: `${source.kind}: manifest rules checked`, ms: 0 });
  skipped('key-authorised', 'no signer to authorise');
  if (semverLt(options.hostVersion, m.minHostVersion)) return failed('host-version', new MiniappError('HOST_UPDATE_REQUIRED', { minHostVersion: m.minHostVersion, hostVersion: options.hostVersion }));
  step({ step: 'host-version', status: 'passed', ms: 0 });
  skipped('permissions', 'no partner registry entry for an unsigned app');
  skipped('downgrade', 'a fresh host');
  try {
    await writeFilesPrivately(
      Object.entries(source.files).map(([name, data]) => ({ name, read: async () => data })),
      versionDir(appsDir, m.id, m.version),
    );
  } catch (err) {
    return failed('extract', isMiniappError(err) ? err : new MiniappError('INSTALL_FAILED', { id: m.id, step: 'extracting', reason: (err as Error).message }, { cause: err }));
  }
  step({ step: 'extract', status: 'passed', ms: 0 });
  await writeAppState(appsDir, { id: m.id, active: m.version });
  step({ step: 'activate', status: 'passed', ms: 0 });
  verdict();
  return m;
}
