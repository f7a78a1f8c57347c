// STAND-IN browser mock bridge, served at /__miniapp/bridge-mock.js until the mock generated from the
// bridge catalogue (src/bridge, the runtime's) replaces this file. It implements the contract the
// simulator and the client script rely on (docs/dev-server-protocol.md, "The mock bridge module"):
//   createMockBridge({ manifest, hostVersion?, now? }) → { call, canIUse, setConsent, scriptOutcome,
//   advanceClock, clockOffset, methods }
// Only a few methods behave; the rest answer a plain success. Errors are {code, message, path?}.

const CONSENT = new Set(['camera', 'clipboard', 'contacts', 'geolocation']);
const TOKEN_TTL_MS = 15 * 60 * 1000;

function fail(code, message, path) {
  const e = new Error(message);
  e.code = code;
  if (path) e.path = path;
  return e;
}

function amountError(params) {
  if (typeof params.amount !== 'number' || !(params.amount > 0)) return fail('INVALID_PARAMS', 'amount must be a positive number', '/amount');
  if (Math.round(params.amount * 100) / 100 !== params.amount) return fail('INVALID_PARAMS', 'amount has more than 2 decimals', '/amount');
  if (typeof params.currency !== 'string' || !/^[A-Z]{3}$/.test(params.currency)) return fail('INVALID_PARAMS', 'currency must be an ISO 4217 code', '/currency');
  return undefined;
}

export function createMockBridge(options = {}) {
  const manifest = options.manifest || { id: 'unknown.app', permissions: [] };
  const permissions = new Set(manifest.permissions || []);
  const consent = new Map();
  const outcomes = new Map();
  const storage = new Map();
  const payments = new Map();
  let clockOffset = 0;
  let txSeq = 0;
  const now = () => (options.now ? options.now() : Date.now()) + clockOffset;

  const methods = {
    'payment.pay': { permission: 'payment', run(p) {
      const bad = amountError(p);
      if (bad) throw bad;
      const outcome = outcomes.get('payment.pay') || 'success';
      if (outcome === 'cancel') throw fail('PAYMENT_CANCELLED', 'The user closed the payment sheet without paying.');
      if (outcome === 'failure') throw fail('PAYMENT_FAILED', 'The payment was declined.');
      const transactionId = `tx_${now().toString(36)}_${++txSeq}`;
      payments.set(transactionId, p.amount);
      return { transactionId, status: 'success' };
    } },
    'payment.refund': { permission: 'payment', run(p) {
      if (!payments.has(p.transactionId)) throw fail('TRANSACTION_NOT_FOUND', 'No payment with this transactionId.');
      return { refundId: `rf_${++txSeq}` };
    } },
    'storage.set': { permission: 'storage', run(p) {
      if (typeof p.key !== 'string' || typeof p.value !== 'string') throw fail('INVALID_PARAMS', 'key and value must be strings', typeof p.key !== 'string' ? '/key' : '/value');
      storage.set(p.key, p.value);
      return {};
    } },
    'storage.get': { permission: 'storage', run: (p) => ({ value: storage.has(p.key) ? storage.get(p.key) : null }) },
    'storage.remove': { permission: 'storage', run: (p) => (storage.delete(p.key), {}) },
    'storage.clear': { permission: 'storage', run: () => (storage.clear(), {}) },
    'storage.keys': { permission: 'storage', run: () => ({ keys: [...storage.keys()] }) },
    'auth.getToken': { permission: 'auth', run(p) {
      const scope = p.scope || 'openid';
      const issuedAt = now();
      return { token: `mock.${manifest.id}.${scope}.${issuedAt}`, expiresAt: new Date(issuedAt + TOKEN_TTL_MS).toISOString() };
    } },
    'location.get': { permission: 'geolocation', run: () => ({ latitude: 1.3521, longitude: 103.8198, accuracy: 20 }) },
    'device.info': { permission: 'device', run: () => ({ platform: 'web', model: 'simulator', language: navigator.language, screen: { width: innerWidth, height: innerHeight } }) },
    'network.status': { permission: 'network', run: () => ({ online: navigator.onLine, type: 'wifi' }) },
    'ui.toast': { permission: null, run: () => ({}) },
    'ui.showModal': { permission: null, run: () => ({ confirmed: true }) },
    'ui.setTitle': { permission: null, run: (p) => ((document.title = String(p.title || '')), {}) },
    'navigation.openMiniProgram': { permission: null, run: () => { throw fail('APP_NOT_FOUND', 'No mini-program with this id is installed.'); } },
    'navigation.close': { permission: null, run: () => ({}) },
    'share.open': { permission: 'share', run: () => ({ shared: true }) },
    'clipboard.read': { permission: 'clipboard', run: () => ({ text: '' }) },
    'clipboard.write': { permission: 'clipboard', run: () => ({}) },
    'camera.scanCode': { permission: 'camera', run: () => ({ text: 'mock-code' }) },
    'app.getLaunchInfo': { permission: null, run: () => ({ query: {}, scene: 'dev' }) },
  };

  return {
    methods: Object.keys(methods),
    canIUse: (method) => Object.prototype.hasOwnProperty.call(methods, method),
    async call(method, params) {
      if (typeof method !== 'string' || !Object.prototype.hasOwnProperty.call(methods, method)) throw fail('METHOD_NOT_FOUND', `No bridge method ${JSON.stringify(String(method))}.`);
      const spec = methods[method];
      if (spec.permission && !permissions.has(spec.permission)) throw fail('PERMISSION_DENIED', `${method} needs the "${spec.permission}" permission in manifest.json.`);
      if (spec.permission && CONSENT.has(spec.permission) && consent.get(spec.permission) === false) throw fail('USER_DENIED', `The user refused ${spec.permission}.`);
      let copy;
      try {
        copy = params === undefined ? {} : structuredClone(params);
      } catch (e) {
        throw fail('INVALID_PARAMS', 'params must be plain data (no functions or symbols)');
      }
      if (copy === null || typeof copy !== 'object' || Array.isArray(copy)) throw fail('INVALID_PARAMS', 'params must be an object', '');
      return spec.run(copy);
    },
    /** Consent answers for permissions that ask the user (granted by default). */
    setConsent(permission, granted) {
      consent.set(permission, !!granted);
    },
    /** The next outcomes of a scriptable method: "success" (default), "cancel" or "failure". */
    scriptOutcome(method, outcome) {
      outcomes.set(method, outcome);
    },
    /** Moves the host clock forward (tokens expire 15 minutes after they are issued). */
    advanceClock(ms) {
      clockOffset += ms;
      return clockOffset;
    },
    clockOffset: () => clockOffset,
  };
}
