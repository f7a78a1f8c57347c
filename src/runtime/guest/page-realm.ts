import vm from 'node:vm';
import type { BrowserWindow } from 'happy-dom';
import type { WireError } from '../channel.js';
import { toJsonParams } from '../json-value.js';
import { BOOTSTRAP_SOURCE } from './bootstrap.js';
import { describe } from './console.js';
import { wrapFetch } from './page-fetch.js';
import { watchRejections } from './rejections.js';
import type { Bootstrap, GuestState } from './state.js';

/**
 * The page's realm, made ready before any of its scripts runs: no host-realm function left on its
 * window, MiniAppBridge's bootstrap wired to the host, fetch and XHR wrapped, and its uncaught errors
 * and unhandled rejections reported to the host.
 */
export function preparePageRealm(window: BrowserWindow, s: GuestState): void {
  // happy-dom puts Node's Buffer on the window: a host-realm function no WebView has.
  for (const name of ['Buffer', 'global', 'GLOBAL']) delete (window as unknown as Record<string, unknown>)[name];
  const factory = vm.runInContext(BOOTSTRAP_SOURCE, window as unknown as vm.Context) as (port: unknown, init: string) => Bootstrap;
  s.bootstrap = factory(bridgePort(s), JSON.stringify({ methods: s.init.methods, hostVersion: s.init.hostVersion }));
  wrapFetch(
    window as unknown as vm.Context,
    (url, api) => s.requests.refuse(url, api),
    (running) => (s.inSyncXhr = running === true),
  );
  window.addEventListener('error', (event: unknown) => {
    const e = event as ErrorEvent;
    const d = e.error !== undefined ? describe(e.error) : { message: String(e.message) };
    s.send({ type: 'guest-error', kind: 'error', ...d });
  });
  s.stopRejections = watchRejections((window as unknown as { Promise: unknown }).Promise, (reason) => s.send({ type: 'guest-error', kind: 'unhandledrejection', ...describe(reason) }));
}

/** What the bootstrap in the page calls to reach the host: a bridge call, or a WebSocket to ask the policy about. */
function bridgePort(s: GuestState) {
  return {
    call(id: number, method: string | null, params: unknown): string | undefined {
      // One contract under every isolation: params are JSON (src/runtime/json-value.ts), checked
      // here before they leave the page and again by the host.
      const plain = toJsonParams(params === undefined ? {} : params);
      if (!plain.ok) return JSON.stringify({ code: 'INVALID_PARAMS', message: plain.message, path: plain.path } satisfies WireError);
      try {
        s.send({ type: 'call', id, method: method as string, params: plain.value });
        return undefined;
      } catch (err) {
        return JSON.stringify({ code: 'INVALID_PARAMS', message: `params cannot be copied to the host: ${(err as Error).message}`, path: '' } satisfies WireError);
      }
    },
    network(id: number, url: string) {
      s.requests.websocket(url, (m) => {
        const error: WireError = m.ok ? { code: 'NETWORK_ERROR', message: 'closed' } : m.error;
        s.bootstrap?.deliver(JSON.stringify({ type: 'socket', id, error }));
      });
    },
  };
}
