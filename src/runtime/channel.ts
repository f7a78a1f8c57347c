/**
 * The one wire between the host (bridge dispatcher, services, policy) and the guest (the DOM and the
 * mini-program's code). Only plain data crosses it: every message is structured-cloned when sent, so
 * no function, prototype or host object ever reaches the other side. Both ends live in one process
 * (createInProcessChannel), or each in its own: the sandbox's pipe (messageEnd on either side), with the
 * same interface and the same messages, so neither side changes.
 */

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';
export type LifecycleState = 'launched' | 'shown' | 'hidden' | 'unloaded';
export type NetworkApi = 'fetch' | 'xhr' | 'websocket' | 'script';

export interface WireError {
  code: string;
  message: string;
  /** JSON pointer of the failing param for INVALID_PARAMS. */
  path?: string;
}

export interface NetworkRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** Request bodies are text (the guest's fetch/XHR encode other bodies before sending). */
  body?: string;
}

export interface NetworkResponse {
  url: string;
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  redirected: boolean;
}

/** What the guest sends. */
export type GuestMessage =
  | { type: 'ready'; url: string }
  | { type: 'loaded'; durationMs: number }
  | { type: 'call'; id: number; method: string; params: unknown }
  | { type: 'console'; level: ConsoleLevel; text: string }
  | { type: 'guest-error'; kind: 'error' | 'unhandledrejection' | 'resource'; message: string; stack?: string }
  | { type: 'network'; id: number; api: NetworkApi; request: NetworkRequest }
  /** A synchronous load outside the package (classic script, synchronous XHR), refused by the guest: there is no synchronous way to the host. */
  | { type: 'network-refused'; api: 'script' | 'xhr'; url: string; method: string }
  | { type: 'idle'; id: number; idle: boolean }
  | { type: 'dom-result'; id: number; ok: boolean; value?: unknown; error?: WireError }
  | { type: 'closed' };

/** What the host sends. */
export type HostMessage =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'network-result'; id: number; ok: true; response: NetworkResponse }
  | { type: 'network-result'; id: number; ok: false; error: WireError }
  | { type: 'lifecycle'; state: LifecycleState }
  | { type: 'wait-idle'; id: number }
  | { type: 'dom'; id: number; op: 'query' | 'click' | 'text' | 'input'; selector: string; value?: string }
  | { type: 'close' };

export type MessageOf<M, T> = Extract<M, { type: T }>;

/** One side of a channel: send to the other side, receive what it sends. */
export interface Channel<Out, In> {
  /** Copies the message (structured clone) and delivers it asynchronously, in order. Throws DataCloneError for non-cloneable data. */
  send(message: Out): void;
  onMessage(listener: (message: In) => void): void;
  close(): void;
  readonly closed: boolean;
}

export type HostEnd = Channel<HostMessage, GuestMessage>;
export type GuestEnd = Channel<GuestMessage, HostMessage>;

/**
 * Both ends in one process. Messages are cloned on send (like postMessage) and delivered on a later
 * macrotask in order, so neither side can observe the other's objects or run inside its call stack.
 */
/**
 * One end of a channel whose messages go out through `post` (a sandbox's pipe): send does nothing once
 * the end is closed, and `deliver` hands an incoming message to the listener. Both sides of the sandbox
 * (src/runtime/sandboxed.ts, src/runtime/guest/sandbox-entry.ts) use it.
 */
export function messageEnd<Out, In>(post: (message: Out) => void): Channel<Out, In> & { deliver(message: In): void } {
  let listener: ((m: In) => void) | undefined;
  let closed = false;
  return {
    send(message) {
      if (!closed) post(message);
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
    deliver: (message) => listener?.(message),
  };
}

export function createInProcessChannel(): { host: HostEnd; guest: GuestEnd } {
  let closed = false;
  type End<Out, In> = Channel<Out, In> & { listener?: (m: In) => void };
  const make = <Out, In>(deliverTo: () => ((m: Out) => void) | undefined): End<Out, In> => {
    const queue: Out[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      // Deliver what was queued when the flush started; later messages wait for the next turn so a
      // flood of calls cannot starve timers and I/O on either side.
      const batch = queue.splice(0, queue.length);
      for (const message of batch) {
        if (closed) return;
        deliverTo()?.(message);
      }
    };
    const end: Channel<Out, In> & { listener?: (m: In) => void } = {
      send(message) {
        if (closed) return;
        queue.push(structuredClone(message));
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      },
      onMessage(listener) {
        end.listener = listener;
      },
      close() {
        closed = true;
        queue.length = 0;
      },
      get closed() {
        return closed;
      },
    };
    return end;
  };
  const host: End<HostMessage, GuestMessage> = make<HostMessage, GuestMessage>(() => guest.listener);
  const guest: End<GuestMessage, HostMessage> = make<GuestMessage, HostMessage>(() => host.listener);
  return { host, guest };
}
