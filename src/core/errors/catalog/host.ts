import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);

/**
 * Refusals of the host-grade runtime: the install pipeline, the trust store, updates, per-app limits
 * and conformance. HOST_UPDATE_REQUIRED lives in the signing catalogue and is reused here.
 */
export const hostErrors = {
  TRUST_STORE_INVALID: {
    title: 'Trust store cannot be used',
    message: (a) => `trust store ${q(a.source)}: ${String(a.reason)}`,
    hint: () => 'A trust store is a partner registry JSON file: {"partners":[{"id","keys":[{"publicKey","appIds"}],"permissions"}]} (docs/runtime-security.md).',
  },
  TRUST_STORE_MISSING: {
    title: 'No trust store',
    message: () => 'the package is signed but no trust store (partner registry) was given to check it against',
    hint: () => 'Pass --trust-store <registry.json>; a host installs a signed package only after checking who signed it.',
  },
  AUDIT_LOG_UNWRITABLE: {
    title: 'Audit log cannot be written',
    message: (a) => `cannot open the audit log ${q(a.path)}: ${String(a.reason)}`,
    hint: () => 'Give --audit a writable file path (appended to) or a directory (one new file per run).',
  },
  FETCH_FAILED: {
    title: 'Package cannot be fetched',
    message: (a) => `cannot fetch ${q(a.source)}: ${String(a.reason)}`,
    hint: () => 'Check the path or URL; a host downloads packages over http(s) or reads them from a local file.',
  },
  FETCH_TOO_LARGE: {
    title: 'Download is too large',
    message: (a) => `${q(a.source)} is larger than the ${String(a.limit)}-byte download limit`,
    hint: () => 'The host stops a download at its size cap; mini-program packages must be small.',
  },
  FETCH_TIMEOUT: {
    title: 'Download timed out',
    message: (a) => `${q(a.source)} did not finish downloading within ${String(a.timeoutMs)} ms`,
    hint: () => 'Check the server; a host gives up on a slow download instead of waiting for ever.',
  },
  KEY_NOT_AUTHORISED: {
    title: 'Key may not sign this app',
    message: (a) => `key ${String(a.keyId)} of partner ${q(a.partner)} may not sign ${q(a.id)} (it may sign ${String(a.allowed)})`,
    hint: () => 'A partner key signs only the app ids the registry lists for it; sign with the right key or register the id.',
  },
  PERMISSION_NOT_ALLOWED: {
    title: 'Permission not allowed for this partner',
    message: (a) => `${q(a.id)} declares permission ${q(a.permission)}, which partner ${q(a.partner)} may not use`,
    hint: () => 'Remove the permission from manifest.json, or ask the host team to grant it to the partner in the registry.',
  },
  DOWNGRADE: {
    title: 'Older than the installed version',
    message: (a) => `${q(a.id)} ${String(a.version)} is older than the installed ${String(a.installed)}`,
    hint: () => 'A host never installs an older version over a newer one (a downgrade can reintroduce fixed bugs); publish a higher version.',
  },
  INSTALL_FAILED: {
    title: 'Install failed',
    message: (a) => `installing ${q(a.id)} failed while ${String(a.step)}: ${String(a.reason)}`,
    hint: () => 'Nothing was installed and the temporary directory was removed; check the disk and try again.',
  },
  APP_NOT_INSTALLED: {
    title: 'App not installed',
    message: (a) => `${q(a.id)} is not installed in ${q(a.dir)}`,
    hint: () => 'Install it first (`miniapp install`).',
  },
  UPDATE_FEED_FAILED: {
    title: 'Update feed cannot be read',
    message: (a) => `update check for ${q(a.id)} failed: ${String(a.reason)}`,
    hint: () => 'The feed serves GET /mini-programs/{id}/version with the release descriptor; the installed version keeps running.',
  },
  UPDATE_DIGEST_MISMATCH: {
    title: 'Downloaded update does not match its descriptor',
    message: (a) => `the downloaded package for ${q(a.id)} ${String(a.version)} has SHA-256 ${String(a.actual)}, the feed says ${String(a.expected)}`,
    hint: () => 'The download was corrupted or replaced; the update is discarded and the installed version keeps running.',
  },
  APP_LIMIT_EXCEEDED: {
    title: 'Mini-program stopped at a limit',
    message: (a) => `${q(a.id)} was stopped: ${String(a.reason)}${a.detail ? ` (${String(a.detail)})` : ''}`,
    hint: () => 'Per-app limits: memory (64 MB by default, buffers included), CPU (a busy event loop), message rate. Fix the runaway code.',
  },
  ISOLATION_UNAVAILABLE: {
    title: 'The OS sandbox is not available',
    message: (a) => `the OS sandbox is not available here (${String(a.reason)}), so the app would run as a plain process that can reach your network and signal your processes`,
    hint: () => 'On Linux install bubblewrap (apt-get install bubblewrap) with user namespaces enabled; or accept weaker isolation for code you trust with --allow-weak-isolation.',
  },
  APP_CRASHED: {
    title: 'Mini-program stopped unexpectedly',
    message: (a) => `${q(a.id)} stopped (${String(a.reason)})${a.detail ? `: ${String(a.detail)}` : ''}`,
    hint: () => "The app's sandbox ended before the app was closed; the host and other apps are unaffected. Check the app's errors.",
  },
  CONFORMANCE_STARTUP_OVER_BUDGET: {
    title: 'Start-up over budget',
    message: (a) => `the app took ${String(a.ms)} ms to load its entry page, over the ${String(a.budget)} ms budget`,
    hint: () => 'Load less before the first paint: defer scripts, split large bundles, avoid synchronous work at start-up.',
  },
  CONFORMANCE_FAILED: {
    title: 'Conformance check failed',
    message: (a) => `${String(a.count)} conformance check(s) failed for ${q(a.target)}`,
    hint: () => 'Each failed check is listed with its code; fix them and run `miniapp conformance` again.',
  },
} satisfies ErrorCatalog;
