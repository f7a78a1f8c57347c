/**
 * The host bridge: every call to the super-app goes through window.MiniAppBridge.call(method, params),
 * which returns a promise. A method needs its permission declared in manifest.json ("storage",
 * "payment"...), or the host rejects it with PERMISSION_DENIED; `miniapp build` checks this for you.
 */
export interface BridgeError extends Error {
  code?: string;
}

declare global {
  interface Window {
    MiniAppBridge?: { call(method: string, params?: unknown): Promise<unknown> };
  }
}

export function callBridge<T = unknown>(method: string, params?: unknown): Promise<T> {
  const bridge = window.MiniAppBridge;
  if (!bridge) return Promise.reject(new Error('MiniAppBridge is not available: open the app in the host, `miniapp serve` or `miniapp run`'));
  return bridge.call(method, params) as Promise<T>;
}
