// The browser face of the bridge catalogue (miniapp/bridge-mock): a MiniAppBridge for pages opened in a
// plain browser (the dev server) or in unit tests. Plain JavaScript, no Node APIs. It applies the same
// rules as the headless host, in the same order, from the same catalogue data (catalog-data.js is
// generated from src/bridge/catalog.ts; test/bridge-sync.test.ts checks both agree call by call).
import { CATALOG } from './catalog-data.js';
import { compareHostVersions as compareVersions, MAX_PARAMS_BYTES } from './rules.js';

export { MAX_PARAMS_BYTES };

const own = (obj, key) => Object.prototype.hasOwnProperty.call(obj, key);

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(expected, value) {
  const actual = typeOf(value);
  if (expected === 'number') return actual === 'number' || actual === 'integer';
  return actual === expected;
}

function hasAtMostDecimals(value, places) {
  const scaled = value * Math.pow(10, places);
  return Number.isFinite(value) && Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, Math.abs(scaled));
}

/** Validates `value` against a catalogue schema (the subset the catalogue uses); returns the first problem. */
export function validate(schema, value, path) {
  path = path || '';
  const fail = (message, at) => ({ path: at === undefined ? path : at, message: `${(at === undefined ? path : at) || 'params'} ${message}` });
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) return fail(`must be ${types.join(',')}`);
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) return fail('must be equal to one of the allowed values');
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) return fail(`must NOT have more than ${schema.maxLength} characters`);
    if (schema.minLength !== undefined && [...value].length < schema.minLength) return fail(`must NOT have fewer than ${schema.minLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return fail(`must match pattern "${schema.pattern}"`);
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined && value > schema.maximum) return fail(`must be <= ${schema.maximum}`);
    if (schema.minimum !== undefined && value < schema.minimum) return fail(`must be >= ${schema.minimum}`);
    if (schema.exclusiveMinimum !== undefined && value <= schema.exclusiveMinimum) return fail(`must be > ${schema.exclusiveMinimum}`);
    if (schema.maxDecimals !== undefined && !hasAtMostDecimals(value, schema.maxDecimals)) return fail(`must have at most ${schema.maxDecimals} decimal places`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return fail(`must NOT have more than ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems) return fail(`must NOT have fewer than ${schema.minItems} items`);
    if (schema.items) {
      for (let i = 0; i < value.length; i++) {
        const problem = validate(schema.items, value[i], `${path}/${i}`);
        if (problem) return problem;
      }
    }
    if (schema.uniqueItems) {
      const seen = value.map((v) => JSON.stringify(v));
      if (new Set(seen).size !== seen.length) return fail('must NOT have duplicate items');
    }
  }
  if (typeOf(value) === 'object') {
    for (const key of schema.required || []) if (!own(value, key)) return fail("must have required property '" + key + "'", `${path}/${key}`);
    if (schema.additionalProperties === false) {
      for (const key of Object.keys(value)) if (!own(schema.properties || {}, key)) return fail('must NOT have additional properties', `${path}/${key}`);
    }
    for (const [key, sub] of Object.entries(schema.properties || {})) {
      if (own(value, key)) {
        const problem = validate(sub, value[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

/** A made-up result that matches a result schema (the mock's answer when nothing else is scripted). */
export function sampleOf(schema) {
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 'mock';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return [];
    case 'object': {
      const out = {};
      for (const [k, v] of Object.entries(schema.properties || {})) if ((schema.required || []).includes(k)) out[k] = sampleOf(v);
      return out;
    }
    default:
      return null;
  }
}

function bridgeError(code, message, path) {
  const error = new Error(message);
  error.name = 'MiniAppBridgeError';
  error.code = code;
  if (path !== undefined) error.path = path;
  return error;
}

const NEWEST = Object.values(CATALOG.methods)
  .map((m) => m.since)
  .sort(compareVersions)
  .pop();

/**
 * Creates a mock bridge.
 * options: { permissions: string[] (the manifest's), hostVersion, deny: string[] (consent refused),
 *            responses: { [method]: (params) => result | Promise<result> } (throw {code, message} to fail) }
 */
export function createMockBridge(options) {
  options = options || {};
  const declared = new Set(options.permissions || []);
  const denied = new Set(options.deny || []);
  const hostVersion = options.hostVersion || NEWEST;
  const responses = new Map(Object.entries(options.responses || {}));
  const storage = new Map();
  const calls = [];

  const available = (method) => typeof method === 'string' && own(CATALOG.methods, method) && compareVersions(CATALOG.methods[method].since, hostVersion) <= 0;

  const defaults = {
    'storage.set': (p) => {
      storage.set(p.key, p.value);
      return {};
    },
    'storage.get': (p) => ({ value: storage.has(p.key) ? storage.get(p.key) : null }),
    'storage.remove': (p) => {
      storage.delete(p.key);
      return {};
    },
    'storage.clear': () => {
      storage.clear();
      return {};
    },
    'storage.keys': () => ({ keys: [...storage.keys()] }),
    'payment.pay': () => ({ transactionId: 'txn_mock_' + (calls.length + 1), status: 'success' }),
    'auth.getToken': (p) => ({ token: 'mock.' + p.scope + '.token', expiresAt: Date.now() + 15 * 60 * 1000, scope: p.scope }),
    'device.info': () => ({ platform: 'headless', model: 'browser-mock', language: 'en-US', screenWidth: 390, screenHeight: 844, hostVersion }),
  };

  async function answer(method, params) {
    if (!available(method)) throw bridgeError('METHOD_NOT_FOUND', `unknown bridge method ${JSON.stringify(String(method))}`);
    const spec = CATALOG.methods[method];
    if (spec.permission && !declared.has(spec.permission)) throw bridgeError('PERMISSION_DENIED', `${method} needs the "${spec.permission}" permission, which the manifest does not declare`);
    let copy;
    try {
      copy = structuredClone(params === undefined ? {} : params);
    } catch (e) {
      throw bridgeError('INVALID_PARAMS', 'params cannot be copied to the host: ' + (e && e.message), '');
    }
    const size = JSON.stringify(copy).length;
    if (size > MAX_PARAMS_BYTES) throw bridgeError('INVALID_PARAMS', `params are ${size} bytes as JSON, over the ${MAX_PARAMS_BYTES}-byte limit`, '');
    const problem = validate(spec.params, copy, '');
    if (problem) throw bridgeError('INVALID_PARAMS', problem.message, problem.path);
    if (spec.permission && CATALOG.permissions[spec.permission].consent && denied.has(spec.permission)) throw bridgeError('USER_DENIED', `the user denied the "${spec.permission}" permission`);
    const handler = responses.get(method) || defaults[method] || (() => sampleOf(spec.result));
    try {
      const value = await handler(copy);
      return value === undefined ? {} : value;
    } catch (e) {
      const code = e && typeof e.code === 'string' ? e.code : undefined;
      if (code && (spec.errors.includes(code) || CATALOG.commonErrors.includes(code))) throw bridgeError(code, String(e.message || code), e.path);
      throw bridgeError('INTERNAL_ERROR', `${method} failed: ${code || (e && e.message) || e}`);
    }
  }

  return {
    hostVersion,
    calls,
    call(method, params) {
      const record = { method: String(method), params };
      calls.push(record);
      const p = answer(method, params);
      p.then(
        (result) => {
          record.ok = true;
          record.result = result;
        },
        (error) => {
          record.ok = false;
          record.error = { code: error.code, message: error.message };
        },
      );
      return p;
    },
    canIUse: (method) => available(method),
    respond(method, handler) {
      if (handler) responses.set(method, handler);
      else responses.delete(method);
    },
    get lifecycleState() {
      return 'shown';
    },
  };
}

/** Installs a mock bridge as `target.MiniAppBridge` (default: globalThis) and returns it. */
export function installMockBridge(options, target) {
  const bridge = createMockBridge(options);
  Object.defineProperty(target || globalThis, 'MiniAppBridge', { value: bridge, configurable: true, enumerable: true, writable: false });
  return bridge;
}
