import { COMMON_ERROR_CODES, getMethod, needsConsent, type MethodSpec } from '../../bridge/catalog.js';
import { compareHostVersions } from '../../bridge/version.js';
import type { WireError } from '../channel.js';
import { BridgeFailure } from './failure.js';
import { normaliseParams } from './params.js';

export type Outcome = { ok: true; value: unknown } | { ok: false; error: WireError };

export interface CallContext {
  appId: string;
  method: string;
  spec: MethodSpec;
}

/** Handles one validated call: returns the result or throws a BridgeFailure. */
export type Handler = (params: Record<string, unknown>, ctx: CallContext) => unknown;

/**
 * Answers a call before the service does: a test's `respond`, a replayed recording, a fixture.
 * Returns `undefined` to pass the call on.
 */
export type Responder = (method: string, params: Record<string, unknown>, ctx: CallContext) => { handler: Handler } | undefined;

export interface DispatcherOptions {
  appId: string;
  /** Permissions the manifest declares. */
  permissions: readonly string[];
  hostVersion: string;
  /** Answers whether the user granted a consent permission (default: granted). */
  consent?: (permission: string) => boolean;
  handlers: Partial<Record<string, Handler>>;
  responders?: () => readonly Responder[];
}

export interface Dispatcher {
  dispatch(method: unknown, params: unknown): Promise<Outcome>;
  canIUse(method: unknown): boolean;
}

const fail = (code: string, message: string, path?: string): Outcome => ({ ok: false, error: path === undefined ? { code, message } : { code, message, path } });

/**
 * The host's bridge dispatcher, driven by the catalogue: exact method lookup, host version, permission,
 * params schema and consent are checked, in that order, before any handler runs.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const declared = new Set(options.permissions);
  const consent = options.consent ?? (() => true);

  const available = (method: unknown): MethodSpec | undefined => {
    const spec = getMethod(method);
    return spec && compareHostVersions(spec.since, options.hostVersion) <= 0 ? spec : undefined;
  };

  async function dispatch(method: unknown, rawParams: unknown): Promise<Outcome> {
    const spec = available(method);
    if (!spec || typeof method !== 'string') {
      const known = getMethod(method);
      return fail(
        'METHOD_NOT_FOUND',
        known
          ? `${String(method)} needs host ${known.since} or newer; this host is ${options.hostVersion} (check MiniAppBridge.canIUse first)`
          : `unknown bridge method ${JSON.stringify(typeof method === 'string' ? method.slice(0, 100) : String(method))}`,
      );
    }
    if (spec.permission && !declared.has(spec.permission)) {
      return fail('PERMISSION_DENIED', `${method} needs the "${spec.permission}" permission, which the manifest does not declare`);
    }
    const checked = normaliseParams(method, rawParams === undefined ? {} : rawParams);
    if (!checked.ok) return checked;
    if (spec.permission && needsConsent(spec.permission) && !consent(spec.permission)) {
      return fail('USER_DENIED', `the user denied the "${spec.permission}" permission`);
    }
    const ctx: CallContext = { appId: options.appId, method, spec };
    const p = checked.value;
    let handler = options.handlers[method];
    for (const responder of options.responders?.() ?? []) {
      const answer = responder(method, p, ctx);
      if (answer) {
        handler = answer.handler;
        break;
      }
    }
    if (!handler) return fail('INTERNAL_ERROR', `the host has no handler for ${method}`);
    try {
      const value = await handler(p, ctx);
      return { ok: true, value: value === undefined ? {} : value };
    } catch (err) {
      const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
      const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as { message: string }).message : String(err);
      const allowed = code !== undefined && ((spec.errors as readonly string[]).includes(code) || Object.prototype.hasOwnProperty.call(COMMON_ERROR_CODES, code));
      if (!allowed) {
        return fail('INTERNAL_ERROR', code ? `${method} failed with ${code}, which is not one of its catalogue codes (${[...spec.errors].join(', ') || 'none'})` : `${method} failed: ${message}`);
      }
      return fail(code, message, err instanceof BridgeFailure ? err.path : undefined);
    }
  }

  return { dispatch, canIUse: (method) => available(method) !== undefined };
}
