// The browser simulator at /__miniapp/: the app in a device frame, answered by the browser mock bridge
// generated from the bridge catalogue (src/bridge/mock, served at /__miniapp/bridge-mock.js: the same
// permissions, params validation and error codes as the headless runtime), with host controls and the
// bridge inspector. The app's frame gets its MiniAppBridge from `window.__miniappSimulator.bridgeFor()`
// (see client.ts). The controls script the mock through its `respond(method, handler)` hook, which
// answers after the mock's own checks (method, permission, params), exactly where a host's service would.
// scripts/build.mjs bundles this file (with the protocol's types and constants) as one ES module; the
// mock and the catalogue stay separate files, served beside it.
import { createMockBridge, type MockBridge } from '../../bridge/mock/bridge-mock.js';
import { CATALOG } from '../../bridge/mock/catalog-data.js';
import { LAUNCH_PATH, WS_PATH, type BridgeCallRecord, type DevServerMessage, type RuntimeErrorRecord, type SimulatorConfig } from '../protocol.js';
import { openDevSocket, reconnectDelay } from './socket.js';
import { cut, wireError, wireText, wireValue } from './wire.js';

interface Manifest {
  id: string;
  version: string;
  name?: string;
  permissions?: string[];
}
type SimWindow = Window & { __MINIAPP_SIMULATOR__?: Partial<SimulatorConfig>; __miniappSimulator?: unknown };

const win = window as unknown as SimWindow;
const config: Partial<SimulatorConfig> = win.__MINIAPP_SIMULATOR__ ?? {};
const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector(sel) as T;

const DEVICES = [
  { name: 'iPhone SE', width: 375, height: 667 },
  { name: 'iPhone 15', width: 393, height: 852 },
  { name: 'Pixel 7', width: 412, height: 915 },
  { name: 'Galaxy S8', width: 360, height: 740 },
  { name: 'iPad mini', width: 768, height: 1024 },
];
/** Permissions a host asks the user about (the rest are granted by declaring them in the manifest). */
const CONSENT = Object.keys(CATALOG.permissions).filter((p) => CATALOG.permissions[p]!.consent);
const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** Where a host opens the app (the root of its origin, which serves the manifest's entryPoint). */
const launchPath = config.launchPath || LAUNCH_PATH;
const wsPath = config.wsPath || WS_PATH;
/**
 * What the page keeps, whatever the app does (a call in a loop, an error in a render loop): the
 * inspector's rows and the errors list in the DOM, and the calls a recording holds. The counts stay exact.
 */
const MAX_ROWS = 500;
const MAX_CALLS = 5000;
const MAX_ERRORS = 200;

let manifest: Manifest | null = null;
let mock: MockBridge | null = null;
const consent = new Map<string, boolean>();
let paymentOutcome = 'success';
let clockOffset = 0;
const tokens: number[] = []; // expiresAt of each token issued, to show which have expired on the simulated clock
type ListedCall = BridgeCallRecord & { source: 'remote' | 'simulator' };
const calls: ListedCall[] = [];
let callCount = 0;
const appErrors: RuntimeErrorRecord[] = []; // the app's uncaught errors and unhandled rejections, as the frame's client reports them
let errorCount = 0;
let socket: WebSocket | null = null;
let seq = 0;

// ---- the mock bridge and its controls ----
async function loadManifest(): Promise<Manifest> {
  const res = await fetch('/manifest.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
  return (await res.json()) as Manifest;
}

const hostNow = () => Date.now() + clockOffset;
const bridgeError = (code: string, message: string) => Object.assign(new Error(message), { code });
const refuse = (code: string, message: string) => () => {
  throw bridgeError(code, message);
};

/** Applies the controls to the mock: consent refusals, the payment outcome, the token clock. */
function applyControls(bridge: MockBridge): void {
  for (const [method, spec] of Object.entries(CATALOG.methods)) {
    const p = spec.permission;
    if (!p || !CONSENT.includes(p)) continue;
    if (method === 'auth.getToken') continue; // answered below, with the clock
    bridge.respond(method, consent.get(p) === false ? refuse('USER_DENIED', `the user denied the "${p}" permission`) : undefined);
  }
  const payment = {
    cancel: refuse('PAYMENT_CANCELLED', 'the user closed the payment sheet without paying'),
    failure: refuse('PAYMENT_FAILED', 'the payment was declined; nothing was charged'),
  }[paymentOutcome];
  bridge.respond('payment.pay', payment);
  bridge.respond('auth.getToken', (params: { scope: string }) => {
    if (consent.get('auth') === false) throw bridgeError('USER_DENIED', 'the user denied the "auth" permission');
    const expiresAt = hostNow() + TOKEN_LIFETIME_MS;
    tokens.push(expiresAt);
    renderClock();
    return { token: `mock.${params.scope}.${tokens.length}`, expiresAt, scope: params.scope };
  });
}

function createMock(m: Manifest): MockBridge {
  const bridge = createMockBridge({ permissions: m.permissions || [] });
  applyControls(bridge);
  return bridge;
}

function renderClock(): void {
  const now = hostNow();
  const expired = tokens.filter((t) => t <= now).length;
  $('#clock').textContent = `+${Math.round(clockOffset / 60000)} min${tokens.length ? ` (tokens: ${tokens.length} issued, ${expired} expired)` : ''}`;
}

function renderPermissions(): void {
  const box = $('#permissions');
  box.querySelectorAll('label').forEach((l) => l.remove());
  for (const p of manifest?.permissions ?? []) {
    const label = document.createElement('label');
    label.className = 'row';
    const asks = CONSENT.includes(p);
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.setAttribute('data-permission', p);
    input.checked = consent.get(p) !== false;
    input.disabled = !asks;
    label.append(input, ` ${p}${asks ? '' : ' (no consent asked)'}`);
    box.appendChild(label);
  }
}

function wireControls(): void {
  $('#permissions').addEventListener('change', (e) => {
    const input = e.target as HTMLInputElement;
    const p = input.getAttribute('data-permission');
    if (!p) return;
    consent.set(p, input.checked);
    if (mock) applyControls(mock);
  });
  $('#payment-outcome').addEventListener('change', (e) => {
    paymentOutcome = (e.target as HTMLSelectElement).value;
    if (mock) applyControls(mock);
  });
  document.querySelectorAll('[data-advance]').forEach((b) =>
    b.addEventListener('click', () => {
      clockOffset += Number(b.getAttribute('data-advance'));
      renderClock();
    }),
  );
}

// ---- the inspector ----
const short = (v: unknown, max = 80): string => {
  let s: string | undefined;
  try {
    s = v === undefined ? '' : JSON.stringify(v);
  } catch {
    s = '[unprintable]';
  }
  return cut(s ?? '', max);
};
const pretty = (v: unknown): string => {
  try {
    return cut(JSON.stringify(v, null, 2) ?? '', 4000);
  } catch {
    return '';
  }
};

/** Keeps at most `max` children in `list` (the newest are at the top). */
const trim = (list: HTMLElement, max: number) => {
  while (list.childElementCount > max) list.lastElementChild?.remove();
};

function addRow(call: BridgeCallRecord, remote: boolean): void {
  calls.push({ ...call, source: remote ? 'remote' : 'simulator' });
  if (calls.length > MAX_CALLS) calls.splice(0, calls.length - MAX_CALLS);
  callCount++;
  const tr = document.createElement('tr');
  tr.setAttribute('data-method', call.method);
  tr.setAttribute('data-outcome', call.outcome);
  if (remote) tr.className = 'remote';
  const outcome = call.outcome === 'ok' ? `ok ${short(call.result, 60)}` : `${call.error ? call.error.code : 'error'}${call.error?.path ? ` at ${call.error.path}` : ''}`;
  const cells = [new Date(call.startedAt).toLocaleTimeString(), call.method, short(call.params), outcome, String(call.latencyMs)];
  const classes = ['time', 'method', 'params', 'outcome', 'latency'];
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.className = classes[i]!;
    td.textContent = text;
    if (i === 2) td.title = pretty(call.params);
    if (i === 3 && call.error) td.title = call.error.message;
    tr.appendChild(td);
  });
  const body = $('#inspector tbody');
  body.prepend(tr);
  trim(body, MAX_ROWS);
  $('#call-count').textContent = String(callCount);
}

/** One of the app's uncaught errors, at the top of the errors list (and a badge on the device). */
function addError(error: RuntimeErrorRecord): void {
  appErrors.push(error);
  if (appErrors.length > MAX_ERRORS) appErrors.splice(0, appErrors.length - MAX_ERRORS);
  errorCount++;
  const li = document.createElement('li');
  li.setAttribute('data-kind', error.kind);
  const head = document.createElement('div');
  head.className = 'message';
  head.textContent = error.kind === 'error' ? error.message : `Unhandled rejection: ${error.message}`;
  li.appendChild(head);
  if (error.source || error.stack) {
    const pre = document.createElement('pre');
    pre.textContent = error.stack || `${error.source}:${error.line || 0}:${error.column || 0}`;
    li.appendChild(pre);
  }
  const list = $('#errors');
  list.prepend(li);
  trim(list, MAX_ERRORS);
  $('#error-count').textContent = String(errorCount);
  $('#app-errors').hidden = false;
}

/** A recording in the runtime's format (`miniapp run --replay <file>` answers calls from it). */
function recording() {
  return {
    format: 'miniapp-recording',
    version: 1,
    appId: manifest ? manifest.id : 'unknown',
    calls: calls.map((c) => (c.outcome === 'ok' ? { method: c.method, params: c.params, ok: true, result: c.result } : { method: c.method, params: c.params, ok: false, error: c.error })),
  };
}

function wireInspector(): void {
  $('#clear-errors').addEventListener('click', () => {
    appErrors.length = 0;
    errorCount = 0;
    $('#errors').textContent = '';
    $('#error-count').textContent = '0';
    $('#app-errors').hidden = true;
  });
  $('#clear').addEventListener('click', () => {
    calls.length = 0;
    callCount = 0;
    $('#inspector tbody').textContent = '';
    $('#call-count').textContent = '0';
  });
  $('#save').addEventListener('click', () => {
    const blob = new Blob([`${JSON.stringify(recording(), null, 2)}\n`], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${manifest ? manifest.id : 'app'}-recording.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}

function send(message: { type: 'bridge-call'; call: BridgeCallRecord }): void {
  if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
}

/** A bridge for the app's frame: the mock answers, every call is listed and sent to the server (bounded: wire.ts). */
function bridgeFor() {
  const call = async (method: unknown, params?: unknown): Promise<unknown> => {
    const started = performance.now();
    const record: BridgeCallRecord = { id: `s${++seq}`, method: wireText(method, 200), params: wireValue(params), outcome: 'ok', latencyMs: 0, startedAt: new Date().toISOString() };
    try {
      if (!mock) throw Object.assign(new Error('the simulator is still loading the manifest'), { code: 'INTERNAL_ERROR' });
      const result = await mock.call(method as never, params as never);
      record.result = wireValue(result);
      return result;
    } catch (err) {
      record.outcome = 'error';
      record.error = wireError(err);
      throw err;
    } finally {
      record.latencyMs = Math.round((performance.now() - started) * 100) / 100;
      addRow(record, false);
      send({ type: 'bridge-call', call: record });
    }
  };
  return { call, canIUse: (method: string) => !!mock && mock.canIUse(method as never) };
}

/** What client.ts finds in the device frame's parent and installs as MiniAppBridge. */
win.__miniappSimulator = {
  recording,
  /** How far the simulated clock is ahead: the frame's client moves the app's Date.now() and new Date() by it. */
  clockOffset: () => clockOffset,
  get errors() {
    return appErrors.slice();
  },
  get calls() {
    return calls.slice();
  },
  bridgeFor,
};

// ---- the device frame ----
const iframe = $<HTMLIFrameElement>('#app');
let device = DEVICES[0]!;
let landscape = false;

function layout(): void {
  const w = landscape ? device.height : device.width;
  const h = landscape ? device.width : device.height;
  iframe.style.width = `${w}px`;
  iframe.style.height = `${h}px`;
  $('#frame').setAttribute('data-device', device.name);
  $('#size').textContent = `${device.name}, ${w}×${h}${landscape ? ' landscape' : ''}`;
}

function wireDevice(): void {
  for (const [i, d] of DEVICES.entries()) {
    const o = document.createElement('option');
    o.value = String(i);
    o.textContent = `${d.name} (${d.width}×${d.height})`;
    $('#device').appendChild(o);
  }
  $('#device').addEventListener('change', (e) => {
    device = DEVICES[Number((e.target as HTMLSelectElement).value)] || DEVICES[0]!;
    layout();
  });
  $('#rotate').addEventListener('click', () => {
    landscape = !landscape;
    layout();
  });
  // A relaunch, as a host does it: at the launch path, whatever route the app had navigated to.
  $('#reload-app').addEventListener('click', () => {
    iframe.src = 'about:blank';
    iframe.src = launchPath;
  });
}

// ---- the dev server connection (status, other pages' bridge calls and errors) ----
function status(state: string, text: string): void {
  const s = $('#status');
  s.setAttribute('data-state', state);
  s.textContent = text;
}

/** The token of the server answering now: a restarted server has a new one (one per process), which its simulator page carries. */
async function currentToken(): Promise<string | undefined> {
  const html = await (await fetch('/__miniapp/', { cache: 'no-store' })).text();
  const m = /window\.__MINIAPP_SIMULATOR__ = (\{.*?\});<\/script>/.exec(html);
  return m ? (JSON.parse(m[1]!) as SimulatorConfig).token : config.token;
}

/** After a reload, a changed manifest gets a new mock (its permissions may differ); the frame reloads itself. */
async function refreshManifest(): Promise<void> {
  try {
    const next = await loadManifest();
    if (JSON.stringify(next) === JSON.stringify(manifest)) return;
    manifest = next;
    mock = createMock(manifest);
    renderPermissions();
  } catch {
    /* the frame shows the problem */
  }
}

function onServerMessage(m: DevServerMessage): void {
  switch (m.type) {
    case 'hello':
      return status(m.build?.ok ? 'ok' : 'error', m.build?.ok ? 'up to date' : 'build failed');
    case 'building':
      return status('building', 'building…');
    case 'error':
      return status('error', `build failed: ${m.code}`);
    case 'manifest-invalid':
      return status('error', 'manifest.json invalid');
    case 'bridge-call':
      return addRow(m.call, true);
    case 'runtime-error':
      return addError(m.error);
    case 'reload':
      status('ok', 'up to date');
      return void refreshManifest();
  }
}

let retry = 0;
let connected = false;
function connect(): void {
  // role=simulator: this window watches (status, inspector, errors); it is not a page the server waits for.
  const ws = openDevSocket(`ws://${location.host}${wsPath}?token=${encodeURIComponent(config.token || '')}&role=simulator`, {
    onOpen() {
      connected = true;
      retry = 0;
    },
    onMessage: onServerMessage,
    onClose(opened) {
      if (socket !== ws) return;
      status('connecting', 'disconnected, retrying…');
      setTimeout(async () => {
        // Connected before, refused now: the server restarted; the inspector keeps its log and reconnects with the new token.
        if (connected && !opened) config.token = await currentToken().catch(() => config.token);
        connect();
      }, reconnectDelay(retry++));
    },
  });
  socket = ws;
}

async function start(): Promise<void> {
  wireControls();
  wireInspector();
  wireDevice();
  $('#app-name').textContent = config.app ? `${config.app.name || config.app.id} ${config.app.version}` : '';
  layout();
  try {
    manifest = await loadManifest();
    mock = createMock(manifest);
  } catch (err) {
    status('error', String((err as Error).message || err));
  }
  renderPermissions();
  connect();
  // Only now: the frame's client looks for window.__miniappSimulator when it starts.
  iframe.src = launchPath;
}
void start();
