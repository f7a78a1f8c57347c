/**
 * The entry a mini-program's sandbox process starts (bundled with happy-dom into dist/sandbox/guest.js
 * by scripts/build.mjs, so a sandbox loads one file instead of ~1000 modules). It boots the runtime's
 * guest environment (the happy-dom page, MiniAppBridge, the app's scripts) and speaks the runtime's
 * channel messages over the sandbox pipe. The host side (dispatcher, services, network policy, audit)
 * stays in the host process: this process holds no key, no storage and no network.
 */
import { promises as fs } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { GuestEnd, GuestMessage, HostMessage } from '../runtime/channel.js';
import { startGuest } from '../runtime/guest/guest.js';
import type { SandboxChannel } from './protocol.js';

export interface SandboxGuestInit {
  /** The extracted package directory (the sandbox may read it, nothing else of the host's files). */
  dir: string;
  origin: string;
  entryPoint: string;
  hostVersion: string;
  methods: string[];
}

async function readTree(dir: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = Object.create(null);
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue; // extraction wrote regular files only; anything else is ignored
    const full = join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    files[relative(dir, full).split(sep).join('/')] = await fs.readFile(full);
  }
  return files;
}

export async function start(channel: SandboxChannel, init: SandboxGuestInit): Promise<void> {
  let closed = false;
  let listener: ((m: HostMessage) => void) | undefined;
  const end: GuestEnd = {
    send(message: GuestMessage) {
      if (closed) return;
      // Same contract as the in-process channel: non-cloneable data throws DataCloneError here, in the
      // guest, before anything is sent (the wire itself is JSON lines).
      channel.send(structuredClone(message));
    },
    onMessage(l) {
      listener = l;
    },
    close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
  channel.onMessage((data) => listener?.(data as HostMessage));
  const files = await readTree(init.dir);
  await startGuest(end, { origin: init.origin, entryPoint: init.entryPoint, hostVersion: init.hostVersion, methods: init.methods, files });
}
