// @ts-check
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
const { createHostManager, installPackage, loadTrustStore, openAuditLog } = await import('../../dist/host/bundle.js');
// The app's first bridge call is seen as it reaches the host (its first permission grant), which can
// be before the page has finished loading.
let firstCall;
const audit = openAuditLog({ onRecord: (e) => e.type === 'permission.granted' && firstCall?.() });
const called = new Promise((resolve) => (firstCall = resolve));
const [pkg, registry] = process.argv.slice(2);
const appsDir = mkdtempSync(join(tmpdir(), 'miniapp-cold-'));
const manager = createHostManager({ appsDir, hostVersion: '3.4.0', audit, idleSuspendMs: 0, initialSpares: [spare], replenishSpares: false });
const report = await installPackage({ source: pkg, appsDir, hostVersion: '3.4.0', trustStore: await loadTrustStore(registry) });
if (!report.ok) throw new Error(`install refused: ${report.code} ${report.message}`);
const launched = manager.launch(report.id);
launched.catch((err) => {
  console.error(err.message);
  process.exit(1);
});
await called;
// Measured to the first bridge call answered: exit there (the sandbox ends when its pipe closes).
rmSync(appsDir, { recursive: true, force: true });
process.exit(0);
