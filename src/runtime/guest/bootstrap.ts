/**
 * The guest half of the bridge, as source text evaluated INSIDE the page's realm before any of the
 * app's scripts run. Everything the app can touch (MiniAppBridge, its promises and errors, lifecycle
 * events, the WebSocket stand-in) is created by this code in the app's own realm, so no host function
 * or prototype is reachable from the app's objects. It talks to the outside through `port`, kept in
 * this closure: `port.call(id, method, params)` and `port.network(id, url)` hand plain data to the
 * channel (which structured-clones it), and what comes back arrives as JSON text through `deliver`,
 * parsed here, in the app's realm.
 */
export const BOOTSTRAP_SOURCE = String.raw`(function (port, initJson) {
  'use strict';
  var init = JSON.parse(initJson);
  var methods = init.methods;
  var pending = new Map();
  var sockets = new Map();
  var nextId = 1;
  var state = 'loading';

  function bridgeError(e) {
    var error = new Error(e.message);
    error.name = 'MiniAppBridgeError';
    error.code = e.code;
    if (e.path !== undefined) error.path = e.path;
    return error;
  }

  function call(method, params) {
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      pending.set(id, { resolve: resolve, reject: reject });
      var refused = port.call(id, typeof method === 'string' ? method : null, params);
      if (refused) {
        pending.delete(id);
        reject(bridgeError(JSON.parse(refused)));
      }
    });
  }

  function canIUse(method) {
    return typeof method === 'string' && methods.indexOf(method) !== -1;
  }

  var bridge = Object.freeze({
    call: call,
    canIUse: canIUse,
    hostVersion: init.hostVersion,
    get lifecycleState() { return state; }
  });
  Object.defineProperty(window, 'MiniAppBridge', { value: bridge, enumerable: true, configurable: false, writable: false });

  function lifecycle(next) {
    state = next;
    window.dispatchEvent(new CustomEvent('miniapp:lifecycle', { detail: { state: next } }));
    window.dispatchEvent(new CustomEvent('miniapp:' + next));
  }

  // WebSocket: the URL is checked by the host; the headless runtime does not carry socket traffic,
  // so an allowed socket reports an error and closes, a refused one the same with the policy reason.
  function MiniAppWebSocket(url) {
    if (!(this instanceof MiniAppWebSocket)) throw new TypeError("Failed to construct 'WebSocket': use new");
    var target = new EventTarget();
    var self = this;
    this.url = String(url);
    this.readyState = 0;
    this.protocol = '';
    this.extensions = '';
    this.bufferedAmount = 0;
    this.binaryType = 'blob';
    this.onopen = null; this.onmessage = null; this.onerror = null; this.onclose = null;
    this.addEventListener = function (t, l, o) { target.addEventListener(t, l, o); };
    this.removeEventListener = function (t, l, o) { target.removeEventListener(t, l, o); };
    this.dispatchEvent = function (e) { return target.dispatchEvent(e); };
    this.send = function () { if (self.readyState !== 1) throw new DOMException('WebSocket is not open', 'InvalidStateError'); };
    this.close = function () { self.readyState = 3; };
    var id = nextId++;
    sockets.set(id, this);
    port.network(id, this.url);
  }
  MiniAppWebSocket.CONNECTING = 0; MiniAppWebSocket.OPEN = 1; MiniAppWebSocket.CLOSING = 2; MiniAppWebSocket.CLOSED = 3;
  function fire(ws, type, init) {
    var event = type === 'close' ? new CloseEvent('close', init) : new Event(type);
    if (typeof ws['on' + type] === 'function') ws['on' + type](event);
    ws.dispatchEvent(event);
  }
  Object.defineProperty(window, 'WebSocket', { value: MiniAppWebSocket, configurable: true, writable: true });

  function deliver(json) {
    var m = JSON.parse(json);
    if (m.type === 'result') {
      var p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.value); else p.reject(bridgeError(m.error));
    } else if (m.type === 'socket') {
      var ws = sockets.get(m.id);
      if (!ws) return;
      sockets.delete(m.id);
      ws.readyState = 3;
      fire(ws, 'error');
      fire(ws, 'close', { code: 1006, reason: m.error.code + ': ' + m.error.message, wasClean: false });
    } else if (m.type === 'lifecycle') {
      lifecycle(m.state);
    }
  }

  return { deliver: deliver, pendingCalls: function () { return pending.size; } };
})`;
