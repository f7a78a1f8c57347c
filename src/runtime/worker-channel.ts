import type { MessagePort, Worker } from 'node:worker_threads';
import type { Channel, GuestEnd, GuestMessage, HostEnd, HostMessage } from './channel.js';

/**
 * The Channel over a worker thread: postMessage already structured-clones (and throws DataCloneError
 * for functions and symbols, like the in-process channel), so both sides see the same semantics.
 */
function portChannel<Out, In>(port: Worker | MessagePort, onClose: () => void): Channel<Out, In> {
  let listener: ((m: In) => void) | undefined;
  let closed = false;
  port.on('message', (m: In) => {
    if (!closed) listener?.(m);
  });
  return {
    send(message) {
      if (!closed) port.postMessage(message);
    },
    onMessage(l) {
      listener = l;
    },
    close() {
      if (closed) return;
      closed = true;
      onClose();
    },
    get closed() {
      return closed;
    },
  };
}

/** The host's end of a guest running in `worker` (closing it terminates the worker). */
export function workerHostEnd(worker: Worker): HostEnd {
  return portChannel<HostMessage, GuestMessage>(worker, () => void worker.terminate());
}

/** The guest's end, inside the worker. */
export function parentGuestEnd(port: MessagePort): GuestEnd {
  return portChannel<GuestMessage, HostMessage>(port, () => port.close());
}
