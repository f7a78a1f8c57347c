import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HostEnd, HostMessage } from '../src/runtime/channel.js';
import { RECORD_LIMITS } from '../src/runtime/host/bounded.js';
import { availableMethods, createBridgeCalls } from '../src/runtime/host/bridge-calls.js';
import { consoleEntry, guestErrorEntry, networkRequestOf } from '../src/runtime/host/guest-messages.js';
import { createGuestRequests, type HostActivity } from '../src/runtime/host/guest-requests.js';
import type { HostOptions } from '../src/runtime/host/host.js';
import { createHostRecords, snapshotOf } from '../src/runtime/host/records.js';
import { hostHarness, manifestFor } from './helpers/host.js';

/** A host end whose guest is this test: what the host sends is kept, and `onSend` may answer it. */
function fakeHostEnd(onSend: (m: HostMessage) => void = () => undefined) {
  const sent: HostMessage[] = [];
  let closed = false;
  const end: HostEnd = {
    send(m) {
      sent.push(m);
      onSend(m);
    },
    onMessage: () => undefined,
    close() {
      closed = true;
    },
    get closed() {
      return closed;
    },
  };
  return { end, sent };
}

describe('guest requests: what the host asks of the guest', () => {
  /** A guest that answers each wait-idle from a script of answers (true once the script runs out). */
  function scriptedGuest(answers: boolean[], activity: HostActivity, between?: (round: number) => void) {
    let round = 0;
    const requests: ReturnType<typeof createGuestRequests>[] = [];
    const channel = fakeHostEnd((m) => {
      if (m.type !== 'wait-idle') return;
      const r = round++;
      setImmediate(() => {
        between?.(r);
        requests[0]!.answers.idle(m.id, answers[r] ?? true);
      });
    });
    requests.push(createGuestRequests(channel.end, activity));
    return { requests: requests[0]!, sent: channel.sent };
  }

  it('is idle after two quiet rounds in a row', async () => {
    const { requests, sent } = scriptedGuest([], { pending: 0, messages: 0 });
    await requests.waitForIdle();
    expect(sent.map((m) => m.type)).toEqual(['wait-idle', 'wait-idle']);
  });

  it('starts counting again when the guest is busy, a message arrives or a call is in flight', async () => {
    const busy = scriptedGuest([true, false, true, true], { pending: 0, messages: 0 });
    await busy.requests.waitForIdle();
    expect(busy.sent).toHaveLength(4);

    const activity: HostActivity = { pending: 0, messages: 0 };
    const chatty = scriptedGuest([], activity, (round) => {
      if (round === 1) activity.messages++;
    });
    await chatty.requests.waitForIdle();
    expect(chatty.sent).toHaveLength(4);

    const inFlight: HostActivity = { pending: 1, messages: 0 };
    const calling = scriptedGuest([], inFlight, (round) => {
      if (round === 3) inFlight.pending = 0;
    });
    await calling.requests.waitForIdle();
    expect(calling.sent).toHaveLength(5);
  });

  it('asks nothing of a closed guest, and answers whoever waits when the guest closes', async () => {
    const channel = fakeHostEnd();
    const requests = createGuestRequests(channel.end, { pending: 0, messages: 0 });
    const waiting = requests.waitForIdle();
    expect(channel.sent).toEqual([{ type: 'wait-idle', id: 1 }]);
    channel.end.close();
    requests.answers.closed();
    await waiting;
    await requests.guestClosed;
    await requests.waitForIdle();
    expect(channel.sent).toHaveLength(1);
  });

  it('matches each DOM answer to its request by id', async () => {
    const channel = fakeHostEnd();
    const requests = createGuestRequests(channel.end, { pending: 0, messages: 0 });
    const query = requests.dom('query', '#a');
    const input = requests.dom('input', '#b', 'typed');
    expect(channel.sent).toEqual([
      { type: 'dom', id: 1, op: 'query', selector: '#a' },
      { type: 'dom', id: 2, op: 'input', selector: '#b', value: 'typed' },
    ]);
    requests.answers.dom({ type: 'dom-result', id: 2, ok: true });
    requests.answers.dom({ type: 'dom-result', id: 1, ok: true, value: { exists: true, text: 'A' } });
    expect(await query).toMatchObject({ id: 1, value: { text: 'A' } });
    expect(await input).toMatchObject({ id: 2, ok: true });
    requests.lifecycle('hidden');
    expect(channel.sent.at(-1)).toEqual({ type: 'lifecycle', state: 'hidden' });
  });
});

describe('guest messages are read as untrusted', () => {
  it('keeps a console line with a known level and bounded text', () => {
    expect(consoleEntry({ type: 'console', level: 'warn', text: 'careful' }, 1.5)).toEqual({ level: 'warn', text: 'careful', at: 1.5 });
    const odd = consoleEntry({ type: 'console', level: 'shout' as 'log', text: { toString: () => 'x'.repeat(10_000) } as unknown as string }, 2);
    expect(odd.level).toBe('log');
    expect(odd.text).toHaveLength(RECORD_LIMITS.textChars);
  });

  it('keeps a guest error with a known kind, its stack only when there is one', () => {
    expect(guestErrorEntry({ type: 'guest-error', kind: 'resource', message: 'missing.js' }, 3)).toEqual({ kind: 'resource', message: 'missing.js', at: 3 });
    const odd = guestErrorEntry({ type: 'guest-error', kind: 'worse' as 'error', message: 'm'.repeat(5000), stack: 'at x' }, 4);
    expect(odd).toEqual({ kind: 'error', message: 'm'.repeat(2000), stack: 'at x', at: 4 });
  });

  it('reads a network request field by field', () => {
    const m = (request: unknown, api: unknown = 'fetch') => networkRequestOf({ type: 'network', id: 1, api, request } as never);
    expect(m({ url: 'https://a.test/', method: 'POST', headers: { a: '1', b: 2 }, body: 'x' }, 'xhr')).toEqual({
      api: 'xhr',
      request: { url: 'https://a.test/', method: 'POST', headers: { a: '1' }, body: 'x' },
    });
    expect(m({ url: 'https://a.test/', method: 7, body: { not: 'text' } }, 'gopher')).toEqual({ api: 'fetch', request: { url: 'https://a.test/', method: 'GET', headers: {} } });
    expect(m(null, 'websocket')).toEqual({ api: 'websocket', request: { url: 'undefined', method: 'GET', headers: {} } });
  });

  it('drops a message of the wrong shape, and answers the next good one', async () => {
    const h = hostHarness({ manifest: { permissions: ['device'] } });
    for (const bad of [null, 'call', { type: 5 }, { type: 'call', id: 1.5, method: 'device.info' }, { type: 'call', id: '2', method: 'device.info' }]) h.channel.guest.send(bad as never);
    expect(await h.call('device.info', {})).toMatchObject({ ok: true });
    expect(h.host.recorder.count).toBe(1);
  });
});

describe('records', () => {
  it('keep the first entries of each kind and count the rest', () => {
    const records = createHostRecords(2);
    for (let i = 0; i < RECORD_LIMITS.console + 3; i++) records.console.push({ level: 'log', text: String(i), at: i });
    records.errors.push({ kind: 'error', message: 'e', at: 0 });
    for (let i = 0; i < 3; i++) records.recorder.add({ method: 'device.info', params: {}, ok: true, result: {}, latencyMs: 0, at: i });
    records.timings.loadedMs = 12;
    const snapshot = snapshotOf(records);
    expect(snapshot.console).toHaveLength(RECORD_LIMITS.console);
    expect(snapshot.calls).toHaveLength(2);
    expect(snapshot.dropped).toBe(3);
    expect(snapshot.counts).toEqual({ calls: 3, violations: 0, ui: 0, console: RECORD_LIMITS.console + 3, errors: 1 });
    expect(snapshot.timings).toEqual({ loadedMs: 12, firstCallMs: undefined });
    expect(records.since()).toBeGreaterThanOrEqual(0);
  });
});

describe('bridge calls: who answers, and consent', () => {
  const options = (over: Partial<HostOptions> = {}): HostOptions => ({
    manifest: manifestFor({ permissions: ['device', 'geolocation'] }),
    hostVersion: '3.4.0',
    hostKey: randomBytes(32),
    origin: 'https://com.example.test.miniapp.localhost',
    ...over,
  });

  it('asks a scripted answer first, then a replay, then fixtures, then the service', async () => {
    const replay = { format: 'miniapp-recording' as const, version: 1 as const, appId: 'com.example.test', calls: [{ method: 'device.info', params: {}, ok: true, result: { from: 'replay' } }] };
    const fixtures = { bridge: { 'device.info': { result: { from: 'fixture' } } } };
    const calls = createBridgeCalls(options({ replay, fixtures }), { push: () => undefined });
    calls.respond('device.info', () => ({ from: 'script' }));
    expect(await calls.dispatcher.dispatch('device.info', {})).toEqual({ ok: true, value: { from: 'script' } });
    calls.respond('device.info', undefined);
    expect(await calls.dispatcher.dispatch('device.info', {})).toEqual({ ok: true, value: { from: 'replay' } });
    expect(await calls.dispatcher.dispatch('device.info', {})).toEqual({ ok: true, value: { from: 'fixture' } });
    const service = await createBridgeCalls(options(), { push: () => undefined }).dispatcher.dispatch('device.info', {});
    expect(service).toMatchObject({ ok: true, value: { platform: expect.any(String) } });
  });

  it('answers consent permissions as the user set them in this run', async () => {
    const calls = createBridgeCalls(options({ deny: ['geolocation'] }), { push: () => undefined });
    expect(await calls.dispatcher.dispatch('location.get', {})).toMatchObject({ ok: false, error: { code: 'USER_DENIED' } });
    calls.setConsent('geolocation', true);
    expect(await calls.dispatcher.dispatch('location.get', {})).toMatchObject({ ok: true });
    calls.setConsent('geolocation', false);
    expect(await calls.dispatcher.dispatch('location.get', {})).toMatchObject({ ok: false, error: { code: 'USER_DENIED' } });
  });

  it('offers the methods of its host version only', () => {
    expect(availableMethods('1.0.0')).not.toContain('contacts.pick');
    expect(availableMethods('3.4.0')).toContain('contacts.pick');
    expect(availableMethods('1.0.0').length).toBeLessThan(availableMethods('3.4.0').length);
  });
});
