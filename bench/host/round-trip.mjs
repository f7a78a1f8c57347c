// @ts-check
// Bridge round trips across the sandbox boundary, measured inside the guest: a host process launches the
// installed app com.partner.rtt (see bench/host.bench.mjs), which calls device.info in a loop (3,000 calls
// to let V8 optimise both sides, then TRIPS timed ones) and logs the median and p90. Prints them as JSON.
// Usage: node bench/host/round-trip.mjs <appsDir>
import { createHostManager } from '../../dist/host/manager.js';

const [appsDir] = process.argv.slice(2);
const manager = createHostManager({ appsDir, hostVersion: '3.4.0', idleSuspendMs: 0, spareSandboxes: 0 });
const app = await manager.launch('com.partner.rtt', { limits: { messagesPerSecond: 1e9 } });
let line;
while (!(line = app.host.snapshot().console.find((c) => c.text.startsWith('RTT ')))) await new Promise((r) => setTimeout(r, 20));
await manager.close();
console.log(line.text.slice(4));
