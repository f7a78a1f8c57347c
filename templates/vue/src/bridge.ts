/**
 * The host bridge: every call to the super-app goes through window.MiniAppBridge.call(method, params),
 * which returns a promise. Calls are typed from miniapp's bridge catalogue: a wrong method name or
 * params fail `npm run typecheck`. A method needs its permission declared in manifest.json ("storage",
 * "payment"...), or the host rejects it with PERMISSION_DENIED; `miniapp build` checks this for you.
 */
import type { BridgeError, BridgeMethodName, BridgeParams, BridgeResult, MiniAppBridge } from 'miniapp/bridge-types';

export type { BridgeError };

declare global {
  interface Window {
    MiniAppBridge?: MiniAppBridge;
  }
}

export function callBridge<M extends BridgeMethodName>(method: M, params: BridgeParams<M>): Promise<BridgeResult<M>> {
  const bridge = window.MiniAppBridge;
  if (!bridge) return Promise.reject(new Error('MiniAppBridge is not available: open the app in the host, `miniapp serve` or `miniapp run`'));
  return (bridge.call as (m: M, p: BridgeParams<M>) => Promise<BridgeResult<M>>)(method, params);
}
