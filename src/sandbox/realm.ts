// The realm's own lockdown, apart from the network's (lockdown.ts): the host imports this module through
// the folder's index, and must not pay for loading Node's whole network stack to start a sandbox.

/**
 * Freezes the prototypes of this process's own realm that page objects' prototype chains reach. A
 * happy-dom page's objects (document, elements, events) are built by the sandbox's realm, so guest code
 * can walk from them to this realm's Object.prototype; a getter planted there (for example
 * `noDeprecation`) would be called by Node itself with `this === process`. Frozen, nothing can be
 * planted. Called after the runtime has loaded and warmed up, before any guest code runs.
 */
export function freezeRealmPrototypes(): void {
  const globals = globalThis as unknown as Record<string, { prototype?: object } | undefined>;
  const names = [
    'Object',
    'Function',
    'Array',
    'String',
    'Number',
    'Boolean',
    'Symbol',
    'BigInt',
    'Error',
    'TypeError',
    'RangeError',
    'SyntaxError',
    'ReferenceError',
    'EvalError',
    'URIError',
    'Promise',
    'RegExp',
    'Date',
    'Map',
    'Set',
    'WeakMap',
    'WeakSet',
    'ArrayBuffer',
    'SharedArrayBuffer',
    'DataView',
    'EventTarget',
    'Event',
    'URL',
    'URLSearchParams',
    'TextEncoder',
    'TextDecoder',
  ];
  for (const name of names) {
    const proto = globals[name]?.prototype;
    if (proto) freezeOverridable(proto, name === 'Object' || name.endsWith('Error') ? '*' : OVERRIDABLE);
  }
  // The prototypes no global names: typed arrays' shared parent, iterators, generators, async functions.
  const hidden = [
    Object.getPrototypeOf(Uint8Array.prototype),
    Object.getPrototypeOf([][Symbol.iterator]()),
    Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())),
    Object.getPrototypeOf(function* () {}).prototype,
    Object.getPrototypeOf(async function () {}),
    Object.getPrototypeOf(function* () {}),
  ];
  for (const proto of hidden) if (proto) freezeOverridable(proto, OVERRIDABLE);
}

/** Properties code commonly assigns on instances (error.name, obj.toString = ...): they stay overridable. */
const OVERRIDABLE = ['constructor', 'name', 'message', 'toString', 'valueOf', 'toJSON', 'then', 'push'];

/**
 * Object.freeze with the "override mistake" tamed, as SES does: on a frozen prototype, `instance.name = x`
 * throws in strict code (the inherited property is read-only), which breaks ordinary libraries (happy-dom
 * sets `error.name`). Each listed writable data property becomes an accessor whose setter defines the
 * property on the instance instead; the prototype itself still cannot be changed.
 */
function freezeOverridable(proto: object, keys: '*' | string[]): void {
  for (const key of keys === '*' ? Reflect.ownKeys(proto) : keys) {
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    if (!desc || !('value' in desc) || !desc.writable || !desc.configurable) continue;
    const value: unknown = desc.value;
    Object.defineProperty(proto, key, {
      get() {
        return value;
      },
      set(this: object, next: unknown) {
        if (this === proto) throw new TypeError(`Cannot assign to read only property '${String(key)}' of a frozen prototype`);
        Object.defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
      },
      enumerable: desc.enumerable,
      configurable: false,
    });
  }
  Object.freeze(proto);
}
