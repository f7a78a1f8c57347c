import { join } from 'node:path';
import { openAuditLog, type AuditLog } from '../../src/host/audit.js';
import { installPackage } from '../../src/host/install.js';
import { createHostManager, type HostManager, type HostManagerOptions } from '../../src/host/manager.js';
import type { SandboxedApp } from '../../src/host/sandboxed-app.js';
import { appPackage, tempDir, writeTemp } from './host-fixtures.js';

export interface TestHost {
  manager: HostManager;
  audit: AuditLog;
  appsDir: string;
  /** Installs an app (work-in-progress mode) whose app.js is `script`. */
  install(id: string, script: string, manifest?: Record<string, unknown>, files?: Record<string, string>): Promise<void>;
}

export async function testHost(options: Partial<HostManagerOptions> = {}): Promise<TestHost> {
  const dir = tempDir('miniapp-hostapps-');
  const appsDir = join(dir, 'apps');
  const audit = openAuditLog();
  const manager = createHostManager({ appsDir, hostVersion: '3.4.0', audit, idleSuspendMs: 0, checkIntervalMs: 50, dataDir: join(dir, 'data'), ...options });
  return {
    manager,
    audit,
    appsDir,
    async install(id, script, manifest = {}, files = {}) {
      const source = writeTemp(
        dir,
        `${id}.zip`,
        appPackage({ id, version: '1.0.0', permissions: ['storage', 'auth', 'device'], allowedDomains: ['api.partner.com'], ...manifest }, { 'app.js': script, ...files }),
      );
      const report = await installPackage({ source, appsDir, hostVersion: '3.4.0', allowUnsigned: true });
      if (!report.ok) throw new Error(`install failed: ${report.code} ${report.message}`);
    },
  };
}

/** Waits for the app to print `DONE <json>` on its console and returns the parsed json. */
export async function doneOf(app: SandboxedApp, timeoutMs = 5000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const line = app.host.snapshot().console.find((c) => c.text.startsWith('DONE '));
    if (line) return JSON.parse(line.text.slice(5));
    if (Date.now() > until) throw new Error(`no DONE line; console: ${JSON.stringify(app.host.snapshot().console.map((c) => c.text))} errors: ${JSON.stringify(app.host.snapshot().errors)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
