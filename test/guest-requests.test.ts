import { describe, expect, it } from 'vitest';
import type { GuestMessage } from '../src/runtime/channel.js';
import { hostRequests, type NetworkResult } from '../src/runtime/guest/requests.js';

/** The guest's network requests to the host, without a page: what is sent, and which waiter each answer reaches. */
describe('guest requests to the host', () => {
  const setup = () => {
    const sent: GuestMessage[] = [];
    return { sent, requests: hostRequests((m) => sent.push(m)) };
  };
  const answer = (id: number, status: number): NetworkResult => ({
    type: 'network-result',
    id,
    ok: true,
    response: { url: 'https://api.partner.com/', status, statusText: '', headers: {}, body: String(status), redirected: false },
  });

  it('numbers every request, and each answer settles the request with its id', async () => {
    const { sent, requests } = setup();
    const first = requests.fetch({ url: 'https://api.partner.com/a', method: 'GET', headers: {} });
    const second = requests.fetch({ url: 'https://api.partner.com/b', method: 'POST', headers: {}, body: 'x' });
    requests.refuse('https://u:p@api.partner.com/', 'xhr');
    expect(sent).toEqual([
      { type: 'network', id: 1, api: 'fetch', request: { url: 'https://api.partner.com/a', method: 'GET', headers: {} } },
      { type: 'network', id: 2, api: 'fetch', request: { url: 'https://api.partner.com/b', method: 'POST', headers: {}, body: 'x' } },
      { type: 'network', id: 3, api: 'xhr', request: { url: 'https://u:p@api.partner.com/', method: 'GET', headers: {} } },
    ]);
    requests.settle(answer(2, 201));
    requests.settle(answer(1, 200));
    expect(await second).toEqual(answer(2, 201));
    expect(await first).toEqual(answer(1, 200));
  });

  it('delivers an answer once: a repeated or unknown id reaches nobody', () => {
    const { requests } = setup();
    const got: NetworkResult[] = [];
    requests.websocket('wss://api.partner.com/live', (m) => got.push(m));
    requests.settle(answer(1, 101));
    requests.settle(answer(1, 101));
    requests.settle(answer(7, 200));
    expect(got).toEqual([answer(1, 101)]);
  });

  it('fails every request still waiting when the app closes, and forgets them', async () => {
    const { requests } = setup();
    const got: NetworkResult[] = [];
    const pending = requests.fetch({ url: 'https://api.partner.com/slow', method: 'GET', headers: {} });
    requests.websocket('wss://api.partner.com/live', (m) => got.push(m));
    requests.cancelAll();
    const closed = { type: 'network-result', id: 0, ok: false, error: { code: 'NETWORK_ERROR', message: 'the app was closed' } };
    expect(await pending).toEqual(closed);
    expect(got).toEqual([closed]);
    requests.cancelAll();
    expect(got).toHaveLength(1);
  });
});
