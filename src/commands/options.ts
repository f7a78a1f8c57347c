import type { OptionSpec } from '../core/options.js';

/**
 * Every command's options, apart from the commands themselves so the registry (and `--help`) reads them
 * without loading a command. Each list is `as const`, so `OptionsOf<typeof xOptions>` (types.ts) is the
 * exact options object the command's `run` receives: a misspelt name or a wrong type does not compile.
 */

const profile = {
  name: 'profile',
  flags: '--profile <name>',
  description: 'rule set: dev allows loopback domains, release forbids what a store reviewer rejects (default: dev)',
  type: 'string',
  choices: ['dev', 'release'],
  default: 'dev',
} as const satisfies OptionSpec;
const newestHostVersion = {
  name: 'newestHostVersion',
  flags: '--newest-host-version <version>',
  description: 'newest host version to accept in minHostVersion (default: the newest this toolchain knows)',
  type: 'string',
} as const satisfies OptionSpec;

const renameWebManifest = {
  name: 'renameWebManifest',
  flags: '--rename-web-manifest',
  description: 'package a web app manifest (PWA) at manifest.json as site.webmanifest and relink the HTML to it',
  type: 'boolean',
  default: false,
} as const satisfies OptionSpec;

const releaseProfile = { ...profile, description: 'manifest rules the package must pass (default: release)', default: 'release' } as const satisfies OptionSpec;
const passphraseEnv = {
  name: 'passphraseEnv',
  flags: '--passphrase-env <var>',
  description: 'name of the environment variable holding the private key passphrase',
  type: 'string',
  configurable: false,
} as const satisfies OptionSpec;
const pubkey = { name: 'pubkey', flags: '--pubkey <pub.pem>', description: 'public key the packages must be signed with', type: 'string' } as const satisfies OptionSpec;
const keyring = { name: 'keyring', flags: '--keyring <dir>', description: 'directory of trusted *.pub.pem keys; the signed key id picks one', type: 'string' } as const satisfies OptionSpec;

const hostVersion = {
  name: 'hostVersion',
  flags: '--host-version <version>',
  description: 'version of the host app to install for (default: the newest this toolchain knows)',
  type: 'string',
} as const satisfies OptionSpec;
const audit = {
  name: 'audit',
  flags: '--audit <file>',
  description: 'append every security-relevant event as a JSON line to this file (a directory gets one file per run)',
  type: 'string',
  configurable: false,
} as const satisfies OptionSpec;

const registryUrl = { name: 'registry', flags: '--registry <url>', description: "the registry's base URL (https://registry.example.com)", type: 'string' } as const satisfies OptionSpec;
const tokenFile = {
  name: 'tokenFile',
  flags: '--token-file <file>',
  description: 'read the registry API token from this file (default: MINIAPP_REGISTRY_TOKEN; never a flag value)',
  type: 'string',
  configurable: false,
} as const satisfies OptionSpec;

export const validateOptions = [
  profile,
  newestHostVersion,
  { name: 'strict', flags: '--strict', description: 'fail on warnings too', type: 'boolean', default: false },
] as const satisfies readonly OptionSpec[];

export const initOptions = [
  {
    name: 'template',
    flags: '--template <name>',
    description: 'project template: vanilla (TypeScript), react (TSX), vue (SFC) or svelte (default: vanilla)',
    type: 'string',
    choices: ['vanilla', 'react', 'vue', 'svelte'],
  },
  { name: 'id', flags: '--id <id>', description: 'app id, reverse-DNS (default: com.example.<directory name>)', type: 'string', configurable: false },
  { name: 'name', flags: '--name <name>', description: 'display name (default: the directory name)', type: 'string', configurable: false },
  { name: 'yes', flags: '-y, --yes', description: 'accept the defaults, never prompt', type: 'boolean', default: false, configurable: false },
  { name: 'force', flags: '--force', description: 'write into a non-empty directory, replacing files the template provides', type: 'boolean', default: false, configurable: false },
  { name: 'toolchain', flags: '--toolchain <spec>', description: 'what the new package.json depends on for miniapp (default: file: this toolchain)', type: 'string' },
] as const satisfies readonly OptionSpec[];

export const buildOptions = [
  {
    name: 'mode',
    flags: '--mode <mode>',
    description: 'production (minified, maps beside the zip) or development (readable, inline maps) (default: production)',
    type: 'string',
    choices: ['production', 'development'],
    default: 'production',
  },
  { name: 'target', flags: '--target <targets>', description: 'esbuild targets, comma-separated (default: es2019,chrome80,safari13)', type: 'list', default: ['es2019', 'chrome80', 'safari13'] },
  {
    name: 'sourcemap',
    flags: '--sourcemap <kind>',
    description:
      "external (beside the zip), inline, linked (in the package) or none (default: external in production, inline in development; a Vite project's production build follows its build.sourcemap)",
    type: 'string',
    choices: ['external', 'inline', 'linked', 'none'],
  },
  { name: 'budget', flags: '--budget <size>', description: 'compressed package size limit, e.g. 2MB or 800KB (default: 2MB)', type: 'string', default: '2MB' },
  { name: 'outDir', flags: '--out-dir <dir>', description: 'where the zip goes, relative to the project (default: dist)', type: 'string', default: 'dist' },
  { name: 'checkReproducible', flags: '--check-reproducible', description: 'build twice and fail unless the packages are byte-identical', type: 'boolean', default: false },
  renameWebManifest,
  profile,
  newestHostVersion,
] as const satisfies readonly OptionSpec[];

export const packOptions = [
  { name: 'manifest', flags: '--manifest <file>', description: 'the mini-program manifest (default: <dir>/manifest.json, else ./manifest.json)', type: 'string', configurable: false },
  { name: 'budget', flags: '--budget <size>', description: 'compressed package size limit, e.g. 2MB or 800KB (default: 2MB)', type: 'string', default: '2MB' },
  { name: 'outDir', flags: '--out-dir <dir>', description: 'where the zip goes (default: the current folder, or the parent of <dir> when run inside it)', type: 'string' },
  renameWebManifest,
  profile,
  newestHostVersion,
] as const satisfies readonly OptionSpec[];

export const keygenOptions = [
  { name: 'out', flags: '--out <prefix>', description: 'write <prefix>.key.pem (mode 0600) and <prefix>.pub.pem', type: 'string', configurable: false },
  { name: 'bits', flags: '--bits <n>', description: 'RSA modulus size, 2048 to 4096 (default: 3072)', type: 'number', default: 3072 },
  passphraseEnv,
] as const satisfies readonly OptionSpec[];

export const signOptions = [
  { name: 'key', flags: '--key <key.pem>', description: 'private key (PKCS#8 or PKCS#1 PEM); default: the PEM text in MINIAPP_SIGNING_KEY', type: 'string', configurable: false },
  passphraseEnv,
  { name: 'out', flags: '--out <file>', description: 'write the signed package here instead of replacing the input', type: 'string', configurable: false },
  { name: 'resign', flags: '--resign', description: 'replace an existing signature', type: 'boolean', default: false, configurable: false },
  releaseProfile,
  newestHostVersion,
] as const satisfies readonly OptionSpec[];

export const verifyOptions = [
  pubkey,
  keyring,
  { name: 'hostVersion', flags: '--host-version <version>', description: 'host app version to decide for (default: the newest this toolchain knows; too old: HOST_UPDATE_REQUIRED)', type: 'string' },
  releaseProfile,
  newestHostVersion,
] as const satisfies readonly OptionSpec[];

export const inspectOptions = [
  { name: 'extractSigned', flags: '--extract-signed <dir>', description: 'write the signed bytes and the raw signature to <dir> for checking with openssl', type: 'string', configurable: false },
  pubkey,
  keyring,
  { ...hostVersion, description: 'host app version to decide for (default: the newest this toolchain knows; too old: HOST_UPDATE_REQUIRED)' },
] as const satisfies readonly OptionSpec[];

export const serveOptions = [
  { name: 'port', flags: '--port <number>', description: 'port to listen on; 0 picks a free one (default: 8080)', type: 'number', default: 8080 },
  { name: 'host', flags: '--host <address>', description: 'interface to bind; 0.0.0.0 serves devices on the LAN and prints a QR code (default: 127.0.0.1)', type: 'string', default: '127.0.0.1' },
  {
    name: 'allowedHosts',
    flags: '--allowed-hosts <names>',
    description: 'host names to answer besides localhost and IP addresses, comma-separated (mylaptop.local, or .local for every name under it)',
    type: 'list',
  },
  { name: 'inspect', flags: '--inspect', description: 'stream every bridge call to the terminal', type: 'boolean', default: false },
  profile,
  newestHostVersion,
  renameWebManifest,
] as const satisfies readonly OptionSpec[];

export const installOptions = [
  { name: 'trustStore', flags: '--trust-store <file>', description: 'partner registry JSON: partners, their public keys, app ids and permissions', type: 'string' },
  { name: 'appsDir', flags: '--apps-dir <dir>', description: 'where installed apps live (default: .miniapp/apps)', type: 'string', default: '.miniapp/apps' },
  hostVersion,
  { name: 'allowUnsigned', flags: '--allow-unsigned', description: 'work in progress: accept an unsigned package, skipping the signature steps', type: 'boolean', default: false, configurable: false },
  audit,
] as const satisfies readonly OptionSpec[];

export const conformanceOptions = [
  { name: 'trustStore', flags: '--trust-store <file>', description: 'partner registry to verify a signed package against (unsigned: signature checks skipped)', type: 'string' },
  hostVersion,
  { ...profile, default: undefined, description: 'manifest rules for a package: release (default) or dev' },
  { name: 'startupBudget', flags: '--startup-budget <ms>', description: 'longest acceptable launch to entry page loaded (default: 3000)', type: 'number', default: 3000 },
  { name: 'memoryMb', flags: '--memory-mb <n>', description: 'per-app memory limit in MB, counting buffers (default: 64)', type: 'number', default: 64 },
  { name: 'junit', flags: '--junit <file>', description: 'also write the checks as JUnit XML for CI systems', type: 'string', configurable: false },
  {
    name: 'allowWeakIsolation',
    flags: '--allow-weak-isolation',
    description: 'run even where the OS sandbox (Linux bubblewrap) is missing: the app then runs as a plain process with your rights to the network and your processes',
    type: 'boolean',
    default: false,
    configurable: false,
  },
  audit,
] as const satisfies readonly OptionSpec[];

export const runOptions = [
  { name: 'timeout', flags: '--timeout <ms>', description: 'stop the app if it is not idle after this long (default: 10000)', type: 'number', default: 10_000 },
  { name: 'grant', flags: '--grant <permissions>', description: 'consent permissions the user grants (comma-separated; default: all granted)', type: 'list', configurable: false },
  { name: 'deny', flags: '--deny <permissions>', description: 'consent permissions the user denies: their methods fail with USER_DENIED', type: 'list', configurable: false },
  { name: 'hostVersion', flags: '--host-version <version>', description: 'host version to emulate (default: the newest known); newer methods fail with METHOD_NOT_FOUND', type: 'string' },
  { name: 'dataDir', flags: '--data-dir <dir>', description: 'where app storage is kept, encrypted (default: .miniapp/data)', type: 'string', default: '.miniapp/data' },
  { name: 'hostKeyFile', flags: '--host-key-file <file>', description: 'the host key storage and tokens derive from (default: ~/.config/miniapp/host.key, created if missing)', type: 'string' },
  {
    name: 'network',
    flags: '--network <mode>',
    description: 'fixtures: answer from --fixtures; live: the real network; off: no network (default: fixtures)',
    type: 'string',
    choices: ['fixtures', 'live', 'off'],
    default: 'fixtures',
  },
  { name: 'fixtures', flags: '--fixtures <file>', description: 'JSON file of canned network responses and bridge answers', type: 'string' },
  { name: 'ca', flags: '--ca <file>', description: 'extra CA certificate (PEM) trusted by --network live', type: 'string' },
  {
    name: 'payment',
    flags: '--payment <outcome>',
    description: 'how payment.pay ends: success, cancel or fail (default: success)',
    type: 'string',
    choices: ['success', 'cancel', 'fail'],
    default: 'success',
  },
  { name: 'pubkey', flags: '--pubkey <pub.pem>', description: 'for a .zip: the public key it must be signed with (default: unsigned packages run, for local work)', type: 'string' },
  { name: 'record', flags: '--record <file>', description: 'save every bridge call to this file', type: 'string', configurable: false },
  { name: 'replay', flags: '--replay <file>', description: 'answer bridge calls from a recording, in order, per method', type: 'string', configurable: false },
  {
    name: 'unsafeInProcess',
    flags: '--unsafe-in-process',
    description: 'run the app in this process with YOUR rights (files, environment, network), not in the sandbox: only for your own code (default: the OS sandbox, as conformance)',
    type: 'boolean',
    default: false,
    configurable: false,
  },
  audit,
] as const satisfies readonly OptionSpec[];

export const registryOptions = [
  { name: 'data', flags: '--data <dir>', description: 'the registry folder: the embedded database and the package blobs', type: 'string' },
  { name: 'database', flags: '--database <url>', description: 'postgres://… : keep the records in PostgreSQL instead (blobs stay under --data)', type: 'string', configurable: false },
  { name: 'schema', flags: '--schema <name>', description: 'PostgreSQL schema (default: public)', type: 'string' },
  { name: 'port', flags: '--port <number>', description: 'serve: port to listen on; 0 picks a free one (default: 8090)', type: 'number', default: 8090 },
  { name: 'host', flags: '--host <address>', description: 'serve: interface to bind (default: 127.0.0.1)', type: 'string', default: '127.0.0.1' },
  { name: 'maxUploadMb', flags: '--max-upload-mb <n>', description: 'serve: largest accepted upload in MB (default: 32)', type: 'number', default: 32 },
  { name: 'uploadTimeoutMs', flags: '--upload-timeout-ms <ms>', description: 'serve: longest an upload may take (default: 60000)', type: 'number', default: 60_000 },
  { name: 'conformance', flags: '--no-conformance', description: 'serve: do not run conformance on published packages', type: 'boolean', configurable: false },
  { name: 'startupBudget', flags: '--startup-budget <ms>', description: "serve: conformance's longest acceptable launch (default: 3000)", type: 'number' },
  { name: 'allowSelfReview', flags: '--allow-self-review', description: "serve: let a reviewer approve their own partner's package (default: forbidden)", type: 'boolean', default: false },
  { name: 'name', flags: '--name <name>', description: 'partner add: display name', type: 'string', configurable: false },
  { name: 'permissions', flags: '--permissions <list>', description: 'partner add|permissions: bridge permissions the partner may use (comma-separated)', type: 'list', configurable: false },
  { name: 'publicKey', flags: '--public-key <pub.pem>', description: 'key add|rotate: the public key (PEM)', type: 'string', configurable: false },
  { name: 'appIds', flags: '--app-ids <list>', description: 'key add|rotate: app ids the key may sign (com.partner.* patterns allowed)', type: 'list', configurable: false },
  { name: 'role', flags: '--role <role>', description: 'token create: admin, reviewer or partner (default: partner)', type: 'string', choices: ['admin', 'reviewer', 'partner'], configurable: false },
  { name: 'partner', flags: '--partner <id>', description: "token create: the partner a partner token acts for (or a reviewer's own partner)", type: 'string', configurable: false },
  { name: 'label', flags: '--label <text>', description: 'token create: what the token is for', type: 'string', configurable: false },
  {
    name: 'channel',
    flags: '--channel <name>',
    description: 'release, rollout, pause, resume, rollback: stable or beta (default: stable)',
    type: 'string',
    choices: ['stable', 'beta'],
    configurable: false,
  },
  { name: 'percent', flags: '--percent <n>', description: 'release, rollout: share of devices, above 0 and at most 100 (default: 100)', type: 'number', configurable: false },
  { name: 'reason', flags: '--reason <text>', description: 'yank: why', type: 'string', configurable: false },
  { name: 'out', flags: '--out <file>', description: 'trust-store: also write it to this file (what install --trust-store reads)', type: 'string', configurable: false },
  { name: 'after', flags: '--after <seq>', description: 'audit: entries after this sequence number', type: 'number', configurable: false },
  {
    name: 'registry',
    flags: '--registry <url>',
    description: 'act over HTTP on a running registry with MINIAPP_REGISTRY_TOKEN (release, rollout, pause, resume, rollback, yank, status, trust-store, audit)',
    type: 'string',
    configurable: false,
  },
  tokenFile,
] as const satisfies readonly OptionSpec[];

export const publishOptions = [registryUrl, tokenFile] as const satisfies readonly OptionSpec[];

export const reviewOptions = [
  registryUrl,
  tokenFile,
  {
    name: 'status',
    flags: '--status <status>',
    description: 'list: only submitted, approved or rejected versions',
    type: 'string',
    choices: ['submitted', 'approved', 'rejected'],
    configurable: false,
  },
  { name: 'reason', flags: '--reason <text>', description: 'reject: why (the partner sees it)', type: 'string', configurable: false },
  { name: 'pending', flags: '--pending', description: 'rerun: every conformance run left pending by a registry process that stopped', type: 'boolean', default: false, configurable: false },
] as const satisfies readonly OptionSpec[];
