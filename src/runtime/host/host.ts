import type { HostEnd, LifecycleState } from '../channel.js';
import { appAudit } from './audit-events.js';
import { availableMethods, createBridgeCalls } from './bridge-calls.js';
import type { Handler } from './dispatcher.js';
import type { HostOptions } from './host-options.js';
import { handleGuestMessages } from './guest-messages.js';
import { createGuestRequests, type HostActivity } from './guest-requests.js';
import { createNetwork } from './network.js';
import { createHostRecords, snapshotOf } from './records.js';

export type { ConsoleEntry, GuestErrorEntry } from './records.js';
export type { AuditSink, HostOptions } from './host-options.js';

/**
 * The host side of a running mini-program: receives plain messages from the guest, answers bridge calls
 * through the catalogue-driven dispatcher and the services, applies the network policy, and keeps
 * everything a report needs. The parts: the records (records.ts), how calls are answered
 * (bridge-calls.ts), the network (network.ts), what the host asks of the guest (guest-requests.ts) and
 * the handling of what the guest sends (guest-messages.ts), sharing one activity state.
 */
export function createHost(channel: HostEnd, options: HostOptions) {
  const { manifest } = options;
  const records = createHostRecords(options.recordLimit);
  const activity: HostActivity = { pending: 0, messages: 0 };
  const calls = createBridgeCalls(options, records.ui);
  const { audit } = options;
  const network = createNetwork({
    mode: options.network ?? 'fixtures',
    allowedDomains: manifest.allowedDomains,
    fixtures: options.fixtures?.network,
    ca: options.ca,
    connect: options.connect,
    appOrigin: options.origin,
    readAppFile: options.readAppFile,
    onViolation: (v) => records.violations.push(v),
    onDecision: audit ? ({ type, ...fields }) => audit.record({ type, app: manifest.id, ...fields }) : undefined,
  });
  const requests = createGuestRequests(channel, activity);
  handleGuestMessages({
    channel,
    activity,
    records,
    dispatcher: calls.dispatcher,
    network,
    answers: requests.answers,
    origin: options.origin,
    audit: audit ? appAudit(audit, manifest.id) : undefined,
  });

  return {
    recorder: records.recorder,
    storage: calls.storage,
    payments: calls.payments,
    tokenKey: calls.tokenKey,
    clock: calls.clock,
    ui: records.ui,
    loaded: requests.loaded,
    guestClosed: requests.guestClosed,
    canIUse: calls.dispatcher.canIUse,
    availableMethods: () => availableMethods(options.hostVersion),
    respond(method: string, handler: Handler | undefined) {
      calls.respond(method, handler);
    },
    setConsent(permission: string, granted: boolean) {
      calls.setConsent(permission, granted);
    },
    lifecycle(state: LifecycleState) {
      requests.lifecycle(state);
    },
    waitForIdle: requests.waitForIdle,
    dom: requests.dom,
    snapshot() {
      return snapshotOf(records);
    },
    async close() {
      await calls.storage.flush();
    },
  };
}

export type Host = ReturnType<typeof createHost>;
