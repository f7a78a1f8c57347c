import { getMethod, methodNames } from '../../bridge/catalog.js';
import { compareHostVersions } from '../../bridge/version.js';
import { MiniappError } from '../../core/errors/index.js';
import { createDispatcher, type Dispatcher, type Handler, type Responder } from './dispatcher.js';
import { fixturesResponder } from './fixtures.js';
import type { HostOptions } from './host-options.js';
import { replayResponder } from './recorder.js';
import { createHandlers, type UiEffect } from './services/handlers.js';
import { PaymentService } from './services/payments.js';
import { AppStorage } from './services/storage.js';
import { systemClock, tokenSigningKey } from './services/tokens.js';

/** A test's scripted answers, by method: they come before a replay, fixtures and the host's own services. */
type ScriptedAnswers = Map<string, Handler>;

/**
 * How the host answers bridge calls: the services (storage, payments, tokens, UI, device...), the
 * answers that come before them (scripted, replayed, from fixtures), the user's consent, and the
 * catalogue-driven dispatcher that checks every call before any of them runs.
 */
export function createBridgeCalls(options: HostOptions, ui: { push(effect: UiEffect): unknown }) {
  const { manifest } = options;
  const clock = options.clock ?? systemClock;
  const storage = openStorage(options);
  const payments = new PaymentService(options.paymentOutcome);
  const tokenKey = tokenSigningKey(options.hostKey);
  // The consent permissions the user refused in this run (a test's grant and deny change it).
  const denied = new Set(options.deny ?? []);
  const scripted: ScriptedAnswers = new Map();
  const responders = respondersFor(scripted, options);
  const handlers = createHandlers({
    appId: manifest.id,
    version: manifest.version,
    hostVersion: options.hostVersion,
    launchPath: options.launchPath ?? manifest.entryPoint,
    launchQuery: options.launchQuery ?? {},
    storage,
    payments,
    tokenKey,
    clock,
    installedApps: new Set(options.installedApps ?? []),
    clipboard: { text: '' },
    location: options.location === undefined ? { latitude: 52.52, longitude: 13.405, accuracy: 25 } : options.location,
    ui,
    onClose: () => options.onCloseRequest?.(),
  });
  const dispatcher: Dispatcher = createDispatcher({
    appId: manifest.id,
    permissions: manifest.permissions,
    hostVersion: options.hostVersion,
    consent: (permission) => !denied.has(permission),
    handlers,
    responders: () => responders,
  });
  return {
    clock,
    storage,
    payments,
    tokenKey,
    dispatcher,
    /** Answers a method from now on (undefined restores the host's own answer). */
    respond(method: string, handler: Handler | undefined) {
      if (handler) scripted.set(method, handler);
      else scripted.delete(method);
    },
    setConsent(permission: string, granted: boolean) {
      if (granted) denied.delete(permission);
      else denied.add(permission);
    },
  };
}

/** The app's storage, opened with the host key; storage the key cannot read is a run error, not a crash. */
function openStorage(options: HostOptions): AppStorage {
  const appId = options.manifest.id;
  try {
    return new AppStorage({ appId, hostKey: options.hostKey, dataDir: options.dataDir, quotaBytes: options.storageQuota });
  } catch (err) {
    throw new MiniappError('RUN_STORAGE_UNREADABLE', { appId, dataDir: options.dataDir, reason: (err as Error).message }, { cause: err });
  }
}

/** Who answers before the services, in order: the scripted answers, then a replayed recording, then fixtures. */
function respondersFor(scripted: ScriptedAnswers, options: Pick<HostOptions, 'replay' | 'fixtures'>): Responder[] {
  const responders: Responder[] = [
    (method) => {
      const handler = scripted.get(method);
      return handler ? { handler } : undefined;
    },
  ];
  if (options.replay) responders.push(replayResponder(options.replay));
  if (options.fixtures) responders.push(fixturesResponder(options.fixtures));
  return responders;
}

/** The catalogue methods this host version offers. */
export const availableMethods = (hostVersion: string) => methodNames().filter((m) => compareHostVersions(getMethod(m)!.since, hostVersion) <= 0);
