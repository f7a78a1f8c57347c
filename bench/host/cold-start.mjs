// One cold start, as a host does it, in a fresh process: install a signed package (verify, check,
// extract) into a fresh apps directory, launch it in its sandbox, and exit at its first bridge call.
// Used by bench/host.bench.mjs: node bench/host/cold-start.mjs <package.zip> <registry.json>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installPackage } from '../../dist/host/install.js';
import { createHostManager } from '../../dist/host/manager.js';
import { loadTrustStore } from '../../dist/host/trust-store.js';

const [pkg, registry] = process.argv.slice(2);
const appsDir = mkdtempSync(join(tmpdir(), 'miniapp-cold-'));
const report = await installPackage({ source: pkg, appsDir, hostVersion: '3.4.0', trustStore: await loadTrustStore(registry) });
if (!report.ok) throw new Error(`install refused: ${report.code} ${report.message}`);
const manager = createHostManager({ appsDir, hostVersion: '3.4.0', idleSuspendMs: 0 });
const app = await manager.launch(report.id);
while (app.host.recorder.calls.length === 0) await new Promise((r) => setImmediate(r));
process.stdout.write(JSON.stringify({ launchMs: app.launchMs }) + '\n');
await manager.close();
rmSync(appsDir, { recursive: true, force: true });
