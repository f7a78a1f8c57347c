import type { Duplex } from 'node:stream';
import { processRss } from './measure.js';
import type { HostToSandbox, SandboxToHost } from './protocol.js';
import { stopSandbox, type RunningSandbox } from './running.js';
import { lineChannel } from './wire.js';

/**
 * The host's end of a sandbox's channel: what it accepts from the sandbox, what it lets pile up unread,
 * and what each message the sandbox sends does. Guest code can reach the sandbox realm's objects and
 * so write to this channel itself: whatever arrives, it stops that sandbox, never the host.
 */

/** The longest message the host accepts from a sandbox (the largest bridge call or request body is far below). */
const MAX_INBOUND_CHARS = 16 * 1024 * 1024;
/** How much the host lets pile up unread on a sandbox's channel (the app message carrying the package's files is the largest). */
const MAX_UNREAD_BYTES = 128 * 1024 * 1024;

/** Starts reading the sandbox's messages into `s` and returns the host's sender. */
export function openHostChannel(s: RunningSandbox): (m: HostToSandbox) => void {
  const { pipe } = s.proc;
  const send: (m: HostToSandbox) => void = lineChannel(
    pipe,
    (raw) => {
      // A message the host cannot handle (guest code may have rewritten what the sandbox sends) stops that sandbox.
      try {
        onSandboxMessage(s, raw as SandboxToHost);
      } catch (err) {
        stopSandbox(s, 'CRASHED', `the sandbox sent a message the host could not handle (${(err as Error)?.message ?? String(err)})`);
      }
    },
    // The sandbox's own sender writes one JSON object per line: anything else was written by guest code.
    () => stopSandbox(s, 'CRASHED', 'the sandbox sent a line that is not a JSON message'),
    () => stopSandbox(s, 'MESSAGE_FLOOD', `a single message over ${MAX_INBOUND_CHARS / 1048576} MB`),
    MAX_INBOUND_CHARS,
  );
  return (m) => post(s, pipe, send, m);
}

/**
 * The host never buffers without bound for a sandbox: one that stops reading its channel while it
 * keeps asking (answers pile up in the host's write buffer) is stopped.
 */
function post(s: RunningSandbox, pipe: Duplex, send: (m: HostToSandbox) => void, m: HostToSandbox): void {
  if (pipe.writableLength > MAX_UNREAD_BYTES) return stopSandbox(s, 'MESSAGE_FLOOD', `the sandbox left over ${MAX_UNREAD_BYTES / 1048576} MB of the host's messages unread`);
  send(m);
}

/** One message from the sandbox: heartbeats and 'ready' go to the watchdog, guest-runtime messages and escapes to their listeners. */
export function onSandboxMessage(s: RunningSandbox, m: SandboxToHost): void {
  if (m.type === 'pong') {
    const verdict = s.watchdog.heartbeat(m.memory, m.timers, Date.now());
    if (verdict) stopSandbox(s, verdict.reason, verdict.detail);
  } else if (m.type === 'message') {
    const verdict = s.watchdog.guestMessage(Date.now());
    if (verdict) return stopSandbox(s, verdict.reason, verdict.detail);
    s.listener?.(m.data);
  } else if (m.type === 'ready' && !s.watchdog.booted) {
    // The runtime's own code is loaded and no guest code has run: from here on the busy-loop limit
    // applies in full, and guest memory is counted from here (resident memory as the host reads it).
    const pid = s.proc.innerPid;
    s.watchdog.ready(m.memory, pid ? processRss(pid) : undefined, Date.now());
    s.clock.reset();
    s.markReady();
  } else if (m.type === 'escape') {
    s.escapeListener?.(String(m.what).slice(0, 200));
  } else if (m.type === 'fatal') {
    s.detail = `${m.code}: ${m.message}`;
  }
}
