import { randomBytes } from 'node:crypto';
import { createInProcessChannel, type WireError } from '../../src/runtime/channel.js';
import { createHost, type HostOptions } from '../../src/runtime/host/host.js';
import type { Manifest } from '../../src/manifest/types.js';

export const manifestFor = (over: Partial<Manifest> = {}): Manifest => ({
  id: 'com.example.test',
  version: '1.0.0',
  minHostVersion: '1.0.0',
  entryPoint: 'index.html',
  permissions: [],
  allowedDomains: [],
  ...over,
});

export type CallOutcome = { ok: true; value: any } | { ok: false; error: WireError };

/**
 * A host with no DOM: the test plays the guest and sends `call` messages down the real channel, so
 * the message path, cloning, dispatcher and services are the ones `miniapp run` uses.
 */
export function hostHarness(options: Partial<Omit<HostOptions, 'manifest'>> & { manifest?: Partial<Manifest> } = {}) {
  const channel = createInProcessChannel();
  const host = createHost(channel.host, {
    hostVersion: '3.4.0',
    hostKey: randomBytes(32),
    origin: 'https://com.example.test.miniapp.localhost',
    ...options,
    manifest: manifestFor(options.manifest),
  });
  let nextId = 1;
  const waiting = new Map<number, (o: CallOutcome) => void>();
  channel.guest.onMessage((m) => {
    if (m.type === 'result') {
      waiting.get(m.id)?.(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
      waiting.delete(m.id);
    }
  });
  const call = (method: unknown, params?: unknown) =>
    new Promise<CallOutcome>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      channel.guest.send({ type: 'call', id, method: method as string, params });
    });
  return { host, call, channel, close: () => host.close() };
}
