/**
 * The entry a mini-program's sandbox process starts (bundled with happy-dom into dist/sandbox/guest.cjs
 * by scripts/build.mjs, so a sandbox loads one file instead of ~1000 modules). It boots the runtime's
 * guest environment (the happy-dom page, MiniAppBridge, the app's scripts) and speaks the runtime's
 * channel messages over the sandbox pipe. The host side (dispatcher, services, network policy, audit)
 * stays in the host process: this process holds no key, no storage and no network.
 */
import { messageEnd, type GuestEnd, type GuestMessage, type HostMessage } from '../channel.js';
import * as happyDom from 'happy-dom';
import { freezeRealmPrototypes, type SandboxAppMessage, type SandboxChannel, type SandboxLaunchMessage } from '../../sandbox/index.js';
import { provideHappyDom, startGuest } from './guest.js';

/**
 * Loads the DOM implementation, then waits for the app. A sandbox can thus be started ahead of need
 * (a warm spare, booting while the host verifies and extracts a package) and given its app later; it
 * needs no read access to the app's directory, because the host sends the files it extracted.
 */
export async function start(channel: SandboxChannel): Promise<void> {
  // This file is bundled with happy-dom (scripts/build.mjs): the guest uses that copy.
  provideHappyDom(happyDom);
  // Run the guest's start-up code paths once on a throwaway page (load the DOM, fetch and run an
  // external script through the same interceptor), so the app's page does not pay for first-use
  // initialisation. This happens while the host is still verifying and extracting the package.
  const dummy: GuestEnd = { send: () => undefined, onMessage: () => undefined, close: () => undefined, closed: false };
  const text = (s: string) => new TextEncoder().encode(s);
  const warm = await startGuest(dummy, {
    origin: 'https://warm-up.miniapp.localhost',
    entryPoint: 'index.html',
    hostVersion: '0.0.0',
    methods: [],
    files: { 'index.html': text('<!doctype html><title>warm</title><p>warm</p><script src="a.js"></script>'), 'a.js': text(`window.x = ${JSON.stringify('x'.repeat(4096))};`) },
  });
  await warm.close();
  // Nothing of the guest has run yet: from here this realm's prototypes cannot be changed (lockdown.ts).
  freezeRealmPrototypes();
  const end = messageEnd<GuestMessage, HostMessage>((message) => {
    // Same contract as the in-process channel: non-cloneable data throws DataCloneError here, in the
    // guest, before anything is sent (the wire itself is JSON lines).
    channel.send(structuredClone(message));
    if (message.type === 'call') channel.expectReply?.();
  });
  // The app arrives first (decoded here while nothing else happens), and starts on the host's 'launch'.
  let app: Parameters<typeof startGuest>[1] | undefined;
  let launched = false;
  channel.onMessage((data) => {
    const m = data as SandboxAppMessage | SandboxLaunchMessage | HostMessage;
    if (m.type === 'app') {
      if (app || launched) return;
      const files: Record<string, Uint8Array> = Object.create(null);
      for (const [name, b64] of Object.entries(m.files)) files[name] = Buffer.from(b64, 'base64');
      app = { origin: m.origin, entryPoint: m.entryPoint, hostVersion: m.hostVersion, methods: m.methods, files };
    } else if (m.type === 'launch') {
      if (!app || launched) return;
      launched = true;
      void startGuest(end, app).catch((err: Error) => end.send({ type: 'guest-error', kind: 'error', message: `the page could not start: ${err?.message ?? String(err)}` }));
    } else end.deliver(m);
  });
}
