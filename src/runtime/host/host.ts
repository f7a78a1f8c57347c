import { getMethod, methodNames } from '../../bridge/catalog.js';
import { compareHostVersions } from '../../bridge/version.js';
import { MiniappError } from '../../core/errors/index.js';
import type { Manifest } from '../../manifest/types.js';
import type { ConsoleLevel, GuestMessage, HostEnd, LifecycleState, MessageOf } from '../channel.js';
import { createDispatcher, type Handler, type Responder } from './dispatcher.js';
import { fixturesResponder, type Fixtures } from './fixtures.js';
import { createNetwork, type NetworkMode, type NetworkViolation } from './network.js';
import { appAudit } from './audit-events.js';
import { BoundedList, RECORD_LIMITS } from './bounded.js';
import { CallRecorder, replayResponder, type Recording } from './recorder.js';
import { createHandlers, type UiEffect } from './services/handlers.js';
import { PaymentService, type PaymentOutcome } from './services/payments.js';
import { AppStorage } from './services/storage.js';
import { systemClock, tokenSigningKey, type Clock } from './services/tokens.js';

export interface ConsoleEntry {
  level: ConsoleLevel;
  text: string;
  at: number;
}

export interface GuestErrorEntry {
  kind: 'error' | 'unhandledrejection' | 'resource';
  message: string;
  stack?: string;
  at: number;
}

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

const CONSOLE_LEVELS = new Set(['log', 'info', 'warn', 'error', 'debug']);

/**
 * The host side of a running mini-program: receives plain messages from the guest, answers bridge calls
 * through the catalogue-driven dispatcher and the services, applies the network policy, and keeps
 * everything a report needs.
 */
export function createHost(channel: HostEnd, options: HostOptions) {
  const started = performance.now();
  const since = () => Math.round((performance.now() - started) * 100) / 100;
  const clock = options.clock ?? systemClock;
  const manifest = options.manifest;
  const recorder = new CallRecorder(options.recordLimit);
  // The console and error lines kept per run; a flood beyond this is counted, not stored.
  const consoleEntries = new BoundedList<ConsoleEntry>(RECORD_LIMITS.console);
  const errors = new BoundedList<GuestErrorEntry>(RECORD_LIMITS.errors);
  // Bounded: an app cannot grow the host's memory by making requests or effects (counts go on).
  const violations = new BoundedList<NetworkViolation>(RECORD_LIMITS.violations);
  const ui = new BoundedList<UiEffect>(RECORD_LIMITS.ui);
  const auditApp = options.audit ? appAudit(options.audit, manifest.id) : undefined;
  let pending = 0;
  let activity = 0;
  let firstCallAt: number | undefined;
  let loadedAt: number | undefined;
  const denied = new Set(options.deny ?? []);
  let storage: AppStorage;
  try {
    storage = new AppStorage({ appId: manifest.id, hostKey: options.hostKey, dataDir: options.dataDir, quotaBytes: options.storageQuota });
  } catch (err) {
    throw new MiniappError('RUN_STORAGE_UNREADABLE', { appId: manifest.id, dataDir: options.dataDir, reason: (err as Error).message }, { cause: err });
  }
  const payments = new PaymentService(options.paymentOutcome);
  const tokenKey = tokenSigningKey(options.hostKey);
  const respondHandlers = new Map<string, Handler>();
  const responders: Responder[] = [
    (method) => {
      const handler = respondHandlers.get(method);
      return handler ? { handler } : undefined;
    },
  ];
  if (options.replay) responders.push(replayResponder(options.replay));
  if (options.fixtures) responders.push(fixturesResponder(options.fixtures));

  const handlers = createHandlers({
    appId: manifest.id,
    version: manifest.version,
    hostVersion: options.hostVersion,
    launchPath: options.launchPath ?? manifest.entryPoint,
    launchQuery: options.launchQuery ?? {},
    storage,
    payments,
    tokenKey,
    clock,
    installedApps: new Set(options.installedApps ?? []),
    clipboard: { text: '' },
    location: options.location === undefined ? { latitude: 52.52, longitude: 13.405, accuracy: 25 } : options.location,
    ui,
    onClose: () => options.onCloseRequest?.(),
  });
  const dispatcher = createDispatcher({
    appId: manifest.id,
    permissions: manifest.permissions,
    hostVersion: options.hostVersion,
    consent: (permission) => !denied.has(permission),
    handlers,
    responders: () => responders,
  });
  const network = createNetwork({
    mode: options.network ?? 'fixtures',
    allowedDomains: manifest.allowedDomains,
    fixtures: options.fixtures?.network,
    ca: options.ca,
    connect: options.connect,
    appOrigin: options.origin,
    readAppFile: options.readAppFile,
    onViolation: (v) => violations.push(v),
    onDecision: options.audit ? ({ type, ...fields }) => options.audit!.record({ type, app: manifest.id, ...fields }) : undefined,
  });

  const idleWaiters = new Map<number, (idle: boolean) => void>();
  const domWaiters = new Map<number, (m: MessageOf<GuestMessage, 'dom-result'>) => void>();
  let nextRequestId = 1;
  let loadedResolve: () => void = () => undefined;
  const loaded = new Promise<void>((resolve) => (loadedResolve = resolve));
  let closedResolve: () => void = () => undefined;
  const guestClosed = new Promise<void>((resolve) => (closedResolve = resolve));

  const keep = <T>(list: BoundedList<T>, entry: T) => list.push(entry);

  async function onCall(m: MessageOf<GuestMessage, 'call'>): Promise<void> {
    const at = since();
    firstCallAt ??= at;
    pending++;
    const t0 = performance.now();
    const outcome = await dispatcher.dispatch(m.method, m.params);
    const latencyMs = Math.round((performance.now() - t0) * 1000) / 1000;
    pending--;
    const method = typeof m.method === 'string' ? m.method : String(m.method);
    recorder.add({ method, params: m.params, ok: outcome.ok, ...(outcome.ok ? { result: outcome.value } : { error: outcome.error }), latencyMs, at });
    auditApp?.call(method, outcome);
    try {
      channel.send(outcome.ok ? { type: 'result', id: m.id, ok: true, value: outcome.value } : { type: 'result', id: m.id, ok: false, error: outcome.error });
    } catch (err) {
      channel.send({ type: 'result', id: m.id, ok: false, error: { code: 'INTERNAL_ERROR', message: `the result could not be copied: ${(err as Error).message}` } });
    }
  }

  async function onNetwork(m: MessageOf<GuestMessage, 'network'>): Promise<void> {
    pending++;
    const request = m.request && typeof m.request === 'object' ? m.request : ({} as typeof m.request);
    const api = m.api === 'websocket' || m.api === 'xhr' ? m.api : 'fetch';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    const outcome = await network.request(
      api,
      { url: String(request.url), method: typeof request.method === 'string' ? request.method : 'GET', headers, ...(typeof request.body === 'string' ? { body: request.body } : {}) },
      options.origin + '/',
    );
    pending--;
    channel.send(outcome.ok ? { type: 'network-result', id: m.id, ok: true, response: outcome.response } : { type: 'network-result', id: m.id, ok: false, error: outcome.error });
  }

  function onRefused(m: MessageOf<GuestMessage, 'network-refused'>): void {
    const api = m.api === 'xhr' ? 'xhr' : 'script';
    const url = String(m.url).slice(0, 8192);
    const method = typeof m.method === 'string' ? m.method.slice(0, 32).toUpperCase() : 'GET';
    if (network.refusedSync(api, url, method, options.origin + '/') === 'violation') return;
    // Allowed by the policy, refused for being synchronous: the app needs to know why it did not load.
    const why =
      api === 'xhr'
        ? 'a synchronous XMLHttpRequest reaches only the package (make it asynchronous, or use fetch)'
        : 'a classic <script src> loads from the package only (bundle it, or use an async or module script)';
    keep(errors, { kind: 'resource', message: `${url} was not loaded: ${why}`, at: since() });
  }

  channel.onMessage((raw) => {
    // The guest is untrusted: a message of the wrong shape is dropped, never half-handled.
    const m = raw as GuestMessage;
    if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
    if ('id' in m && !Number.isSafeInteger(m.id)) return;
    if (m.type !== 'idle' && m.type !== 'dom-result') activity++;
    switch (m.type) {
      case 'call':
        void onCall(m);
        break;
      case 'network':
        void onNetwork(m);
        break;
      case 'network-refused':
        onRefused(m);
        break;
      case 'console':
        keep(consoleEntries, { level: CONSOLE_LEVELS.has(m.level) ? m.level : 'log', text: String(m.text).slice(0, RECORD_LIMITS.textChars), at: since() });
        break;
      case 'guest-error':
        auditApp?.guestError(m.kind, String(m.message));
        keep(errors, {
          kind: m.kind === 'resource' || m.kind === 'unhandledrejection' ? m.kind : 'error',
          message: String(m.message).slice(0, 2000),
          ...(m.stack ? { stack: String(m.stack).slice(0, RECORD_LIMITS.textChars) } : {}),
          at: since(),
        });
        break;
      case 'loaded':
        loadedAt = since();
        loadedResolve();
        break;
      case 'idle':
        idleWaiters.get(m.id)?.(m.idle);
        idleWaiters.delete(m.id);
        break;
      case 'dom-result':
        domWaiters.get(m.id)?.(m);
        domWaiters.delete(m.id);
        break;
      case 'closed':
        closedResolve();
        for (const w of idleWaiters.values()) w(true);
        idleWaiters.clear();
        break;
      case 'ready':
        break;
    }
  });

  function askIdle(): Promise<boolean> {
    if (channel.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const id = nextRequestId++;
      idleWaiters.set(id, resolve);
      channel.send({ type: 'wait-idle', id });
    });
  }

  /**
   * Resolves when nothing is left to do: the guest's timers, loads and fetches are done, no bridge call
   * or network request is in flight, and no new message arrived meanwhile (checked twice in a row).
   */
  async function waitForIdle(): Promise<void> {
    let quiet = 0;
    while (quiet < 2) {
      const before = activity;
      const guestIdle = await askIdle();
      await new Promise((r) => setImmediate(r));
      if (channel.closed) return;
      if (guestIdle && pending === 0 && activity === before) quiet++;
      else quiet = 0;
    }
  }

  function dom(op: 'query' | 'click' | 'text' | 'input', selector: string, value?: string): Promise<MessageOf<GuestMessage, 'dom-result'>> {
    return new Promise((resolve) => {
      const id = nextRequestId++;
      domWaiters.set(id, resolve);
      channel.send({ type: 'dom', id, op, selector, ...(value !== undefined ? { value } : {}) });
    });
  }

  return {
    recorder,
    storage,
    payments,
    tokenKey,
    clock,
    ui,
    loaded,
    guestClosed,
    canIUse: dispatcher.canIUse,
    availableMethods: () => methodNames().filter((m) => compareHostVersions(getMethod(m)!.since, options.hostVersion) <= 0),
    respond(method: string, handler: Handler | undefined) {
      if (handler) respondHandlers.set(method, handler);
      else respondHandlers.delete(method);
    },
    setConsent(permission: string, granted: boolean) {
      if (granted) denied.delete(permission);
      else denied.add(permission);
    },
    lifecycle(state: LifecycleState) {
      channel.send({ type: 'lifecycle', state });
    },
    waitForIdle,
    dom,
    snapshot() {
      return {
        console: consoleEntries.items,
        errors: errors.items,
        violations: violations.items,
        calls: recorder.calls,
        ui: ui.items,
        dropped: consoleEntries.dropped + errors.dropped,
        counts: { calls: recorder.count, violations: violations.total, ui: ui.total, console: consoleEntries.total, errors: errors.total },
        timings: { loadedMs: loadedAt, firstCallMs: firstCallAt },
      };
    },
    async close() {
      await storage.flush();
    },
  };
}

export type Host = ReturnType<typeof createHost>;
