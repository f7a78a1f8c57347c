// The browser simulator at /__miniapp/: the app in a device frame, answered by the browser mock bridge
// generated from the bridge catalogue (src/bridge/mock, served at /__miniapp/bridge-mock.js: the same
// permissions, params validation and error codes as the headless runtime), with host controls and the
// bridge inspector. The app's frame gets its MiniAppBridge from `window.__miniappSimulator.bridgeFor()`
// (see client.js). The controls script the mock through its `respond(method, handler)` hook, which
// answers after the mock's own checks (method, permission, params), exactly where a host's service would.
import { createMockBridge } from '/__miniapp/bridge-mock.js';
import { CATALOG } from '/__miniapp/catalog-data.js';

const config = window.__MINIAPP_SIMULATOR__ || {};
const $ = (sel) => document.querySelector(sel);

const DEVICES = [
  { name: 'iPhone SE', width: 375, height: 667 },
  { name: 'iPhone 15', width: 393, height: 852 },
  { name: 'Pixel 7', width: 412, height: 915 },
  { name: 'Galaxy S8', width: 360, height: 740 },
  { name: 'iPad mini', width: 768, height: 1024 },
];
/** Permissions a host asks the user about (the rest are granted by declaring them in the manifest). */
const CONSENT = Object.keys(CATALOG.permissions).filter((p) => CATALOG.permissions[p].consent);
const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
/** Where a host opens the app (the root of its origin, which serves the manifest's entryPoint). */
const LAUNCH_PATH = config.launchPath || '/';
const WS_PATH = config.wsPath || '/__miniapp/ws';

let manifest = null;
let mock = null;
const consent = new Map();
let paymentOutcome = 'success';
let clockOffset = 0;
const tokens = []; // expiresAt of each token issued, to show which have expired on the simulated clock
const calls = [];
const appErrors = []; // the app's uncaught errors and unhandled rejections, as the frame's client reports them
let socket = null;
let seq = 0;

// ---- the mock bridge and its controls ----
async function loadManifest() {
  const res = await fetch('/manifest.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`manifest.json: HTTP ${res.status}`);
  return res.json();
}

const hostNow = () => Date.now() + clockOffset;
const bridgeError = (code, message) => Object.assign(new Error(message), { code });

/** Applies the controls to the mock: consent refusals, the payment outcome, the token clock. */
function applyControls(bridge) {
  for (const [method, spec] of Object.entries(CATALOG.methods)) {
    if (!spec.permission || !CONSENT.includes(spec.permission)) continue;
    const p = spec.permission;
    if (method === 'auth.getToken') continue; // answered below, with the clock
    bridge.respond(method, consent.get(p) === false ? () => { throw bridgeError('USER_DENIED', `the user denied the "${p}" permission`); } : undefined);
  }
  bridge.respond('payment.pay', paymentOutcome === 'cancel' ? () => { throw bridgeError('PAYMENT_CANCELLED', 'the user closed the payment sheet without paying'); }
    : paymentOutcome === 'failure' ? () => { throw bridgeError('PAYMENT_FAILED', 'the payment was declined; nothing was charged'); }
    : undefined);
  bridge.respond('auth.getToken', (params) => {
    if (consent.get('auth') === false) throw bridgeError('USER_DENIED', 'the user denied the "auth" permission');
    const expiresAt = hostNow() + TOKEN_LIFETIME_MS;
    tokens.push(expiresAt);
    renderClock();
    return { token: `mock.${params.scope}.${tokens.length}`, expiresAt, scope: params.scope };
  });
}

function createMock(m) {
  const bridge = createMockBridge({ permissions: m.permissions || [] });
  applyControls(bridge);
  return bridge;
}

function renderClock() {
  const now = hostNow();
  const expired = tokens.filter((t) => t <= now).length;
  $('#clock').textContent = `+${Math.round(clockOffset / 60000)} min` + (tokens.length ? ` (tokens: ${tokens.length} issued, ${expired} expired)` : '');
}

function renderPermissions() {
  const box = $('#permissions');
  box.querySelectorAll('label').forEach((l) => l.remove());
  const declared = (manifest && manifest.permissions) || [];
  for (const p of declared) {
    const label = document.createElement('label');
    label.className = 'row';
    const asks = CONSENT.includes(p);
    label.innerHTML = `<input type="checkbox" data-permission="${p}" ${consent.get(p) === false ? '' : 'checked'} ${asks ? '' : 'disabled'}> ${p}${asks ? '' : ' (no consent asked)'}`;
    box.appendChild(label);
  }
}

$('#permissions').addEventListener('change', (e) => {
  const p = e.target.getAttribute('data-permission');
  if (!p) return;
  consent.set(p, e.target.checked);
  if (mock) applyControls(mock);
});
$('#payment-outcome').addEventListener('change', (e) => {
  paymentOutcome = e.target.value;
  if (mock) applyControls(mock);
});
document.querySelectorAll('[data-advance]').forEach((b) =>
  b.addEventListener('click', () => {
    const ms = Number(b.getAttribute('data-advance'));
    clockOffset += ms;
    renderClock();
  }),
);

// ---- the inspector ----
const plain = (v) => {
  try {
    return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
  } catch {
    return String(v);
  }
};
const short = (v, max = 80) => {
  const s = v === undefined ? '' : JSON.stringify(v);
  return s && s.length > max ? `${s.slice(0, max - 1)}…` : s || '';
};

function addRow(call, remote) {
  calls.push({ ...call, source: remote ? 'remote' : 'simulator' });
  const tr = document.createElement('tr');
  tr.setAttribute('data-method', call.method);
  tr.setAttribute('data-outcome', call.outcome);
  if (remote) tr.className = 'remote';
  const outcome = call.outcome === 'ok' ? `ok ${short(call.result, 60)}` : `${call.error ? call.error.code : 'error'}${call.error && call.error.path ? ` at ${call.error.path}` : ''}`;
  const cells = [new Date(call.startedAt).toLocaleTimeString(), call.method, short(call.params), outcome, String(call.latencyMs)];
  const classes = ['time', 'method', 'params', 'outcome', 'latency'];
  cells.forEach((text, i) => {
    const td = document.createElement('td');
    td.className = classes[i];
    td.textContent = text;
    if (i === 2) td.title = JSON.stringify(call.params, null, 2) || '';
    if (i === 3 && call.error) td.title = call.error.message;
    tr.appendChild(td);
  });
  $('#inspector tbody').prepend(tr);
  $('#call-count').textContent = String(calls.length);
}

/** One of the app's uncaught errors, at the top of the errors list (and a badge on the device). */
function addError(error) {
  appErrors.push(error);
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
  $('#errors').prepend(li);
  $('#error-count').textContent = String(appErrors.length);
  $('#app-errors').hidden = false;
}
$('#clear-errors').addEventListener('click', () => {
  appErrors.length = 0;
  $('#errors').textContent = '';
  $('#error-count').textContent = '0';
  $('#app-errors').hidden = true;
});

$('#clear').addEventListener('click', () => {
  calls.length = 0;
  $('#inspector tbody').textContent = '';
  $('#call-count').textContent = '0';
});

/** A recording in the runtime's format (`miniapp run --replay <file>` answers calls from it). */
function recording() {
  return {
    format: 'miniapp-recording',
    version: 1,
    appId: manifest ? manifest.id : 'unknown',
    calls: calls.map((c) => (c.outcome === 'ok' ? { method: c.method, params: c.params, ok: true, result: c.result } : { method: c.method, params: c.params, ok: false, error: c.error })),
  };
}
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

function send(message) {
  if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
}

/** What client.js installs as MiniAppBridge inside the device frame. Every call is recorded. */
window.__miniappSimulator = {
  recording,
  /** How far the simulated clock is ahead: the frame's client moves the app's Date.now() and new Date() by it. */
  clockOffset: () => clockOffset,
  get errors() {
    return appErrors.slice();
  },
  get calls() {
    return calls.slice();
  },
  bridgeFor() {
    const call = async (method, params) => {
      const started = performance.now();
      const record = { id: `s${++seq}`, method: String(method), params: plain(params), startedAt: new Date().toISOString() };
      try {
        if (!mock) throw Object.assign(new Error('the simulator is still loading the manifest'), { code: 'INTERNAL_ERROR' });
        const result = await mock.call(method, params);
        Object.assign(record, { outcome: 'ok', result: plain(result) });
        return result;
      } catch (err) {
        Object.assign(record, { outcome: 'error', error: { code: String((err && err.code) || 'INTERNAL_ERROR'), message: String((err && err.message) || err), ...(err && err.path !== undefined ? { path: err.path } : {}) } });
        throw err;
      } finally {
        record.latencyMs = Math.round((performance.now() - started) * 100) / 100;
        addRow(record, false);
        send({ type: 'bridge-call', call: record });
      }
    };
    return { call, canIUse: (method) => !!mock && mock.canIUse(method) };
  },
};

// ---- the device frame ----
const frame = $('#frame');
const iframe = $('#app');
let device = DEVICES[0];
let landscape = false;
for (const [i, d] of DEVICES.entries()) {
  const o = document.createElement('option');
  o.value = String(i);
  o.textContent = `${d.name} (${d.width}×${d.height})`;
  $('#device').appendChild(o);
}
function layout() {
  const w = landscape ? device.height : device.width;
  const h = landscape ? device.width : device.height;
  iframe.style.width = `${w}px`;
  iframe.style.height = `${h}px`;
  frame.setAttribute('data-device', device.name);
  $('#size').textContent = `${device.name}, ${w}×${h}${landscape ? ' landscape' : ''}`;
}
$('#device').addEventListener('change', (e) => {
  device = DEVICES[Number(e.target.value)] || DEVICES[0];
  layout();
});
$('#rotate').addEventListener('click', () => {
  landscape = !landscape;
  layout();
});
// A relaunch, as a host does it: at the launch path, whatever route the app had navigated to.
$('#reload-app').addEventListener('click', () => {
  iframe.src = 'about:blank';
  iframe.src = LAUNCH_PATH;
});

// ---- the dev server connection (status, other pages' bridge calls) ----
function status(state, text) {
  const s = $('#status');
  s.setAttribute('data-state', state);
  s.textContent = text;
}
let retry = 0;
let connected = false;
/** The token of the server answering now: a restarted server has a new one (one per process), which its simulator page carries. */
async function currentToken() {
  const html = await (await fetch('/__miniapp/', { cache: 'no-store' })).text();
  const m = /window\.__MINIAPP_SIMULATOR__ = (\{.*?\});<\/script>/.exec(html);
  return m ? JSON.parse(m[1]).token : config.token;
}
function connect() {
  // role=simulator: this window watches (status, inspector, errors); it is not a page the server waits for.
  const ws = new WebSocket(`ws://${location.host}${WS_PATH}?token=${encodeURIComponent(config.token || '')}&role=simulator`);
  let opened = false;
  socket = ws;
  ws.onopen = () => {
    opened = connected = true;
    retry = 0;
  };
  ws.onmessage = async (event) => {
    let m;
    try {
      m = JSON.parse(event.data);
    } catch {
      return;
    }
    if (m.type === 'hello') status(m.build && m.build.ok ? 'ok' : 'error', m.build && m.build.ok ? 'up to date' : 'build failed');
    else if (m.type === 'building') status('building', 'building…');
    else if (m.type === 'error') status('error', `build failed: ${m.code}`);
    else if (m.type === 'manifest-invalid') status('error', 'manifest.json invalid');
    else if (m.type === 'bridge-call') addRow(m.call, true);
    else if (m.type === 'runtime-error') addError(m.error);
    else if (m.type === 'reload') {
      status('ok', 'up to date');
      // The frame reloads itself (its own client); a changed manifest gets a new mock (permissions may differ).
      try {
        const next = await loadManifest();
        if (JSON.stringify(next) !== JSON.stringify(manifest)) {
          manifest = next;
          mock = createMock(manifest);
          renderPermissions();
        }
      } catch {
        /* the frame shows the problem */
      }
    }
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    status('connecting', 'disconnected, retrying…');
    setTimeout(async () => {
      // Connected before, refused now: the server restarted; the inspector keeps its log and reconnects with the new token.
      if (connected && !opened) config.token = await currentToken().catch(() => config.token);
      connect();
    }, Math.min(5000, 250 * 2 ** retry++));
  };
}

async function start() {
  $('#app-name').textContent = config.app ? `${config.app.name || config.app.id} ${config.app.version}` : '';
  layout();
  try {
    manifest = await loadManifest();
    mock = createMock(manifest);
  } catch (err) {
    status('error', String(err.message || err));
  }
  renderPermissions();
  connect();
  // Only now: the frame's client looks for window.__miniappSimulator when it starts.
  iframe.src = LAUNCH_PATH;
}
start();
