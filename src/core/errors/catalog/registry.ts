import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);

/**
 * Refusals of the marketplace (`miniapp registry`, `publish`, `review`) and of its clients. A publish the
 * install decision refuses carries that decision's own code (SIGNATURE_INVALID, KEY_NOT_AUTHORISED,
 * PERMISSION_NOT_ALLOWED, DOWNGRADE...): these are the registry's own.
 */
export const registryErrors = {
  REGISTRY_UNAUTHORIZED: {
    title: 'Registry token refused',
    message: () => 'the registry does not accept this API token: it is missing, unknown or revoked',
    hint: () => 'Set MINIAPP_REGISTRY_TOKEN (or --token-file) to a token the registry operator created with `miniapp registry token create`; a revoked token never works again.',
  },
  REGISTRY_FORBIDDEN: {
    title: 'Not allowed for this token',
    message: (a) => `this token (${String(a.role ?? 'unknown role')}${a.partner ? ` of partner ${q(a.partner)}` : ''}) may not ${String(a.action ?? 'do this')}`,
    hint: (a) => String(a.why ?? "Partner tokens act on their own partner's apps; reviewers review; operators administer. Ask the registry operator for a token with the right role."),
  },
  REGISTRY_SELF_REVIEW: {
    title: 'Reviewer of the same partner',
    message: (a) => `reviewer ${q(a.reviewer)} belongs to partner ${q(a.partner)}, which published ${String(a.subject)}: a partner's own reviewers may not approve it`,
    hint: () => 'Another reviewer, from outside the partner, must approve it (the registry runs with --forbid-self-review).',
  },
  REGISTRY_NOT_FOUND: {
    title: 'Not in the registry',
    message: (a) => `${String(a.what ?? 'it')} ${a.name === undefined ? '' : `${q(a.name)} `}is not in the registry`,
    hint: () => 'Check the name; `miniapp review list` and `miniapp registry partner list` show what is there.',
  },
  REGISTRY_EXISTS: {
    title: 'Already registered',
    message: (a) => `${String(a.what)} ${q(a.name)} is already in the registry`,
    hint: (a) => String(a.why ?? 'Pick another name, or change the existing entry instead.'),
  },
  REGISTRY_VERSION_EXISTS: {
    title: 'Version already published with other bytes',
    message: (a) => `${String(a.id)}@${String(a.version)} is already published (sha256 ${String(a.existing)}); this upload is different bytes (sha256 ${String(a.sha256)})`,
    hint: () => 'Published versions are immutable: bump "version" in manifest.json, rebuild, sign and publish again. The same bytes published twice are one version.',
  },
  REGISTRY_FOREIGN_SIGNER: {
    title: 'Signed by another partner',
    message: (a) => `the package is signed by key ${String(a.keyId)} of partner ${q(a.signer)}, not by a key of ${q(a.partner)}, whose token uploaded it`,
    hint: () => 'A partner publishes only packages signed with its own keys.',
  },
  REGISTRY_UPLOAD_TOO_LARGE: {
    title: 'Upload too large',
    message: (a) => `the upload is larger than the registry's ${String(a.limit)}-byte cap`,
    hint: () => 'Mini-program packages must be small (`miniapp build --budget`); the operator sets the cap with `registry serve --max-upload`.',
  },
  REGISTRY_UPLOAD_TIMEOUT: {
    title: 'Upload too slow',
    message: (a) => `the upload did not finish within ${String(a.timeoutMs)} ms`,
    hint: () => 'Retry on a better connection; nothing of an unfinished upload is kept.',
  },
  REGISTRY_UPLOAD_INCOMPLETE: {
    title: 'Upload cut short',
    message: () => 'the connection closed before the upload finished',
    hint: () => 'Retry; nothing of an unfinished upload is kept.',
  },
  REGISTRY_BAD_REQUEST: {
    title: 'Malformed registry request',
    message: (a) => `the registry cannot use this request: ${String(a.reason)}`,
    hint: () => 'docs/registry.md describes each endpoint and its JSON body.',
  },
  REGISTRY_INVALID_STATE: {
    title: 'Not possible in this state',
    message: (a) => `${String(a.subject)} is ${String(a.state)}: cannot ${String(a.action)}`,
    hint: (a) => String(a.why ?? 'Versions go submitted → approved (or rejected) → released; `miniapp review show` shows where one is.'),
  },
  REGISTRY_CONFORMANCE_PENDING: {
    title: 'Conformance still running',
    message: (a) => `the conformance run of ${String(a.subject)} has not finished`,
    hint: () => 'Wait a few seconds and retry; `miniapp review show` shows the verdict once it is there.',
  },
  REGISTRY_CONFORMANCE_FAILED: {
    title: 'Conformance failed',
    message: (a) => `${String(a.subject)} failed its conformance run (${String(a.failed)}): it cannot be approved`,
    hint: () => 'Reject it with the failed checks as the reason; the partner fixes the app and publishes a new version.',
  },
  REGISTRY_ROLLOUT_INVALID: {
    title: 'Invalid rollout',
    message: (a) => `rollout ${q(a.percent)}: ${String(a.reason)}`,
    hint: () => 'A rollout is a percentage above 0 and at most 100 that only goes up (lowering it would take the release from devices that have it: pause or roll back instead).',
  },
  REGISTRY_CHANNEL_INVALID: {
    title: 'Unknown channel',
    message: (a) => `channel ${q(a.channel)} is not one of ${String(a.channels)}`,
    hint: () => 'Release to stable or beta.',
  },
  REGISTRY_NO_RELEASE: {
    title: 'Nothing released',
    message: (a) => `no release of ${q(a.id)} on channel ${q(a.channel)}`,
    hint: () => 'A version is served once it has been approved and released to the channel (`miniapp registry release`).',
  },
  REGISTRY_STORE_UNAVAILABLE: {
    title: 'Registry database unavailable',
    message: (a) => `the registry's database did not answer: ${String(a.reason)}`,
    hint: () => 'Nothing was stored; retry shortly. Operators: check the database server (GET /readyz says when it is back).',
  },
  REGISTRY_SHUTTING_DOWN: {
    title: 'Registry is shutting down',
    message: () => 'this registry process is shutting down and takes no new uploads',
    hint: () => 'Retry: another registry process (or this one after its restart) will take it.',
  },
  REGISTRY_UNREACHABLE: {
    title: 'Registry cannot be reached',
    message: (a) => `cannot reach the registry at ${String(a.url)}: ${String(a.reason)}`,
    hint: () => "Check --registry (the registry's base URL, e.g. https://registry.example.com) and the network.",
  },
  REGISTRY_TOKEN_MISSING: {
    title: 'No registry token',
    message: () => 'no API token: set MINIAPP_REGISTRY_TOKEN or pass --token-file <file>',
    hint: () => 'Tokens are never taken on the command line (where `ps` shows them). The registry operator creates one with `miniapp registry token create`.',
    exitCode: 2,
  },
  REGISTRY_STORE_MISSING: {
    title: 'No registry store given',
    message: () => 'say where the registry keeps its data: --data <dir> (embedded) or --database postgres://…',
    hint: () => '`miniapp registry serve --data ./registry-data` starts a registry with the embedded store in that folder.',
    exitCode: 2,
  },
  REGISTRY_STORE_INVALID: {
    title: 'Registry store cannot be opened',
    message: (a) => `cannot open the registry store ${q(a.where)}: ${String(a.reason)}`,
    hint: () => "Check the folder (writable, not another program's) or the PostgreSQL URL; a newer registry's database cannot be opened by an older one.",
  },
} satisfies ErrorCatalog;
