import type { MethodName } from '../../../bridge/catalog.js';
import type { CallContext, Handler } from '../dispatcher.js';
import { PARAMS_PREVIEW_BYTES, preview } from '../bounded.js';
import { BridgeFailure } from '../failure.js';
import type { PaymentService } from './payments.js';
import type { AppStorage } from './storage.js';
import { issueToken, type Clock } from './tokens.js';

/** Something the app asked the host's UI to do (toast, modal, title, share, close...), kept for reports and tests. */
export interface UiEffect {
  method: string;
  params: Record<string, unknown>;
}

export interface ServiceState {
  appId: string;
  version: string;
  hostVersion: string;
  launchPath: string;
  launchQuery: Record<string, string>;
  storage: AppStorage;
  payments: PaymentService;
  tokenKey: Uint8Array;
  clock: Clock;
  /** Other installed mini-programs navigation.openMiniProgram may open. */
  installedApps: ReadonlySet<string>;
  clipboard: { text: string };
  location: { latitude: number; longitude: number; accuracy: number } | null;
  /** Where effects go (a bounded list: the host keeps the first ones and counts the rest). */
  ui: { push(effect: UiEffect): unknown };
  onClose: () => void;
}

type P = Record<string, unknown>;

/** The host's default answer for every catalogue method (a test's `respond` or a replay can override any of them). */
export function createHandlers(state: ServiceState): Record<MethodName, Handler> {
  const effect = (params: P, ctx: CallContext) => {
    state.ui.push({ method: ctx.method, params: preview(params, PARAMS_PREVIEW_BYTES).value as Record<string, unknown> });
    return {};
  };
  return {
    'payment.pay': (p) => state.payments.pay(p as { amount: number; currency: string; orderId: string }),
    'payment.refund': (p) => state.payments.refund(p as { transactionId: string; amount?: number }),
    'storage.set': (p) => {
      state.storage.set(p.key as string, p.value as string);
      return {};
    },
    'storage.get': (p) => ({ value: state.storage.get(p.key as string) }),
    'storage.remove': (p) => {
      state.storage.remove(p.key as string);
      return {};
    },
    'storage.clear': () => {
      state.storage.clear();
      return {};
    },
    'storage.keys': () => ({ keys: state.storage.keys() }),
    'auth.getToken': (p) => {
      const { token, claims } = issueToken(state.tokenKey, state.appId, p.scope as string, state.clock);
      return { token, expiresAt: claims.exp, scope: claims.scope };
    },
    'location.get': (p) => {
      if (!state.location) throw new BridgeFailure('LOCATION_UNAVAILABLE', 'the device cannot determine its location');
      return { ...state.location, accuracy: p.accuracy === 'coarse' ? Math.max(state.location.accuracy, 1000) : state.location.accuracy };
    },
    'device.info': () => ({ platform: 'headless', model: 'miniapp-runtime', language: 'en-US', screenWidth: 390, screenHeight: 844, hostVersion: state.hostVersion }),
    'ui.toast': effect,
    'ui.showModal': (p, ctx) => {
      effect(p, ctx);
      return { confirmed: true };
    },
    'ui.setTitle': effect,
    'navigation.openMiniProgram': (p, ctx) => {
      if (!state.installedApps.has(p.appId as string)) throw new BridgeFailure('APP_NOT_FOUND', `no mini-program ${JSON.stringify(p.appId)} is installed`);
      return effect(p, ctx);
    },
    'navigation.close': (p, ctx) => {
      effect(p, ctx);
      // The host unloads the app after answering, as a real host closes the page after the call returns.
      setImmediate(state.onClose);
      return {};
    },
    'share.open': (p, ctx) => {
      effect(p, ctx);
      return { shared: true };
    },
    'clipboard.read': () => {
      if (state.clipboard.text === '') throw new BridgeFailure('CLIPBOARD_EMPTY', 'the clipboard holds no text');
      return { text: state.clipboard.text };
    },
    'clipboard.write': (p) => {
      state.clipboard.text = p.text as string;
      return {};
    },
    'camera.scanCode': (p) => ({ text: 'https://example.com/scanned', format: Array.isArray(p.formats) ? (p.formats[0] as string) : 'qr' }),
    'network.status': () => ({ online: true, type: 'wifi' }),
    'app.getLaunchInfo': () => ({
      appId: state.appId,
      version: state.version,
      path: state.launchPath,
      query: state.launchQuery,
      scene: 'headless',
      hostVersion: state.hostVersion,
    }),
    'contacts.pick': (p) => ({ contacts: p.multiple ? [{ name: 'Ada Lovelace', phone: '+441234567890' }, { name: 'Alan Turing' }] : [{ name: 'Ada Lovelace', phone: '+441234567890' }] }),
  };
}
