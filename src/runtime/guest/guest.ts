import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserPage, IOptionalBrowserSettings } from 'happy-dom';
import { toolchainPath } from '../../core/toolchain.js';
import type { GuestEnd, GuestMessage } from '../channel.js';
import { guestConsole } from './console.js';
import { onHostMessage } from './host-messages.js';
import { fetchInterceptor } from './page-fetch.js';
import { preparePageRealm } from './page-realm.js';
import { hostRequests } from './requests.js';
import type { GuestInit, GuestState } from './state.js';

export type { GuestInit } from './state.js';

let provided: typeof import('happy-dom') | undefined;

/**
 * A bundle that already contains happy-dom (the sandbox's dist/sandbox/guest.js) hands it over here, so
 * the guest does not load and compile a second copy (~2.3 MB of code, ~50 ms of a sandbox's boot).
 */
export function provideHappyDom(module: typeof import('happy-dom')): void {
  provided = module;
}

/** The happy-dom a bundle provided; else the bundled copy made by scripts/build.mjs when present (it loads ~3x faster), else the package. */
async function loadHappyDom(): Promise<typeof import('happy-dom')> {
  if (provided) return provided;
  // Found through the toolchain root: this module also runs from src/ (tests) and inside the CLI bundle.
  const bundled = toolchainPath('dist', 'runtime', 'guest', 'vendor', 'happy-dom.js');
  if (existsSync(bundled)) return (await import(pathToFileURL(bundled).href)) as typeof import('happy-dom');
  return import('happy-dom');
}

/** The in-process view of a running guest (a worker-based guest exposes only the channel). */
export interface GuestHandle {
  readonly window: Window & typeof globalThis;
  readonly document: Document;
  close(): Promise<void>;
}

/**
 * Starts the guest side: a happy-dom page for the entry HTML, with MiniAppBridge installed (in the
 * page's realm) before any script runs. All contact with the host goes through `channel`.
 */
export async function startGuest(channel: GuestEnd, init: GuestInit, hooks: { onClosed?: () => void } = {}): Promise<GuestHandle> {
  const { Browser } = await loadHappyDom();
  const started = performance.now();
  const send = (m: GuestMessage) => {
    if (!channel.closed) channel.send(m);
  };
  const s: GuestState = { init, send, requests: hostRequests(send), inSyncXhr: false };
  const browser = new Browser({ console: guestConsole(send), settings: pageSettings(s) });
  const page = browser.newPage();
  const handle = guestHandle(s, browser, page, hooks);
  channel.onMessage((m) => onHostMessage(s, page, m, () => void handle.close()));
  send({ type: 'ready', url: launchUrl(init.origin) });
  await page.goto(launchUrl(init.origin));
  send({ type: 'loaded', durationMs: performance.now() - started });
  return handle;
}

/** The page's browser settings: scripts on, every request through the guest's interceptor, the realm prepared before content. */
function pageSettings(s: GuestState): IOptionalBrowserSettings {
  return {
    enableJavaScriptEvaluation: true,
    suppressInsecureJavaScriptEnvironmentWarning: true,
    disableCSSFileLoading: false,
    // Images load through the page's fetch, hence through the host's policy, as a WebView loads them.
    enableImageFileLoading: true,
    debug: { traceWaitUntilComplete: Number(process.env.MINIAPP_TRACE_IDLE ?? 0) },
    fetch: {
      // The host's allowlist is the policy; a WebView host does not apply CORS to allowlisted APIs.
      disableSameOriginPolicy: true,
      interceptor: fetchInterceptor(s),
    },
    navigation: { beforeContentCallback: (window) => preparePageRealm(window, s) },
  };
}

/** The running guest's handle: its page, and one close (safe to call twice) that fails what still waits and tells the host. */
function guestHandle(s: GuestState, browser: Browser, page: BrowserPage, hooks: { onClosed?: () => void }): GuestHandle {
  let closing: Promise<void> | undefined;
  return {
    get window() {
      return page.mainFrame.window as unknown as Window & typeof globalThis;
    },
    get document() {
      return page.mainFrame.document as unknown as Document;
    },
    close() {
      closing ??= (async () => {
        s.stopRejections?.();
        s.requests.cancelAll();
        await browser.close().catch(() => undefined);
        s.send({ type: 'closed' });
        hooks.onClosed?.();
      })();
      return closing;
    },
  };
}

/**
 * The one URL an app is launched at, under every isolation and in the dev server: the root of its
 * origin, which serves the manifest's entryPoint (as a host does). A path-routed app (React Router's
 * BrowserRouter, history.pushState) sees location.pathname "/" at start.
 */
export const launchUrl = (origin: string) => `${origin}/`;
