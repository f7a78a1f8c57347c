import { getMethod } from '../../bridge/catalog.js';
import type { AuditSink } from './host-options.js';

const ESCAPE_SIGNS =
  /Code generation from strings disallowed|ERR_ACCESS_DENIED|Access to this API has been restricted|ERR_SANDBOX_NETWORK|not available inside a mini-program sandbox|\b(require|process|module|Buffer) is not defined|dynamic import callback|ERR_VM_DYNAMIC_IMPORT/;

/** Whether a guest error is the trace of an escape attempt the sandbox stopped. */
export const looksLikeEscape = (message: string) => ESCAPE_SIGNS.test(message);

type CallOutcome = { ok: true; value: unknown } | { ok: false; error: { code: string } };

/**
 * The audit events of one app's bridge activity, written live, as each call is answered: the one
 * writer every launcher and isolation uses (the host calls it; a launcher needs nothing else).
 * permission.granted (first use of each permission), permission.denied, storage.access, token.issued,
 * escape.caught (a guest error that is the trace of a stopped escape).
 */
export function appAudit(audit: AuditSink, app: string) {
  const granted = new Set<string>();
  return {
    call(method: string, outcome: CallOutcome): void {
      const permission = getMethod(method)?.permission ?? undefined;
      const code = outcome.ok ? undefined : outcome.error.code;
      if (code === 'PERMISSION_DENIED' || code === 'USER_DENIED') audit.record({ type: 'permission.denied', app, method, permission, code });
      else if (outcome.ok && permission && !granted.has(permission)) {
        granted.add(permission);
        audit.record({ type: 'permission.granted', app, method, permission });
      }
      if (method.startsWith('storage.') && getMethod(method)) audit.record({ type: 'storage.access', app, method, ok: outcome.ok, code });
      if (method === 'auth.getToken' && outcome.ok) {
        const claims = (outcome.value ?? {}) as { scope?: unknown; expiresAt?: unknown };
        audit.record({ type: 'token.issued', app, scope: claims.scope, expiresAt: claims.expiresAt });
      }
    },
    guestError(kind: string, message: string): void {
      if (looksLikeEscape(message)) audit.record({ type: 'escape.caught', app, kind, message: message.slice(0, 500) });
    },
  };
}
