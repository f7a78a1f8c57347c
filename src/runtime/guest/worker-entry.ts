// A guest in its own worker thread: the same startGuest, with the channel over the worker's port.
// The host-grade runtime builds its sandbox (resource limits, permission model, process isolation) here.
import { parentPort, workerData } from 'node:worker_threads';
import { parentGuestEnd } from '../worker-channel.js';
import { startGuest, type GuestInit } from './guest.js';

const channel = parentGuestEnd(parentPort!);
// When the host sends `close`, the guest unloads, says `closed`, and the port closes so the thread ends.
await startGuest(channel, workerData as GuestInit, { onClosed: () => setImmediate(() => channel.close()) });
