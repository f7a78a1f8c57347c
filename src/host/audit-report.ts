import type { RunReport } from '../runtime/index.js';
import type { AuditLog } from './audit.js';

/**
 * The last event of a `miniapp run --audit`: why the app stopped. Everything before it (app.launch, each
 * bridge call's permission, storage and token events, escape traces, network decisions) was written
 * live by the host as it happened (runtime/host/audit-events.ts, network.ts), never rebuilt from the report.
 */
export function auditRunReport(audit: AuditLog, report: RunReport): void {
  audit.record({ type: 'app.stop', app: report.app.id, reason: report.stoppedBy, isolation: report.isolation, calls: report.callCount });
}
