import { randomBytes } from 'node:crypto';
import { NEWEST_HOST_VERSION } from '../manifest/host-versions.js';
import { loadAppSource, type AppSource } from './app-source.js';
import { createInProcessChannel } from './channel.js';
import { startGuest, type GuestHandle } from './guest/guest.js';
import { createHost, type Host, type HostOptions } from './host/host.js';

export interface LaunchOptions extends Partial<Omit<HostOptions, 'manifest' | 'origin' | 'readAppFile' | 'onCloseRequest' | 'hostKey'>> {
  cwd?: string;
  /** 32 bytes; storage encryption and token signing keys derive from it. Default: random for this launch. */
  hostKey?: Uint8Array;
}

/** A mini-program running in the reference runtime: host and guest joined by one channel. */
export interface RunningApp {
  source: AppSource;
  host: Host;
  /** In-process only: the guest page. A sandboxed runtime offers the host's dom() helpers instead. */
  guest: GuestHandle;
  launchMs: number;
  /** Resolves when the app asked to close (navigation.close) or was closed. */
  closeRequested: Promise<void>;
  close(): Promise<void>;
}

/** The page origin of an app: its id under a reserved name, so apps never share localStorage or cookies. */
export const appOrigin = (appId: string) => `https://${appId}.miniapp.localhost`;

/** Loads an app (directory or project) and launches it; the guest has loaded its entry HTML when this resolves. */
export async function launchApp(target: string | AppSource, options: LaunchOptions = {}): Promise<RunningApp> {
  const t0 = performance.now();
  const source = typeof target === 'string' ? await loadAppSource(target, options.cwd ?? process.cwd()) : target;
  const { manifest } = source;
  const origin = appOrigin(manifest.id);
  const channel = createInProcessChannel();
  let requestClose: () => void = () => undefined;
  const closeRequested = new Promise<void>((resolve) => (requestClose = resolve));
  const host = createHost(channel.host, {
    ...options,
    manifest,
    hostVersion: options.hostVersion ?? NEWEST_HOST_VERSION,
    hostKey: options.hostKey ?? randomBytes(32),
    origin,
    readAppFile: async (path) => (Object.prototype.hasOwnProperty.call(source.files, path) ? source.files[path] : undefined),
    onCloseRequest: () => requestClose(),
  });
  const guest = await startGuest(channel.guest, {
    origin,
    entryPoint: manifest.entryPoint,
    files: source.files,
    hostVersion: options.hostVersion ?? NEWEST_HOST_VERSION,
    methods: host.availableMethods(),
  });
  host.lifecycle('launched');
  host.lifecycle('shown');
  let closing: Promise<void> | undefined;
  return {
    source,
    host,
    guest,
    launchMs: performance.now() - t0,
    closeRequested,
    close() {
      closing ??= (async () => {
        requestClose();
        if (!channel.host.closed) {
          host.lifecycle('hidden');
          host.lifecycle('unloaded');
          // Let the guest see the unload events before its page goes away.
          await new Promise((r) => setTimeout(r, 5));
        }
        await guest.close();
        channel.host.close();
        await host.close();
      })();
      return closing;
    },
  };
}
