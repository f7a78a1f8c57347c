/**
 * The first code that runs in a sandbox process (started by startSandbox with the permission model on,
 * code generation from strings off and an empty environment). It closes the network, answers the
 * host's heartbeats (a guest stuck in a loop stops answering, which is how the host detects it), and
 * hands the IPC channel to the entry module named by the host.
 */
import { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { loadCommonJsEntry, type SandboxEntryModule } from './entry-loader.js';
import { closeNetwork, trapConstructorChains } from './lockdown.js';
import type { HostToSandbox, SandboxChannel, SandboxToHost } from './protocol.js';
import { lineChannel } from './wire.js';

// The host's end of the channel is file descriptor 3, a pipe opened before this process started.
const pipe = new Socket({ fd: 3, readable: true, writable: true });
closeNetwork();

function memory() {
  const u = process.memoryUsage();
  return { rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers };
}

const listeners: Array<(data: unknown) => void> = [];
const pending: unknown[] = [];
let started = false;

const channel: SandboxChannel = {
  send: (data) => send({ type: 'message', data }),
  onMessage: (listener) => {
    listeners.push(listener);
    for (const data of pending.splice(0)) listener(data);
  },
};

// eslint-disable-next-line prefer-const
let send: (m: SandboxToHost) => void;
trapConstructorChains((what) => send({ type: 'escape', what }));

send = lineChannel(pipe, (raw) => {
  const m = raw as HostToSandbox;
  if (m.type === 'ping') {
    // Pending timers (happy-dom's page timers are Node timers): a flood of them is a limit too.
    const timers = process.getActiveResourcesInfo().reduce((n, r) => (r === 'Timeout' ? n + 1 : n), 0);
    send({ type: 'pong', seq: m.seq, memory: memory(), timers });
  } else if (m.type === 'message') {
    if (listeners.length) for (const l of listeners) l(m.data);
    else pending.push(m.data);
  } else if (m.type === 'init' && !started) {
    started = true;
    // A CommonJS bundle loads with the build's code cache; an ES module (tests, embedders) is imported.
    const loading: Promise<SandboxEntryModule> = m.entry.endsWith('.cjs')
      ? new Promise((resolve) => resolve(loadCommonJsEntry(m.entry).exports))
      : import(pathToFileURL(m.entry).href);
    loading
      .then(async (mod) => {
        await mod.start(channel, m.init);
        send({ type: 'ready', memory: memory() });
      })
      .catch((err: Error) => {
        send({ type: 'fatal', code: 'SANDBOX_START_FAILED', message: err?.message ?? String(err) });
        process.exitCode = 70;
        pipe.end();
        pipe.unref();
      });
  }
});
// The host went away: nothing is left to serve.
pipe.on('end', () => process.exit());
pipe.on('error', () => process.exit());
