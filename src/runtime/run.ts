import { getMethod } from '../bridge/catalog.js';
import { compareHostVersions } from '../bridge/version.js';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import type { ConsoleEntry, GuestErrorEntry } from './host/host.js';
import type { NetworkViolation } from './host/network.js';
import type { CallRecord } from './host/recorder.js';
import type { UiEffect } from './host/services/handlers.js';
import { RECORD_LIMITS } from './host/bounded.js';
import { findStaticReferences, type StaticReference } from './host/static-references.js';
import { appOrigin, launchApp, type EscapeAttempts, type LaunchOptions, type RunningApp } from './launch.js';
import type { Isolation, SandboxExit } from '../sandbox/index.js';

export interface RunOptions extends LaunchOptions {
  /** Stop the app if it is not idle after this long (default 10 s). */
  timeoutMs?: number;
  /** Called with the running app before waiting (for --record, inspectors, tests). */
  onLaunched?: (app: RunningApp) => void;
}

export interface RunReport {
  app: { id: string; version: string; entryPoint: string; kind: 'directory' | 'project' | 'package' };
  hostVersion: string;
  network: string;
  /** The isolation the app ran under, and why a stronger one was not available. */
  isolation: Isolation;
  /** idle, timeout or close; limit when the sandbox stopped it at a limit (see exit), crash when it died. */
  stoppedBy: 'idle' | 'timeout' | 'close' | 'limit' | 'crash';
  /** How the app's sandbox ended, with the coded reason (STOPPED when the run closed it). */
  exit?: { reason: SandboxExit['reason']; detail?: string };
  /** What the host measured of the sandbox process from outside: CPU time and peak resident memory. */
  usage?: { cpuMs: number; peakRssBytes: number };
  timings: { launchMs: number; loadedMs?: number; firstCallMs?: number; totalMs: number };
  console: ConsoleEntry[];
  /** The first `recordLimits.calls` calls (params and results as bounded previews). */
  calls: CallRecord[];
  /** Every call the app made, recorded or not. */
  callCount: number;
  violations: NetworkViolation[];
  violationCount: number;
  /** References in the package's HTML and CSS a WebView would fetch from hosts outside allowedDomains. */
  staticReferences: StaticReference[];
  /** Escape attempts the sandbox caught (always 0 in-process, where nothing watches for them). */
  escapeAttempts: EscapeAttempts;
  guestErrors: GuestErrorEntry[];
  ui: UiEffect[];
  uiCount: number;
  consoleCount: number;
  guestErrorCount: number;
  /** How many of each the report keeps: the host's memory per app is bounded; counts go on. */
  recordLimits: { calls: number; violations: number; ui: number; console: number; guestErrors: number };
  storage: { usedBytes: number; quotaBytes: number; keys: number };
}

export interface RunOutcome {
  report: RunReport;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** The full call list, for --record. */
  app: RunningApp;
}

const isLimitReason = (reason: string) => ['CPU_LIMIT', 'MEMORY_LIMIT', 'MESSAGE_FLOOD', 'TIMER_FLOOD'].includes(reason);

const round = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 10) / 10);

/** Launches an app, lets it run until idle, closed or the timeout, and reports what happened. */
export async function runApp(target: string, options: RunOptions = {}): Promise<RunOutcome> {
  const t0 = performance.now();
  const app = await launchApp(target, { loadTimeoutMs: options.timeoutMs ?? 10_000, settleOnStop: true, ...options });
  options.onLaunched?.(app);
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  let stoppedBy: RunReport['stoppedBy'] = await Promise.race([
    app.host.waitForIdle().then(() => 'idle' as const),
    app.closeRequested.then(() => 'close' as const),
    // A sandbox stopped at a limit (or dead) ends the run at once, with its coded reason.
    app.exited.then((exit) => (exit.reason === 'STOPPED' || exit.reason === 'EXITED' ? new Promise<never>(() => undefined) : isLimitReason(exit.reason) ? ('limit' as const) : ('crash' as const))),
    // The timeout counts from the start: a page stuck while loading has already used it up.
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs - (performance.now() - t0))))),
  ]);
  clearTimeout(timer);
  const snapshot = app.host.snapshot();
  const usage = app.sandbox?.usage();
  await app.close();
  const exit = await app.exited;
  // A sandbox stopped at a limit also ends its page (idle, close): the exit's coded reason is what happened.
  if (exit.reason !== 'STOPPED' && exit.reason !== 'EXITED') stoppedBy = isLimitReason(exit.reason) ? 'limit' : 'crash';
  const { manifest } = app.source;
  const hostVersion = options.hostVersion ?? NEWEST_HOST_VERSION;

  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [...app.source.warnings];
  if (stoppedBy === 'limit') errors.push(diagnostic('APP_LIMIT_EXCEEDED', { id: manifest.id, reason: exit.reason, detail: exit.detail }));
  if (stoppedBy === 'crash') errors.push(diagnostic('APP_CRASHED', { id: manifest.id, reason: exit.reason, detail: exit.detail }));
  if (app.isolation.level !== 'os-sandbox') warnings.push(diagnostic('RUN_WEAK_ISOLATION', { level: app.isolation.level, reason: app.isolation.reason }, {}, 'warning'));
  for (const e of snapshot.errors) {
    if (e.kind === 'resource') errors.push(diagnostic('RUN_RESOURCE_MISSING', { message: e.message }));
    else errors.push(diagnostic(e.kind === 'error' ? 'RUN_SCRIPT_ERROR' : 'RUN_UNHANDLED_REJECTION', { message: e.message }));
  }
  for (const v of snapshot.violations) errors.push(diagnostic('DOMAIN_NOT_ALLOWED', { ...v }));
  if (app.escapes.count) errors.push(diagnostic('RUN_ESCAPE_ATTEMPT', { count: app.escapes.count, what: app.escapes.first[0] }));
  // What a WebView would fetch but the headless DOM does not (srcset, CSS url(), media...): found statically.
  // (Those the headless DOM loads too are the run-time policy's, reported above.)
  const staticReferences = findStaticReferences(app.source.files, manifest.allowedDomains, appOrigin(manifest.id)).filter((r) => !r.headless);
  for (const r of staticReferences) errors.push(diagnostic('DOMAIN_NOT_ALLOWED', { api: r.where, url: r.url, reason: r.reason, hop: 0 }, { file: r.file, line: r.line, column: r.column }));
  // From the recorder's counts, which cover every call (the list keeps only the first ones).
  for (const [method, count] of Object.entries(app.host.recorder.refusals('PERMISSION_DENIED').methods)) {
    warnings.push(diagnostic('RUN_UNDECLARED_PERMISSION', { method, count, permission: getMethod(method)?.permission }, {}, 'warning'));
  }
  for (const [method, count] of Object.entries(app.host.recorder.refusals('METHOD_NOT_FOUND').methods)) warnings.push(diagnostic('RUN_UNKNOWN_METHOD', { method, count }, {}, 'warning'));
  if (stoppedBy === 'timeout') {
    warnings.push(diagnostic('RUN_TIMEOUT', { timeoutMs, busy: 'timers, requests or bridge calls still pending' }, {}, 'warning'));
  }
  if (compareHostVersions(manifest.minHostVersion, String(hostVersion)) > 0) {
    warnings.push(diagnostic('RUN_HOST_TOO_OLD', { minHostVersion: manifest.minHostVersion, hostVersion }, { file: 'manifest.json', pointer: '/minHostVersion' }, 'warning'));
  }

  const report: RunReport = {
    app: { id: manifest.id, version: manifest.version, entryPoint: manifest.entryPoint, kind: app.source.kind },
    hostVersion: String(hostVersion),
    network: options.network ?? 'fixtures',
    isolation: app.isolation,
    stoppedBy,
    exit: { reason: exit.reason, ...(exit.detail ? { detail: exit.detail } : {}) },
    ...(usage ? { usage: { cpuMs: usage.cpuMs, peakRssBytes: usage.peakRssBytes } } : {}),
    timings: { launchMs: round(app.launchMs)!, loadedMs: round(snapshot.timings.loadedMs), firstCallMs: round(snapshot.timings.firstCallMs), totalMs: round(performance.now() - t0)! },
    console: snapshot.console,
    calls: snapshot.calls,
    callCount: snapshot.counts.calls,
    violations: snapshot.violations,
    violationCount: snapshot.counts.violations,
    staticReferences,
    escapeAttempts: app.escapes,
    guestErrors: snapshot.errors,
    ui: snapshot.ui,
    uiCount: snapshot.counts.ui,
    consoleCount: snapshot.counts.console,
    guestErrorCount: snapshot.counts.errors,
    recordLimits: { calls: app.host.recorder.limit, violations: RECORD_LIMITS.violations, ui: RECORD_LIMITS.ui, console: RECORD_LIMITS.console, guestErrors: RECORD_LIMITS.errors },
    storage: { usedBytes: app.host.storage.usedBytes, quotaBytes: app.host.storage.quotaBytes, keys: app.host.storage.keys().length },
  };
  return { report, errors, warnings, app };
}
