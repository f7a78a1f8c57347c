import { ISO_4217_CODES } from './currencies.js';

/**
 * The bridge catalogue: every method a mini-program can call through `MiniAppBridge.call`, with the
 * permission it needs, the JSON Schema of its params and result, the error codes it can return and the
 * host version it appeared in. It is the one source of truth: the runtime's dispatcher, the browser
 * mock (src/bridge/mock), the TypeScript types (src/bridge/types.ts), docs/bridge.md and the manifest
 * schema's permission list are derived from it (test/bridge-sync.test.ts keeps them in step).
 *
 * Schemas use a small subset of JSON Schema (see SCHEMA_KEYWORDS) so the dependency-free browser mock
 * validates exactly as the host's ajv does, plus one keyword of ours: `maxDecimals`.
 */

export type JsonSchema = {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null' | Array<'string' | 'null'>;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: false;
  enum?: readonly (string | number)[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  pattern?: string;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  /** Ours: a number with at most this many decimal places (amounts in a currency's minor unit). */
  maxDecimals?: number;
};

/** The keywords catalogue schemas may use; the mock's validator implements exactly these. */
export const SCHEMA_KEYWORDS = [
  'type',
  'description',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'pattern',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'maxDecimals',
] as const;

export interface PermissionSpec {
  description: string;
  /** The host asks the user at the first use; a denial fails the call with USER_DENIED. */
  consent: boolean;
}

/** Every permission a manifest may declare (schema/manifest.schema.json's enum must equal these keys). */
export const PERMISSIONS = {
  auth: { description: 'Short-lived tokens that prove who the user is to the partner backend (the user agrees to share the scope).', consent: true },
  camera: { description: 'The camera, to scan codes.', consent: true },
  clipboard: { description: 'Read and write the clipboard.', consent: true },
  contacts: { description: 'Pick contacts from the address book.', consent: true },
  device: { description: 'Device model, platform, language and screen.', consent: false },
  geolocation: { description: 'The device location.', consent: true },
  network: { description: 'Connectivity status.', consent: false },
  payment: { description: 'Payments and refunds through the host wallet.', consent: false },
  share: { description: 'The host share sheet.', consent: false },
  storage: { description: 'Key-value storage kept by the host, per app, encrypted at rest.', consent: false },
} as const satisfies Record<string, PermissionSpec>;

export type Permission = keyof typeof PERMISSIONS;

/** Error codes every method can return, besides its own. */
export const COMMON_ERROR_CODES = {
  METHOD_NOT_FOUND: 'The method does not exist in this host version (exact, case-sensitive name).',
  PERMISSION_DENIED: 'The manifest does not declare the permission the method needs; nothing ran.',
  INVALID_PARAMS: 'The params do not match the method schema; `path` points at the failing field.',
  // Not the toolchain's INTERNAL_ERROR (src/core/errors): this one is the bridge's, what an app is told.
  INTERNAL_ERROR: 'The host failed while handling the call.',
} as const;

/** Method-specific error codes, with what they mean. */
export const METHOD_ERROR_CODES = {
  USER_DENIED: 'The user refused the consent the method needs.',
  PAYMENT_CANCELLED: 'The user closed the payment sheet without paying.',
  PAYMENT_FAILED: 'The payment was declined or failed; nothing was charged.',
  TRANSACTION_NOT_FOUND: 'No payment with this transactionId was made by this app.',
  REFUND_EXCEEDS_PAYMENT: 'The refund is larger than what is left of the payment.',
  QUOTA_EXCEEDED: "The write would take the app's storage over its quota; nothing was written.",
  LOCATION_UNAVAILABLE: 'The device cannot determine its location now.',
  APP_NOT_FOUND: 'No mini-program with this id is installed.',
  SHARE_CANCELLED: 'The user closed the share sheet.',
  SCAN_CANCELLED: 'The user closed the scanner without scanning.',
  CLIPBOARD_EMPTY: 'The clipboard holds no text.',
} as const;

export type CommonErrorCode = keyof typeof COMMON_ERROR_CODES;
export type MethodErrorCode = keyof typeof METHOD_ERROR_CODES;
export type BridgeErrorCode = CommonErrorCode | MethodErrorCode;

export interface MethodSpec {
  description: string;
  /** The permission the manifest must declare, or null for methods every app may call. */
  permission: Permission | null;
  params: JsonSchema;
  result: JsonSchema;
  /** Codes this method can fail with besides the common ones. */
  errors: readonly MethodErrorCode[];
  /** The first host version that has the method. */
  since: string;
}

const obj = (properties: Record<string, JsonSchema> = {}, required: string[] = []): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const str = (minLength: number, maxLength: number, description?: string): JsonSchema => ({ type: 'string', minLength, maxLength, ...(description ? { description } : {}) });
const EMPTY = obj();

const APP_ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$';
/** Storage keys are opaque strings; 512 UTF-16 units keeps a key list small. Values are strings, as in localStorage. */
const STORAGE_KEY = str(1, 512, 'Any string; keys are private to the app.');

export const AUTH_SCOPES = ['openid', 'profile', 'phone', 'email'] as const;

export const CATALOG = {
  'payment.pay': {
    description: 'Asks the user to pay through the host wallet.',
    permission: 'payment',
    params: obj(
      {
        amount: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000_000, maxDecimals: 2, description: 'Positive, at most 2 decimals.' },
        currency: { type: 'string', enum: ISO_4217_CODES, description: 'ISO 4217 code, e.g. "EUR".' },
        orderId: str(1, 64, "The partner's order reference."),
        description: str(0, 256),
      },
      ['amount', 'currency', 'orderId'],
    ),
    result: obj({ transactionId: str(1, 64), status: { type: 'string', enum: ['success'] } }, ['transactionId', 'status']),
    errors: ['PAYMENT_CANCELLED', 'PAYMENT_FAILED'],
    since: '1.0.0',
  },
  'payment.refund': {
    description: 'Refunds a payment this app made, in full or in part.',
    permission: 'payment',
    params: obj(
      {
        transactionId: str(1, 64),
        amount: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000_000, maxDecimals: 2, description: 'Defaults to what is left of the payment.' },
      },
      ['transactionId'],
    ),
    result: obj({ refundId: str(1, 64), amount: { type: 'number' } }, ['refundId', 'amount']),
    errors: ['TRANSACTION_NOT_FOUND', 'REFUND_EXCEEDS_PAYMENT', 'PAYMENT_FAILED'],
    since: '2.1.0',
  },
  'storage.set': {
    description: "Stores a string under a key in the app's private storage.",
    permission: 'storage',
    params: obj({ key: STORAGE_KEY, value: { type: 'string', description: 'Counts toward the quota (10 MB per app by default).' } }, ['key', 'value']),
    result: EMPTY,
    errors: ['QUOTA_EXCEEDED'],
    since: '1.0.0',
  },
  'storage.get': {
    description: 'Reads a key; `value` is null when the key is not set.',
    permission: 'storage',
    params: obj({ key: STORAGE_KEY }, ['key']),
    result: obj({ value: { type: ['string', 'null'] } }, ['value']),
    errors: [],
    since: '1.0.0',
  },
  'storage.remove': {
    description: 'Removes a key (no error when it is not set).',
    permission: 'storage',
    params: obj({ key: STORAGE_KEY }, ['key']),
    result: EMPTY,
    errors: [],
    since: '1.0.0',
  },
  'storage.clear': {
    description: "Removes every key of the app's storage.",
    permission: 'storage',
    params: EMPTY,
    result: EMPTY,
    errors: [],
    since: '1.0.0',
  },
  'storage.keys': {
    description: 'Lists the keys the app has stored.',
    permission: 'storage',
    params: EMPTY,
    result: obj({ keys: { type: 'array', items: { type: 'string' } } }, ['keys']),
    errors: [],
    since: '1.0.0',
  },
  'auth.getToken': {
    description: 'A host-signed token for the partner backend, bound to the app id and scope, valid 15 minutes.',
    permission: 'auth',
    params: obj({ scope: { type: 'string', enum: AUTH_SCOPES } }, ['scope']),
    result: obj({ token: { type: 'string' }, expiresAt: { type: 'integer', description: 'Milliseconds since the epoch.' }, scope: { type: 'string' } }, ['token', 'expiresAt', 'scope']),
    errors: ['USER_DENIED'],
    since: '1.0.0',
  },
  'location.get': {
    description: 'The device location.',
    permission: 'geolocation',
    params: obj({ accuracy: { type: 'string', enum: ['coarse', 'fine'] } }),
    result: obj({ latitude: { type: 'number' }, longitude: { type: 'number' }, accuracy: { type: 'number', description: 'Metres.' } }, ['latitude', 'longitude', 'accuracy']),
    errors: ['USER_DENIED', 'LOCATION_UNAVAILABLE'],
    since: '1.0.0',
  },
  'device.info': {
    description: 'Platform, model, language, screen size and host version.',
    permission: 'device',
    params: EMPTY,
    result: obj(
      {
        platform: { type: 'string', enum: ['android', 'ios', 'headless'] },
        model: { type: 'string' },
        language: { type: 'string' },
        screenWidth: { type: 'integer' },
        screenHeight: { type: 'integer' },
        hostVersion: { type: 'string' },
      },
      ['platform', 'model', 'language', 'screenWidth', 'screenHeight', 'hostVersion'],
    ),
    errors: [],
    since: '1.0.0',
  },
  'ui.toast': {
    description: 'Shows a short message over the app.',
    permission: null,
    params: obj({ message: str(1, 200), duration: { type: 'integer', minimum: 500, maximum: 10_000, description: 'Milliseconds.' } }, ['message']),
    result: EMPTY,
    errors: [],
    since: '1.0.0',
  },
  'ui.showModal': {
    description: 'Shows a modal dialog and resolves with the button the user chose.',
    permission: null,
    params: obj({ title: str(1, 64), content: str(0, 1000), confirmText: str(1, 16), cancelText: str(1, 16) }, ['title']),
    result: obj({ confirmed: { type: 'boolean' } }, ['confirmed']),
    errors: [],
    since: '1.0.0',
  },
  'ui.setTitle': {
    description: "Sets the title in the host's navigation bar.",
    permission: null,
    params: obj({ title: str(0, 64) }, ['title']),
    result: EMPTY,
    errors: [],
    since: '1.0.0',
  },
  'navigation.openMiniProgram': {
    description: 'Opens another mini-program, optionally at a path.',
    permission: null,
    params: obj({ appId: { type: 'string', maxLength: 128, pattern: APP_ID_PATTERN }, path: str(0, 1024) }, ['appId']),
    result: EMPTY,
    errors: ['APP_NOT_FOUND'],
    since: '2.0.0',
  },
  'navigation.close': {
    description: 'Closes the mini-program (the host unloads it).',
    permission: null,
    params: EMPTY,
    result: EMPTY,
    errors: [],
    since: '1.0.0',
  },
  'share.open': {
    description: 'Opens the host share sheet.',
    permission: 'share',
    params: obj({ title: str(1, 100), text: str(0, 1000), url: { type: 'string', maxLength: 2048, pattern: '^https://' } }, ['title']),
    result: obj({ shared: { type: 'boolean' } }, ['shared']),
    errors: ['SHARE_CANCELLED'],
    since: '2.0.0',
  },
  'clipboard.read': {
    description: 'Reads text from the clipboard.',
    permission: 'clipboard',
    params: EMPTY,
    result: obj({ text: { type: 'string' } }, ['text']),
    errors: ['USER_DENIED', 'CLIPBOARD_EMPTY'],
    since: '3.0.0',
  },
  'clipboard.write': {
    description: 'Writes text to the clipboard.',
    permission: 'clipboard',
    params: obj({ text: str(0, 10_000) }, ['text']),
    result: EMPTY,
    errors: ['USER_DENIED'],
    since: '3.0.0',
  },
  'camera.scanCode': {
    description: 'Opens the camera to scan a QR code or barcode.',
    permission: 'camera',
    params: obj({ formats: { type: 'array', minItems: 1, maxItems: 4, uniqueItems: true, items: { type: 'string', enum: ['qr', 'ean13', 'code128', 'datamatrix'] } } }),
    result: obj({ text: { type: 'string' }, format: { type: 'string' } }, ['text', 'format']),
    errors: ['USER_DENIED', 'SCAN_CANCELLED'],
    since: '3.2.0',
  },
  'network.status': {
    description: 'Whether the device is online and how.',
    permission: 'network',
    params: EMPTY,
    result: obj({ online: { type: 'boolean' }, type: { type: 'string', enum: ['wifi', 'cellular', 'none', 'unknown'] } }, ['online', 'type']),
    errors: [],
    since: '1.0.0',
  },
  'app.getLaunchInfo': {
    description: 'How the app was launched: its id and version, the path and query, the scene and the host version.',
    permission: null,
    params: EMPTY,
    result: obj(
      {
        appId: { type: 'string' },
        version: { type: 'string' },
        path: { type: 'string' },
        query: { type: 'object' },
        scene: { type: 'string' },
        hostVersion: { type: 'string' },
      },
      ['appId', 'version', 'path', 'query', 'scene', 'hostVersion'],
    ),
    errors: [],
    since: '1.0.0',
  },
  'contacts.pick': {
    description: 'Lets the user pick one or more contacts.',
    permission: 'contacts',
    params: obj({ multiple: { type: 'boolean' } }),
    result: obj({ contacts: { type: 'array', items: obj({ name: { type: 'string' }, phone: { type: 'string' } }, ['name']) } }, ['contacts']),
    errors: ['USER_DENIED'],
    since: '3.4.0',
  },
} as const satisfies Record<string, MethodSpec>;

export type MethodName = keyof typeof CATALOG;

/** Own-property lookup only: `constructor`, `__proto__` or `toString` are never methods. */
const METHODS: ReadonlyMap<string, MethodSpec> = new Map(Object.entries(CATALOG) as [string, MethodSpec][]);

export function getMethod(name: unknown): MethodSpec | undefined {
  return typeof name === 'string' ? METHODS.get(name) : undefined;
}

export const methodNames = (): MethodName[] => [...METHODS.keys()] as MethodName[];

export const permissionNames = (): Permission[] => Object.keys(PERMISSIONS).sort() as Permission[];

export function needsConsent(permission: string): boolean {
  return Object.prototype.hasOwnProperty.call(PERMISSIONS, permission) && PERMISSIONS[permission as Permission].consent;
}
