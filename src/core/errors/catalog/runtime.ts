import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);

/** Problems `miniapp run` and the testing API report about a running mini-program. */
export const runtimeErrors = {
  RUN_ENTRY_POINT_MISSING: {
    title: 'Entry point missing',
    message: (a) => `the entry point ${q(a.entryPoint)} is not in ${String(a.where)}`,
    hint: () => 'Create the file, or point "entryPoint" in manifest.json at the HTML file the app starts from.',
  },
  RUN_MANIFEST_INVALID: {
    title: 'Cannot run: invalid manifest',
    message: (a) => `${String(a.path)} has an invalid manifest (${String(a.count)} error${a.count === 1 ? '' : 's'})`,
    hint: () => 'Fix the errors listed (`miniapp validate` shows the same ones), then run again.',
  },
  RUN_PACKAGE_REFUSED: {
    title: 'Package refused before running',
    message: (a) => `${q(a.path)} was refused (${String(a.code)}): ${String(a.reason)}`,
    hint: (a) => String(a.hint ?? 'Run `miniapp verify` on the package to see the full decision.'),
  },
  RUN_BUILD_FAILED: {
    title: 'In-memory build failed',
    message: (a) => `building ${q(a.file)} failed: ${String(a.reason)}`,
    hint: () => 'Fix the source error shown; the file is bundled with esbuild before the app runs.',
  },
  RUN_ESCAPE_ATTEMPT: {
    title: 'The app tried to leave its sandbox',
    message: (a) => `${String(a.count)} escape attempt${a.count === 1 ? '' : 's'} caught by the sandbox, first: ${String(a.what)}`,
    hint: () =>
      "Code walked from a page object to the sandbox's Function constructor (`obj.constructor.constructor(...)`), the first step of a sandbox escape. It was stopped; a host refuses such an app. If a library does this, replace it or report it.",
  },
  RUN_SCRIPT_ERROR: {
    title: 'Uncaught error in the app',
    message: (a) => `uncaught ${String(a.message)}`,
    hint: () => 'An exception escaped a script, event handler or timer; the host would show the app as crashed. Catch it or fix the cause.',
  },
  RUN_UNHANDLED_REJECTION: {
    title: 'Unhandled promise rejection in the app',
    message: (a) => `unhandled rejection: ${String(a.message)}`,
    hint: () => 'Await the promise inside try/catch or add .catch(); bridge calls reject with {code, message}.',
  },
  RUN_RESOURCE_MISSING: {
    title: 'Referenced file missing',
    message: (a) => String(a.message),
    hint: () => 'Add the file to the package or fix the reference in the HTML.',
  },
  DOMAIN_NOT_ALLOWED: {
    title: 'Network request outside allowedDomains',
    message: (a) => `${String(a.api)} to ${String(a.url)} refused${Number(a.hop) > 0 ? ` at redirect ${String(a.hop)}` : ''}: ${String(a.reason)}`,
    hint: () => 'Mini-programs reach only https hosts listed in manifest.json "allowedDomains", on the default port, without user:password@ or IP literals.',
  },
  RUN_UNDECLARED_PERMISSION: {
    title: 'Bridge call without its permission',
    message: (a) => `${String(a.method)} was called ${String(a.count)} time${a.count === 1 ? '' : 's'} and refused with PERMISSION_DENIED: the manifest does not declare "${String(a.permission)}"`,
    hint: (a) => `Add "${String(a.permission)}" to "permissions" in manifest.json, or stop calling ${String(a.method)}.`,
  },
  RUN_UNKNOWN_METHOD: {
    title: 'Call to a method this host does not have',
    message: (a) => `${q(a.method)} was called ${String(a.count)} time${a.count === 1 ? '' : 's'} and refused with METHOD_NOT_FOUND`,
    hint: () => 'Check the name against docs/bridge.md (exact, case-sensitive), and guard newer methods with MiniAppBridge.canIUse.',
  },
  RUN_WEAK_ISOLATION: {
    title: 'The app ran without the OS sandbox',
    message: (a) => `the app ran with ${String(a.level)} isolation, not the OS sandbox: ${String(a.reason)}`,
    hint: (a) =>
      a.level === 'in-process'
        ? 'In-process runs the code with YOUR rights (files, environment, network, processes): only for code you wrote. Drop --unsafe-in-process to run it in the sandbox.'
        : 'A hostile app could reach your network and signal your processes. Run untrusted packages on Linux with bubblewrap (apt-get install bubblewrap) and user namespaces enabled.',
  },
  RUN_TIMEOUT: {
    title: 'The app did not become idle',
    message: (a) => `the app was still busy after ${String(a.timeoutMs)} ms (${String(a.busy)}); it was stopped`,
    hint: () => 'An interval, a pending request or a bridge call that never settles keeps it busy. Raise --timeout if the app needs longer.',
  },
  RUN_HOST_TOO_OLD: {
    title: 'Host older than minHostVersion',
    message: (a) => `the app needs host ${String(a.minHostVersion)} or newer; this run uses host ${String(a.hostVersion)}`,
    hint: () => 'A real host shows "update required" instead of launching. Raise --host-version or lower minHostVersion.',
  },
  RUN_OPTION_INVALID: {
    title: 'Invalid run option',
    message: (a) => `${String(a.option)} ${String(a.reason)}`,
    hint: (a) => (a.fix ? String(a.fix) : 'See `miniapp run --help`.'),
    exitCode: 2,
  },
  RUN_FILE_INVALID: {
    title: 'Fixtures or recording file invalid',
    message: (a) => `${q(a.path)} cannot be used as ${String(a.kind)}: ${String(a.reason)}`,
    hint: (a) => (a.kind === 'a recording' ? 'Use a file written by `miniapp run --record`.' : 'See docs/bridge.md for the fixtures format.'),
  },
  RUN_STORAGE_UNREADABLE: {
    title: 'App storage cannot be decrypted',
    message: (a) => `the storage of ${q(a.appId)} in ${q(a.dataDir)} cannot be read: ${String(a.reason)}`,
    hint: () => 'The data directory was written with another host key, or the file is damaged. Use the same --host-key, or another --data-dir.',
  },
} satisfies ErrorCatalog;
