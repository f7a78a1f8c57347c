/**
 * miniapp/testing: drive a mini-program headless from a test (vitest, node:test, jest...).
 *
 *   const app = await launch('./my-app', { deny: ['geolocation'] });
 *   app.respond('payment.pay', () => { throw { code: 'PAYMENT_FAILED', message: 'declined' }; });
 *   await app.click('#pay');
 *   expect(app.text('#status')).toBe('Payment failed');
 *   await app.close();
 *
 * The app runs in this process (isolation "in-process"), with the rights of whoever runs the test: this
 * is for a partner's tests of its own app. Untrusted packages go through `miniapp run` or conformance,
 * which run them in the sandbox, or here with `{ isolation: 'sandbox' }`: the same API, but for the
 * page itself (window, document, query, queryAll, text), which lives in another process; `textOf`,
 * `click`, `type` and everything the host records work under both.
 */
import { randomBytes } from 'node:crypto';
import type { MethodName } from '../bridge/catalog.js';
import type { BridgeParams, BridgeResult } from '../bridge/types.js';
import type { LifecycleState } from '../runtime/index.js';
import type { CallContext } from '../runtime/index.js';
import type { ConsoleEntry, GuestErrorEntry } from '../runtime/index.js';
import type { NetworkViolation } from '../runtime/index.js';
import type { CallRecord, Recording } from '../runtime/index.js';
import { FakeClock, verifyToken, type TokenCheck } from '../runtime/index.js';
import { launchApp, type Host, type LaunchOptions, type RunningApp } from '../runtime/index.js';

export { FakeClock, verifyToken, tokenSigningKey, TOKEN_LIFETIME_MS } from '../runtime/index.js';
export type { CallRecord, Recording, ConsoleEntry, GuestErrorEntry, NetworkViolation, TokenCheck };

export interface TestLaunchOptions extends Omit<LaunchOptions, 'clock'> {
  /** The clock tokens are issued and checked with (default: a FakeClock at the current time). */
  clock?: FakeClock;
  /** How long `settle()` (and launch) wait for the app to become idle (default 5000 ms). */
  idleTimeoutMs?: number;
}

/** A scripted answer: return a result, or throw `{ code, message }` with one of the method's error codes. */
export type RespondHandler<M extends string> = (params: M extends MethodName ? BridgeParams<M> : Record<string, unknown>, ctx: CallContext) => unknown;

export interface TestApp {
  readonly window: Window & typeof globalThis;
  readonly document: Document;
  /**
   * The bridge calls so far, in order (live): the first 500 (the `recordLimit` launch option raises it),
   * params and results as bounded previews (see docs/runtime.md, "Report and exit status").
   */
  readonly calls: readonly CallRecord[];
  callsTo(method: string): CallRecord[];
  readonly console: readonly ConsoleEntry[];
  readonly errors: readonly GuestErrorEntry[];
  readonly violations: readonly NetworkViolation[];
  readonly clock: FakeClock;
  /**
   * The isolation the app runs under: in-process, with the rights of whoever runs the test (this module
   * is for a partner's tests of its own code; run untrusted packages with `miniapp run` or conformance).
   */
  readonly isolation: import('../sandbox/index.js').Isolation;
  /** The text of the first element matching selector (undefined when none), under every isolation. */
  textOf(selector: string): Promise<string | undefined>;
  query(selector: string): Element | null;
  queryAll(selector: string): Element[];
  text(selector: string): string | undefined;
  /** Clicks the element and waits until the app is idle again. */
  click(selector: string): Promise<void>;
  /** Sets an input's value (firing input and change) and waits until idle. */
  type(selector: string, value: string): Promise<void>;
  /** Waits until no timer, load, fetch or bridge call is pending. */
  settle(): Promise<void>;
  /** Answers a method from now on (undefined restores the host's own answer). */
  respond<M extends MethodName | (string & {})>(method: M, handler: RespondHandler<M> | undefined): void;
  grant(permission: string): void;
  deny(permission: string): void;
  readonly storage: {
    get(key: string): string | null;
    set(key: string, value: string): void;
    keys(): string[];
    snapshot(): Record<string, string>;
    readonly usedBytes: number;
    flush(): Promise<void>;
  };
  /** Checks a token from auth.getToken as the partner backend would, with this run's host key and clock. */
  verifyToken(token: string, expect?: { scope?: string; appId?: string }): TokenCheck;
  lifecycle(state: Exclude<LifecycleState, 'launched'>): Promise<void>;
  recording(): Recording;
  close(): Promise<void>;
}

async function withTimeout(promise: Promise<void>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: the app was not idle after ${ms} ms (an interval, a pending fetch or a bridge call that never settles)`)), ms)),
      ),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Launches an app directory or project and waits until it is idle. */
export async function launch(pathOrZip: string, options: TestLaunchOptions = {}): Promise<TestApp> {
  const clock = options.clock ?? new FakeClock(Date.now());
  const hostKey = options.hostKey ?? randomBytes(32);
  const app = await launchApp(pathOrZip, { ...options, clock, hostKey });
  const idleMs = options.idleTimeoutMs ?? 5000;
  const settle = () => withTimeout(app.host.waitForIdle(), idleMs, 'settle');
  const handle = testApp(app, clock, settle);
  // An app that never goes idle (a polling interval) is still usable: launch waits idleTimeoutMs at most.
  await settle().catch(() => undefined);
  return handle;
}

/** The handle a test drives: the page, the host's records, scripted answers and consent, storage, tokens, lifecycle. */
function testApp(app: RunningApp, clock: FakeClock, settle: () => Promise<void>): TestApp {
  const { host } = app;
  const page = pageOf(app);
  const appId = app.source.manifest.id;
  let closed = false;
  const handle: TestApp = {
    get window() {
      return page().window;
    },
    get document() {
      return page().document;
    },
    get calls() {
      return host.recorder.calls;
    },
    callsTo: (method) => host.recorder.calls.filter((c) => c.method === method),
    get console() {
      return host.snapshot().console;
    },
    get errors() {
      return host.snapshot().errors;
    },
    get violations() {
      return host.snapshot().violations;
    },
    clock,
    isolation: app.isolation,
    ...domActions(host, settle),
    query: (selector) => page().document.querySelector(selector),
    queryAll: (selector) => Array.from(page().document.querySelectorAll(selector) as ArrayLike<Element>),
    text: (selector) => page().document.querySelector(selector)?.textContent ?? undefined,
    settle,
    respond: (method, handler) => host.respond(method, handler as never),
    grant: (permission) => host.setConsent(permission, true),
    deny: (permission) => host.setConsent(permission, false),
    storage: storageView(host.storage),
    verifyToken: (token, expect = {}) => verifyToken(token, { signingKey: host.tokenKey, clock, appId: expect.appId ?? appId, scope: expect.scope }),
    async lifecycle(state) {
      if (state === 'unloaded') return handle.close();
      host.lifecycle(state);
      await settle();
    },
    recording: () => host.recorder.toRecording(appId),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
  return handle;
}

/** The page of an in-process app. A sandboxed app's page is in its sandbox process: only messages reach it. */
function pageOf(app: RunningApp): () => RunningApp['guest'] {
  return () => {
    if (app.isolation.level !== 'in-process')
      throw new Error(
        `the app runs in a sandbox process (isolation "${app.isolation.level}"): window, document, query, queryAll and text need isolation "in-process"; use await app.textOf(selector), click and type`,
      );
    return app.guest;
  };
}

/** What a test does to the page through the host's channel, under every isolation; click and type then wait until idle. */
function domActions(host: Host, settle: () => Promise<void>): Pick<TestApp, 'textOf' | 'click' | 'type'> {
  const act = async (op: 'query' | 'click' | 'input', selector: string, value?: string) => {
    const r = await host.dom(op, selector, value);
    if (!r.ok) throw new Error(r.error!.message);
    return r.value;
  };
  return {
    async textOf(selector) {
      const found = (await act('query', selector)) as { exists?: boolean; text?: string } | undefined;
      return found?.exists ? (found.text ?? '') : undefined;
    },
    async click(selector) {
      await act('click', selector);
      await settle();
    },
    async type(selector, value) {
      await act('input', selector, value);
      await settle();
    },
  };
}

/** The app's storage as a test reads and writes it (the same store the app's storage.* calls use). */
function storageView(storage: Host['storage']): TestApp['storage'] {
  return {
    get: (key) => storage.get(key),
    set: (key, value) => storage.set(key, value),
    keys: () => storage.keys(),
    snapshot: () => storage.snapshot(),
    get usedBytes() {
      return storage.usedBytes;
    },
    flush: () => storage.flush(),
  };
}

/** Types for partners: `MiniAppBridge.call<'payment.pay'>(...)` typed from the catalogue. */
export type { BridgeParams, BridgeResult };
