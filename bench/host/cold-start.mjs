// One cold start, as a host does it, in a fresh process: install a signed package (verify, check,
// extract) into a fresh apps directory, launch it in its sandbox, and exit at its first bridge call.
// Used by bench/host.bench.mjs: node bench/host/cold-start.mjs <package.zip> <registry.json>
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGuestSandbox } from '../../dist/host/guest-sandbox.js';

// As a host does at start-up: its first sandbox starts before anything else is loaded, and boots while
// the host loads its own code (bundled, as a host ships it), verifies and extracts the package.
const spare = startGuestSandbox();
const { createHostManager, installPackage, loadTrustStore } = await import('../../dist/host/bundle.js');
const [pkg, registry] = process.argv.slice(2);
const appsDir = mkdtempSync(join(tmpdir(), 'miniapp-cold-'));
const manager = createHostManager({ appsDir, hostVersion: '3.4.0', idleSuspendMs: 0, initialSpares: [spare], replenishSpares: false });
const report = await installPackage({ source: pkg, appsDir, hostVersion: '3.4.0', trustStore: await loadTrustStore(registry) });
if (!report.ok) throw new Error(`install refused: ${report.code} ${report.message}`);
const app = await manager.launch(report.id);
while (app.host.recorder.calls.length === 0) await new Promise((r) => setImmediate(r));
process.stdout.write(JSON.stringify({ launchMs: app.launchMs }) + '\n');
await manager.close();
rmSync(appsDir, { recursive: true, force: true });
