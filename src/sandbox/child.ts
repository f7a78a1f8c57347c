/**
 * The first code that runs in a sandbox process (started by startSandbox with the permission model on,
 * code generation from strings off and an empty environment). It closes the network, answers the
 * host's heartbeats (a guest stuck in a loop stops answering, which is how the host detects it), and
 * hands the IPC channel to the entry module named by the host.
 */
import { readSync } from 'node:fs';
import { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { loadCommonJsEntry, type SandboxEntryModule } from './entry-loader.js';
import { closeNetwork, trapConstructorChains } from './lockdown.js';
import type { HostToSandbox, SandboxChannel, SandboxToHost } from './protocol.js';
import { lineReader, lineSender } from './wire.js';

// The host's end of the channel is file descriptor 3, a pipe opened before this process started.
const PIPE_FD = 3;
const pipe = new Socket({ fd: PIPE_FD, readable: true, writable: true });
closeNetwork();
// The OS jail starts the process with an empty environment but for the PWD bwrap sets: drop it too.
for (const name of Object.keys(process.env)) delete process.env[name];

function memory() {
  const u = process.memoryUsage();
  return { rss: u.rss, heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers };
}

const listeners: Array<(data: unknown) => void> = [];
const pending: unknown[] = [];
let started = false;

const send: (m: SandboxToHost) => void = lineSender(pipe);
trapConstructorChains((what) => send({ type: 'escape', what }));

const feed = lineReader((raw) => {
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
    const loading: Promise<SandboxEntryModule> = m.entry.endsWith('.cjs') ? new Promise((resolve) => resolve(loadCommonJsEntry(m.entry).exports)) : import(pathToFileURL(m.entry).href);
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
pipe.on('data', feed);

/**
 * Waiting for the answer to a bridge call. The host answers most calls within tens of microseconds, but
 * a process that sleeps until the answer arrives must then be woken, and waking a process on another
 * CPU costs ~45 us on these virtual machines, twice per round trip (measured: 35 us per round trip with
 * host and sandbox on one CPU, 125-180 us on two). So after the guest sends a call, once its own code
 * and microtasks have run (setImmediate), the sandbox reads the pipe itself for up to REPLY_WAIT_US
 * before going back to sleep in the event loop: one wake-up less per round trip. The bytes go to the
 * same line reader, in order (the stream has delivered everything it read before this runs). When a
 * wait ends without an answer (a slow call: consent, network, a busy host), the next few calls do not
 * wait, so a slow app does not turn waiting into wasted CPU. On a single CPU it never waits: the host
 * could not run meanwhile.
 */
const REPLY_WAIT_US = 250n;
const SKIP_AFTER_MISS = 8;
const canWait = availableParallelism() > 1;
let waitScheduled = false;
let skip = 0;
const scratch = Buffer.allocUnsafe(64 * 1024);

function waitForReply(): void {
  waitScheduled = false;
  const deadline = process.hrtime.bigint() + REPLY_WAIT_US * 1000n;
  for (;;) {
    let n: number;
    try {
      n = readSync(PIPE_FD, scratch, 0, scratch.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return; // the stream reports real errors
      n = -1;
    }
    if (n === 0) return; // end of stream: the stream sees it too
    if (n > 0) return feed(scratch.subarray(0, n));
    if (process.hrtime.bigint() > deadline) {
      skip = SKIP_AFTER_MISS;
      return;
    }
  }
}

const channel: SandboxChannel = {
  send: (data) => send({ type: 'message', data }),
  onMessage: (listener) => {
    listeners.push(listener);
    for (const data of pending.splice(0)) listener(data);
  },
  expectReply: () => {
    if (waitScheduled || !canWait) return;
    if (skip > 0) {
      skip--;
      return;
    }
    waitScheduled = true;
    setImmediate(waitForReply);
  },
};

// The host went away: nothing is left to serve.
pipe.on('end', () => process.exit());
pipe.on('error', () => process.exit());
