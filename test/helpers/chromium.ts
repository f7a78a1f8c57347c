import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it); the browser tests run where it is, and must where CI is set. */
export const CHROMIUM = '/usr/bin/chromium';
export const haveBrowser = existsSync(CHROMIUM);

/**
 * Chromium headless as these machines need it: no network of its own (background networking, component
 * updates, sync and QUIC off: this machine's closed network refuses them), run as root without its sandbox.
 */
export async function launchChromium(): Promise<Browser> {
  if (!haveBrowser) throw new Error(`CI is set but there is no browser at ${CHROMIUM}: .ci/run must install chromium`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}
