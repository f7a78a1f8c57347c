// miniapp dev server client, injected into every HTML page the dev server serves (never into a package).
// It keeps the page in step with the build (docs/dev-server-protocol.md): reloads on `reload`, shows an
// overlay on `error` / `manifest-invalid`, reconnects with backoff and acknowledges each reload. It also
// makes sure `MiniAppBridge` exists: the simulator's mock inside the simulator, a standalone mock in a
// plain browser tab, and, in a real debug host, the host's own bridge wrapped to report calls.
// Plain ES2019, no imports: it must run as a classic script before the app's own scripts.
(function () {
  'use strict';
  if (window.__miniappDevClient) return;
  var script = document.currentScript;
  var token = script && script.getAttribute('data-miniapp-token');
  var PROTOCOL = 1;
  var ACK_KEY = '__miniapp_reload_id';
  var socket = null;
  var session = null;
  var retry = 0;
  var queue = [];
  var overlay = null;

  function send(message) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(message));
    else if (queue.length < 500) queue.push(message);
  }

  // ---- bridge calls, recorded for the inspector ----
  var seq = 0;
  function plain(value) {
    try {
      return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
    } catch (e) {
      return String(value);
    }
  }
  function recorded(call, report) {
    return function (method, params) {
      var started = performance.now();
      var record = { id: 'c' + ++seq, method: String(method), params: plain(params), startedAt: new Date().toISOString() };
      var finish = function (outcome, value) {
        record.latencyMs = Math.round((performance.now() - started) * 100) / 100;
        record.outcome = outcome;
        if (outcome === 'ok') record.result = plain(value);
        else record.error = { code: String((value && value.code) || 'INTERNAL_ERROR'), message: String((value && value.message) || value), path: value && value.path };
        report(record);
      };
      var promise;
      try {
        promise = Promise.resolve(call(method, params));
      } catch (err) {
        promise = Promise.reject(err);
      }
      return promise.then(
        function (result) {
          finish('ok', result);
          return result;
        },
        function (error) {
          finish('error', error);
          throw error;
        },
      );
    };
  }

  var simulator = null;
  try {
    if (window.parent !== window && window.parent.__miniappSimulator) simulator = window.parent.__miniappSimulator;
  } catch (e) {
    simulator = null; // a cross-origin parent: not our simulator
  }

  if (simulator) {
    // Inside the simulator's device frame: its mock (with its permission, payment and clock controls) answers.
    window.MiniAppBridge = simulator.bridgeFor(window);
  } else if (window.MiniAppBridge && typeof window.MiniAppBridge.call === 'function') {
    // A real (debug) host: keep its bridge, report each call to the inspector.
    var host = window.MiniAppBridge;
    var hostCall = host.call.bind(host);
    try {
      host.call = recorded(hostCall, function (r) {
        send({ type: 'bridge-call', call: r });
      });
    } catch (e) {
      /* a frozen host bridge: calls are not inspected */
    }
  } else {
    // A plain browser tab: the standalone browser mock, with the manifest being served.
    var mock = null;
    var loading = Promise.all([import('/__miniapp/bridge-mock.js'), fetch('/manifest.json').then(function (r) { return r.json(); })]).then(function (loaded) {
      mock = loaded[0].createMockBridge({ permissions: loaded[1].permissions || [] });
      return mock;
    });
    window.MiniAppBridge = {
      call: recorded(
        function (method, params) {
          return loading.then(function (m) {
            return m.call(method, params);
          });
        },
        function (r) {
          send({ type: 'bridge-call', call: r });
        },
      ),
      canIUse: function (method) {
        return mock ? mock.canIUse(method) : false;
      },
      ready: loading.then(function () {}),
    };
  }

  // ---- the error overlay ----
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return '&#' + c.charCodeAt(0) + ';';
    });
  }
  function showOverlay(title, errors) {
    hideOverlay();
    overlay = document.createElement('miniapp-error-overlay');
    var root = overlay.attachShadow ? overlay.attachShadow({ mode: 'open' }) : overlay;
    var items = errors
      .map(function (e) {
        var where = e.file ? e.file + (e.line ? ':' + e.line + (e.column ? ':' + e.column : '') : '') : '';
        return (
          '<li><div class="where">' + esc(where) + ' <span class="code">' + esc(e.code) + '</span></div><div class="message">' + esc(e.message) + '</div>' +
          (e.frame ? '<pre>' + esc(e.frame) + '</pre>' : '') + (e.hint ? '<div class="hint">' + esc(e.hint) + '</div>' : '') + '</li>'
        );
      })
      .join('');
    root.innerHTML =
      '<style>:host{all:initial}.backdrop{position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.72);overflow:auto;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;color:#eee}' +
      '.panel{margin:24px auto;max-width:900px;background:#1b1b1f;border-top:4px solid #e5484d;padding:16px 20px;box-shadow:0 8px 32px rgba(0,0,0,.5)}h1{font-size:16px;margin:0 0 8px;color:#ff8b8b}' +
      'ul{list-style:none;padding:0;margin:0}li{margin:12px 0}.where{color:#8ab4ff}.code{color:#ffb86b}.message{white-space:pre-wrap}pre{background:#111;padding:8px;overflow:auto;margin:6px 0}.hint{color:#aaa}' +
      '.foot{color:#888;margin-top:12px}</style><div class="backdrop" role="alert"><div class="panel"><h1>' + esc(title) + '</h1><ul>' + items +
      '</ul><div class="foot">The last good build is still served. Fix the problem and save: this page reloads by itself.</div></div></div>';
    (document.body || document.documentElement).appendChild(overlay);
  }
  function hideOverlay() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
    overlay = null;
  }

  // ---- the connection ----
  function onMessage(message) {
    switch (message.type) {
      case 'hello':
        if (message.protocol !== PROTOCOL) {
          console.warn('[miniapp] dev server speaks protocol ' + message.protocol + ', this client ' + PROTOCOL + ': live reload is off');
          socket.close();
          return;
        }
        if (session && session !== message.session) return reload(0); // the server restarted: its build may differ
        session = message.session;
        var pending = sessionStorage.getItem(ACK_KEY);
        if (pending) {
          sessionStorage.removeItem(ACK_KEY);
          send({ type: 'ack', id: Number(pending) });
        }
        if (message.build && message.build.ok) hideOverlay();
        break;
      case 'reload':
        reload(message.id);
        break;
      case 'error':
        showOverlay('Build failed', message.errors && message.errors.length ? message.errors : [message]);
        break;
      case 'manifest-invalid':
        showOverlay('manifest.json is invalid', message.errors || []);
        break;
      default:
        break; // building, bridge-call and future messages: nothing to do in the page
    }
  }
  function reload(id) {
    try {
      if (id) sessionStorage.setItem(ACK_KEY, String(id));
    } catch (e) {
      /* storage disabled: the reload is not acknowledged */
    }
    location.reload();
  }
  function connect() {
    if (!token) return;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/__miniapp/ws?token=' + encodeURIComponent(token);
    var ws = new WebSocket(url);
    var opened = false;
    socket = ws;
    ws.onopen = function () {
      opened = true;
      retry = 0;
      var q = queue;
      queue = [];
      for (var i = 0; i < q.length; i++) ws.send(JSON.stringify(q[i]));
    };
    ws.onmessage = function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      onMessage(message);
    };
    ws.onclose = function () {
      if (socket !== ws) return;
      socket = null;
      // Backoff: 250 ms, doubling, at most 5 s; a restarted server is picked up within seconds.
      var delay = Math.min(5000, 250 * Math.pow(2, retry++));
      setTimeout(opened || !session ? connect : probe, delay);
    };
  }
  // Connected before, refused now: if the server answers HTTP it is a new process, whose token this page
  // does not have (a token is per process), so only a reload reconnects it.
  function probe() {
    fetch('/__miniapp/client.js', { method: 'HEAD', cache: 'no-store' }).then(
      function (res) {
        if (res.ok) reload(0);
        else connect();
      },
      function () {
        connect();
      },
    );
  }

  window.__miniappDevClient = { protocol: PROTOCOL, send: send, showOverlay: showOverlay, hideOverlay: hideOverlay };
  connect();
})();
