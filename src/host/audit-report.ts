import { getMethod } from '../bridge/catalog.js';
import type { RunReport } from '../runtime/run.js';
import type { AuditLog } from './audit.js';
import { looksLikeEscape } from './policy-channel.js';

/**
 * Writes the security-relevant events of an in-process run (`miniapp run --audit`) from its report:
 * the same event types the sandboxed host writes live (policy-channel.ts), so one reader handles both.
 */
export function auditRunReport(audit: AuditLog, report: RunReport): void {
  const app = report.app.id;
  audit.record({ type: 'app.launch', app, version: report.app.version, isolation: 'in-process' });
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
  for (const v of report.violations) audit.record({ type: 'network.blocked', app, url: v.url, api: v.api, reason: v.reason, hop: v.hop });
  for (const e of report.guestErrors) if (looksLikeEscape(e.message)) audit.record({ type: 'escape.caught', app, kind: e.kind, message: e.message.slice(0, 500) });
  audit.record({ type: 'app.stop', app, reason: report.stoppedBy });
}
