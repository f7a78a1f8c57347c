// miniapp dev server client, injected into every HTML page the dev server serves (never into a package).
// It keeps the page in step with the build (docs/dev-server-protocol.md): knows the build it runs (the
// hash on its script tag), reloads on `reload` and whenever the server announces another build on
// (re)connect, shows an overlay on `error` / `manifest-invalid`, reports the app's uncaught errors,
// reconnects with backoff and acknowledges each reload. It also makes sure `MiniAppBridge` exists: the
// simulator's mock inside the simulator, a standalone mock in a plain browser tab, and, in a real debug
// host, the host's own bridge wrapped to report calls.
// scripts/build.mjs bundles this file (with the protocol's types and constants) as one classic ES2019
// script: it must run before the app's own scripts.
import {
  ACK_STORAGE_KEY,
  DEV_PREFIX,
  PROTOCOL_VERSION,
  WS_PATH,
  type BridgeCallRecord,
  type DevClientMessage,
  type DevServerMessage,
  type ErrorPayload,
  type RuntimeErrorRecord,
} from '../protocol.js';
import { openDevSocket, reconnectDelay } from './socket.js';
import { wireError, wireText, wireValue } from './wire.js';

interface Bridge {
  call(method: string, params?: unknown): Promise<unknown>;
  canIUse?(method: string): boolean;
  ready?: Promise<void>;
}
/** What the simulator page offers its device frame (src/server/client/simulator.ts). */
interface SimulatorHost {
  bridgeFor(w: Window): Bridge;
  /** Milliseconds the simulated clock is ahead of the real one. */
  clockOffset?(): number;
}
type DevWindow = Window & { __miniappDevClient?: unknown; __miniappSimulator?: SimulatorHost; MiniAppBridge?: Bridge };

const win = window as unknown as DevWindow;
/** Runtime errors reported per page load at most (an error in a render loop must not flood the server). */
const MAX_RUNTIME_ERRORS = 50;

/** What the page's client knows between messages: the build its HTML came from, the server session it last saw. */
interface PageState {
  /** The build this page's HTML came from ("" on the build-failed page). */
  readonly build: string;
  session: string | null;
}

type Overlay = ReturnType<typeof createOverlay>;
type Link = ReturnType<typeof createLink>;

function reloadPage(id: number): void {
  try {
    // Kept until the page that reaches the server's current build acknowledges.
    if (id) sessionStorage.setItem(ACK_STORAGE_KEY, String(id));
  } catch {
    /* storage disabled: the reload is not acknowledged */
  }
  location.reload();
}

/**
 * The socket to the server: messages sent while it is not open wait in a bounded queue; `hello` goes
 * first on every connection; a dropped connection is retried with backoff.
 */
function createLink(token: string, state: PageState, onMessage: (message: DevServerMessage) => void) {
  let socket: WebSocket | null = null;
  let retry = 0;
  let queue: DevClientMessage[] = [];

  const send = (message: DevClientMessage) => {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
    else if (queue.length < 500) queue.push(message);
  };

  const connect = () => {
    if (!token) return;
    const url = `${location.protocol === 'https:' ? 'wss://' : 'ws://'}${location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
    const ws = openDevSocket(url, {
      onOpen() {
        retry = 0;
        const q = queue;
        queue = [];
        for (const m of q) ws.send(JSON.stringify(m));
      },
      onMessage,
      onClose(opened) {
        if (socket !== ws) return;
        socket = null;
        setTimeout(opened || !state.session ? connect : probe, reconnectDelay(retry++));
      },
    });
    socket = ws;
  };
  // Connected before, refused now: if the server answers HTTP it is a new process, whose token this page
  // does not have (a token is per process), so only a reload reconnects it.
  const probe = () => {
    fetch(`${DEV_PREFIX}client.js`, { method: 'HEAD', cache: 'no-store' }).then(
      (res) => (res.ok ? reloadPage(0) : connect()),
      () => connect(),
    );
  };
  return { send, connect, close: () => socket?.close() };
}

function onHello(message: Extract<DevServerMessage, { type: 'hello' }>, state: PageState, link: Link, overlay: Overlay): void {
  if (message.protocol !== PROTOCOL_VERSION) {
    console.warn(`[miniapp] dev server speaks protocol ${message.protocol}, this client ${PROTOCOL_VERSION}: live reload is off`);
    link.close();
    return;
  }
  if (state.session && state.session !== message.session) return reloadPage(0); // the server restarted: its build may differ
  state.session = message.session;
  // A save that landed while this page loaded: the server serves another build than the one we run.
  if (message.build.hash && message.build.hash !== state.build) return reloadPage(Number(pendingAck() ?? 0));
  const pending = pendingAck();
  if (pending) {
    sessionStorage.removeItem(ACK_STORAGE_KEY);
    link.send({ type: 'ack', id: Number(pending), hash: state.build });
  }
  if (message.build.ok) overlay.hide();
}

function dispatch(message: DevServerMessage, state: PageState, link: Link, overlay: Overlay): void {
  switch (message.type) {
    case 'hello':
      return onHello(message, state, link, overlay);
    case 'reload':
      return reloadPage(message.id);
    case 'error':
      return overlay.show('Build failed', message.errors?.length ? message.errors : [message], message.served);
    case 'manifest-invalid':
      return overlay.show('manifest.json is invalid', message.errors ?? [], message.served);
    default:
      return; // building, bridge-call, runtime-error and future messages: nothing to do in the page
  }
}

function start(): void {
  const script = document.currentScript;
  const token = script?.getAttribute('data-miniapp-token') ?? '';
  const state: PageState = { build: script?.getAttribute('data-miniapp-build') ?? '', session: null };
  const overlay = createOverlay();
  const link: Link = createLink(token, state, (message) => dispatch(message, state, link, overlay));

  const simulator = findSimulator();
  if (simulator) applySimulatorClock(simulator);
  installBridge(simulator, (call) => link.send({ type: 'bridge-call', call }));
  reportRuntimeErrors(link.send);

  win.__miniappDevClient = { protocol: PROTOCOL_VERSION, build: state.build, send: link.send, showOverlay: overlay.show, hideOverlay: overlay.hide };
  link.connect();
}

function pendingAck(): string | null {
  try {
    return sessionStorage.getItem(ACK_STORAGE_KEY);
  } catch {
    return null;
  }
}

function findSimulator(): SimulatorHost | null {
  try {
    const parent = window.parent as unknown as DevWindow;
    return parent !== (window as unknown) && parent.__miniappSimulator ? parent.__miniappSimulator : null;
  } catch {
    return null; // a cross-origin parent: not our simulator
  }
}

/**
 * Inside the simulator the app's clock is the simulated one: `Date.now()` and `new Date()` move with the
 * simulator's clock control, as the expiry of the tokens it issues does.
 */
function applySimulatorClock(simulator: SimulatorHost): void {
  if (typeof simulator.clockOffset !== 'function') return;
  const RealDate = Date;
  const now = () => RealDate.now() + (simulator.clockOffset!() || 0);
  function SimulatedDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(now()).toString();
    return args.length ? new (RealDate as unknown as new (...a: unknown[]) => Date)(...args) : new RealDate(now());
  }
  SimulatedDate.prototype = RealDate.prototype;
  Object.assign(SimulatedDate, { now, parse: RealDate.parse, UTC: RealDate.UTC });
  (window as unknown as { Date: unknown }).Date = SimulatedDate;
}

// ---- bridge calls, recorded for the inspector ----
function recorded(call: (method: string, params?: unknown) => Promise<unknown>, report: (r: BridgeCallRecord) => void) {
  let seq = 0;
  return (method: string, params?: unknown): Promise<unknown> => {
    const started = performance.now();
    // A bounded copy (src/server/client/wire.ts): whatever the app passes, the record fits the wire.
    const record: BridgeCallRecord = { id: `c${++seq}`, method: wireText(method, 200), params: wireValue(params), outcome: 'ok', latencyMs: 0, startedAt: new Date().toISOString() };
    const finish = (outcome: 'ok' | 'error', value: unknown) => {
      record.latencyMs = Math.round((performance.now() - started) * 100) / 100;
      record.outcome = outcome;
      if (outcome === 'ok') record.result = wireValue(value);
      else record.error = wireError(value);
      report(record);
    };
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(call(method, params));
    } catch (err) {
      promise = Promise.reject(err);
    }
    return promise.then(
      (result) => {
        finish('ok', result);
        return result;
      },
      (error: unknown) => {
        finish('error', error);
        throw error;
      },
    );
  };
}

function installBridge(simulator: SimulatorHost | null, report: (r: BridgeCallRecord) => void): void {
  if (simulator) {
    // Inside the simulator's device frame: its mock (with its permission, payment and clock controls) answers.
    win.MiniAppBridge = simulator.bridgeFor(window);
  } else if (win.MiniAppBridge && typeof win.MiniAppBridge.call === 'function') {
    // A real (debug) host: keep its bridge, report each call to the inspector.
    const host = win.MiniAppBridge;
    try {
      host.call = recorded(host.call.bind(host), report);
    } catch {
      /* a frozen host bridge: calls are not inspected */
    }
  } else {
    // A plain browser tab: the standalone browser mock, with the manifest being served.
    type Mock = { call(m: string, p?: unknown): Promise<unknown>; canIUse(m: string): boolean };
    let mock: Mock | null = null;
    const loading: Promise<Mock> = Promise.all([
      import(/* @vite-ignore */ `${DEV_PREFIX}bridge-mock.js`) as Promise<{ createMockBridge(o: { permissions: string[] }): Mock }>,
      fetch('/manifest.json').then((r) => r.json() as Promise<{ permissions?: string[] }>),
    ]).then((loaded) => (mock = loaded[0].createMockBridge({ permissions: loaded[1].permissions ?? [] })));
    win.MiniAppBridge = {
      call: recorded((method, params) => loading.then((m) => m.call(method, params)), report),
      canIUse: (method) => (mock ? mock.canIUse(method) : false),
      ready: loading.then(() => undefined),
    };
  }
}

/** The app's uncaught errors and unhandled rejections, reported to the server (terminal, simulator). */
function reportRuntimeErrors(send: (m: DevClientMessage) => void): void {
  let sent = 0;
  const report = (error: RuntimeErrorRecord) => {
    if (++sent <= MAX_RUNTIME_ERRORS) send({ type: 'runtime-error', error });
  };
  // Cut here too: an error message of megabytes must not make the frame too big for the server.
  const text = (v: unknown) => wireText(v, 2000);
  const stackOf = (v: unknown) => (typeof v === 'string' ? { stack: wireText(v, 8000) } : {});
  window.addEventListener('error', (e: ErrorEvent) => {
    if (!(e instanceof ErrorEvent)) return; // a resource that failed to load: the network panel has it
    const err = e.error as { stack?: unknown } | undefined;
    report({
      kind: 'error',
      message: text(e.message || e.error),
      ...stackOf(err?.stack),
      ...(e.filename ? { source: wireText(e.filename, 500) } : {}),
      ...(e.lineno ? { line: e.lineno } : {}),
      ...(e.colno ? { column: e.colno } : {}),
      at: new Date().toISOString(),
    });
  });
  window.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
    try {
      const reason = e.reason as { message?: unknown; stack?: unknown } | undefined;
      const message = reason && typeof reason === 'object' && 'message' in reason ? text(reason.message) : text(e.reason);
      report({ kind: 'unhandledrejection', message, ...stackOf(reason?.stack), at: new Date().toISOString() });
    } catch {
      report({ kind: 'unhandledrejection', message: '[unreadable rejection reason]', at: new Date().toISOString() });
    }
  });
}

// ---- the error overlay ----
function esc(s: unknown): string {
  return String(s == null ? '' : s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const OVERLAY_STYLE =
  ':host{all:initial}.backdrop{position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.72);overflow:auto;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;color:#eee}' +
  '.panel{margin:24px auto;max-width:900px;background:#1b1b1f;border-top:4px solid #e5484d;padding:16px 20px;box-shadow:0 8px 32px rgba(0,0,0,.5)}h1{font-size:16px;margin:0 0 8px;color:#ff8b8b}' +
  'ul{list-style:none;padding:0;margin:0}li{margin:12px 0}.where{color:#8ab4ff}.code{color:#ffb86b}.message{white-space:pre-wrap}pre{background:#111;padding:8px;overflow:auto;margin:6px 0}.hint{color:#aaa}' +
  '.foot{color:#888;margin-top:12px}';

function createOverlay() {
  let overlay: HTMLElement | null = null;
  const hide = () => {
    overlay?.parentNode?.removeChild(overlay);
    overlay = null;
  };
  const show = (title: string, errors: ErrorPayload[], served = true) => {
    hide();
    overlay = document.createElement('miniapp-error-overlay');
    const root = overlay.attachShadow ? overlay.attachShadow({ mode: 'open' }) : overlay;
    const items = errors
      .map((e) => {
        const where = e.file ? e.file + (e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : '') : '';
        return `<li><div class="where">${esc(where)} <span class="code">${esc(e.code)}</span></div><div class="message">${esc(e.message)}</div>${e.frame ? `<pre>${esc(e.frame)}</pre>` : ''}${e.hint ? `<div class="hint">${esc(e.hint)}</div>` : ''}</li>`;
      })
      .join('');
    const foot = served
      ? 'The last good build is still served. Fix the problem and save: this page reloads by itself.'
      : 'No build has succeeded yet. Fix the problem and save: this page reloads by itself.';
    root.innerHTML = `<style>${OVERLAY_STYLE}</style><div class="backdrop" role="alert"><div class="panel"><h1>${esc(title)}</h1><ul>${items}</ul><div class="foot">${foot}</div></div></div>`;
    (document.body || document.documentElement).appendChild(overlay);
  };
  return { show, hide };
}

if (!win.__miniappDevClient) start();
