import type { GuestMessage, HostMessage, MessageOf, NetworkApi, NetworkRequest } from '../channel.js';

export type NetworkResult = MessageOf<HostMessage, 'network-result'>;

/** The page's network requests to the host's policy, each with its id, and the answers they wait for. */
export interface HostRequests {
  /** A fetch the host decides and carries out: resolves with its answer. */
  fetch(request: NetworkRequest): Promise<NetworkResult>;
  /** A WebSocket the host decides: `answer` gets the host's answer (or the close). */
  websocket(url: string, answer: (m: NetworkResult) => void): void;
  /** A request the page itself refused (user information in the URL), handed to the host to record. */
  refuse(url: string, api: 'fetch' | 'xhr'): void;
  /** The host's answer to one request. */
  settle(m: NetworkResult): void;
  /** The app was closed: every request still waiting fails. */
  cancelAll(): void;
}

export function hostRequests(send: (m: GuestMessage) => void): HostRequests {
  let nextId = 1;
  const waiters = new Map<number, (m: NetworkResult) => void>();
  const ask = (api: NetworkApi, request: NetworkRequest, answer?: (m: NetworkResult) => void) => {
    const id = nextId++;
    if (answer) waiters.set(id, answer);
    send({ type: 'network', id, api, request });
  };
  return {
    fetch: (request) => new Promise((resolve) => ask('fetch', request, resolve)),
    websocket: (url, answer) => ask('websocket', { url, method: 'GET', headers: {} }, answer),
    refuse: (url, api) => ask(api, { url, method: 'GET', headers: {} }),
    settle(m) {
      const waiter = waiters.get(m.id);
      waiters.delete(m.id);
      waiter?.(m);
    },
    cancelAll() {
      for (const waiter of waiters.values()) waiter({ type: 'network-result', id: 0, ok: false, error: { code: 'NETWORK_ERROR', message: 'the app was closed' } });
      waiters.clear();
    },
  };
}
