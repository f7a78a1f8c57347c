import { getMethod } from '../bridge/catalog.js';
import type { RunReport } from '../runtime/index.js';
import type { AuditLog } from './audit.js';
import { looksLikeEscape } from './policy-channel.js';

/**
 * Writes the bridge-call and escape events of an in-process run (`miniapp run --audit`) from its report:
 * the same event types the sandboxed host writes live (policy-channel.ts), so one reader handles both.
 * app.launch and the network decisions were recorded live, by launchApp and the host's network policy.
 */
export function auditRunReport(audit: AuditLog, report: RunReport): void {
  const app = report.app.id;
  const granted = new Set<string>();
  for (const c of report.calls) {
    const permission = getMethod(c.method)?.permission ?? undefined;
    const code = c.ok ? undefined : c.error?.code;
    if (code === 'PERMISSION_DENIED' || code === 'USER_DENIED') audit.record({ type: 'permission.denied', app, method: c.method, permission, code });
    else if (c.ok && permission && !granted.has(permission)) {
      granted.add(permission);
      audit.record({ type: 'permission.granted', app, method: c.method, permission });
    }
    if (c.method.startsWith('storage.')) audit.record({ type: 'storage.access', app, method: c.method, ok: c.ok, code });
    if (c.method === 'auth.getToken' && c.ok) {
      const r = (c.result ?? {}) as { scope?: unknown; expiresAt?: unknown };
      audit.record({ type: 'token.issued', app, scope: r.scope, expiresAt: r.expiresAt });
    }
  }
  for (const e of report.guestErrors) if (looksLikeEscape(e.message)) audit.record({ type: 'escape.caught', app, kind: e.kind, message: e.message.slice(0, 500) });
  audit.record({ type: 'app.stop', app, reason: report.stoppedBy });
}
