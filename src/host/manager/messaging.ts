import { BridgeFailure, tokenSigningKey, verifyToken, type Host, type TokenCheck } from '../../runtime/index.js';
import type { SandboxedApp, SandboxedAppOptions } from '../sandboxed-app.js';
import type { ManagerState } from './state.js';

/**
 * App-to-app: only sender → receiver pairs the host configured, each decision audited. Used by the
 * host's navigation.openMiniProgram answer; hosts with other app-to-app features call it too.
 */
export function canMessage(state: ManagerState, from: string, to: string): boolean {
  const allowed = state.options.messaging?.[from]?.includes(to) ?? false;
  state.audit?.record({ type: allowed ? 'message.allowed' : 'message.denied', app: from, to });
  return allowed;
}

/** What a partner backend's check of a token looks like from the host: verified and audited. */
export function checkToken(state: ManagerState, token: string, appId: string, scope?: string): TokenCheck {
  const result = verifyToken(token, { signingKey: tokenSigningKey(state.hostKey), appId, scope });
  state.audit?.record({ type: 'token.checked', app: appId, scope, valid: result.valid, reason: result.valid ? undefined : result.reason });
  return result;
}

/**
 * The one app-to-app path: opening another mini-program, allowed only for configured pairs and audited.
 * A refusal looks like a missing app, so an app cannot probe what else is installed.
 */
export function answerOpenMiniProgram(state: ManagerState, from: string, launch: (id: string, extra: Partial<SandboxedAppOptions>) => Promise<SandboxedApp>) {
  return (host: Host): void => {
    host.respond('navigation.openMiniProgram', async (params) => {
      const to = String(params.appId);
      if (!canMessage(state, from, to)) throw new BridgeFailure('APP_NOT_FOUND', `no mini-program ${JSON.stringify(to)} can be opened from here`);
      try {
        await launch(to, typeof params.path === 'string' && params.path ? { launchPath: params.path } : {});
      } catch (err) {
        throw new BridgeFailure('APP_NOT_FOUND', `${JSON.stringify(to)} cannot be opened: ${(err as Error).message}`);
      }
      return {};
    });
  };
}
