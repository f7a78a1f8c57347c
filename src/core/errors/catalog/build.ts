import type { ErrorCatalog } from '../types.js';

const q = (v: unknown) => JSON.stringify(v);

export const buildErrors = {
  BUILD_ERROR: {
    title: 'Build error',
    message: (a) => String(a.reason) + (a.note ? ` (${String(a.note)})` : ''),
    hint: () => 'Fix the source at the line shown, then build again.',
  },
  BUILD_UNRESOLVED_IMPORT: {
    title: 'Import cannot be resolved',
    message: (a) => String(a.reason),
    hint: () => 'Check the path (relative imports start with ./ or ../) and that the package is installed (`npm install`).',
  },
  BUILD_WARNING: {
    title: 'Bundler warning',
    message: (a) => String(a.reason) + (a.note ? ` (${String(a.note)})` : ''),
    hint: () => 'The build succeeded, but the code at the line shown probably does not do what you meant.',
  },
  BUILD_INVALID_OPTION: {
    title: 'Invalid build option',
    message: (a) => `the bundler refused an option: ${String(a.reason)}`,
    hint: () => 'Check --target (e.g. es2019,chrome80,safari13) and the other build options.',
    exitCode: 2,
  },
  BUILD_HTML_REFERENCE_MISSING: {
    title: 'Entry HTML references a missing file',
    message: (a) => `${q(a.url)} is referenced by the entry HTML but ${q(a.path)} does not exist`,
    hint: () => 'Fix the src/href, or create the file. "/x" is resolved from the project root, "x" from the HTML file\'s folder.',
  },
  BUILD_HTML_REFERENCE_OUTSIDE: {
    title: 'Entry HTML references a file outside the project',
    message: (a) => `${q(a.url)} points outside the project directory`,
    hint: () => 'Move the file into the project; a package only holds files from the project.',
  },
  BUILD_UNSAFE_PATH: {
    title: 'File name not allowed in a package',
    message: (a) => `${q(a.name)} cannot go into a package: it ${String(a.reason)}`,
    hint: () => 'Rename the file: package names are relative, use forward slashes, and have no "..", ":", backslash or control character.',
  },
  BUILD_PATH_COLLISION: {
    title: 'File names collide',
    message: (a) =>
      a.folder
        ? `${q(a.name)} is a file, but ${q(a.other)} needs a folder of the same name`
        : `${q(a.name)} and ${q(a.other)} are the same name on case-insensitive or Unicode-normalising file systems`,
    hint: () => 'Rename one of them: phones extract packages on file systems where these names clash.',
  },
  BUILD_PATH_DUPLICATE: {
    title: 'Two files want the same package path',
    message: (a) => `${q(a.source)} would be packaged as ${q(a.name)}, which the package already has`,
    hint: (a) =>
      a.name === 'manifest.json'
        ? "manifest.json at the package root is the mini-program manifest, written from the project's own manifest.json: rename or remove the other one."
        : 'Rename or remove one of them.',
  },
  BUILD_WEB_MANIFEST_COLLISION: {
    title: 'A web app manifest is in the way of the mini-program manifest',
    message: (a) => `${q(a.source)} is a web app manifest (PWA: icons, start_url, display), not the mini-program manifest, and both would be manifest.json at the package root`,
    hint: (a) => `Rename it to ${String(a.target)} and point <link rel="manifest"> at it, or let the build do both: add --rename-web-manifest.`,
  },
  BUILD_ASSET_NOT_PACKAGED: {
    title: 'Code names an asset the package does not hold',
    message: (a) => `the code refers to ${q(a.path)} by a literal path, but the package has no ${q(a.resolved)}: the app will fail to load it`,
    hint: () => 'Import the file from the code (`import url from "./logo.png"`) so the bundler packages it, or put it under public/ at that path.',
  },
  BUILD_COMPILER_MISSING: {
    title: 'The project lacks a compiler its files need',
    message: (a) => `${q(a.file)} needs ${String(a.compiler)}, which the project does not have (${String(a.reason)})`,
    hint: (a) => `Install it in the project: \`npm install ${String(a.install)}\`. The build uses the project's own copy, so the compiler matches the runtime it ships.`,
  },
  BUILD_PLUGIN_FAILED: {
    title: 'A framework compiler failed',
    message: (a) => `${String(a.tool)} failed on ${q(a.file)}: ${String(a.reason)}`,
    hint: () => 'Fix the file at the line shown (or the configuration named), then build again.',
  },
  BUILD_VITE_FAILED: {
    title: "The project's Vite build failed",
    message: (a) => `vite build failed: ${String(a.reason)}`,
    hint: () => 'Fix the file at the line shown, or the vite.config; `npx vite build` shows the same error.',
  },
  BUILD_ENTRY_NOT_BUILT: {
    title: 'The bundler produced no entry HTML',
    message: (a) => `manifest.json's entryPoint ${q(a.entryPoint)} is not among the files ${String(a.tool)} produced (${String(a.produced)})`,
    hint: () => 'Point entryPoint at the HTML the build emits (Vite: the path of the HTML input relative to its root, usually index.html).',
  },
  PACK_NOT_A_DIRECTORY: {
    title: 'pack needs a folder',
    message: (a) => `${q(a.path)} is not a folder`,
    hint: () => 'Give the folder your bundler wrote (dist/, build/, out/): `miniapp pack dist`. A zip made by hand is not a package; pack makes one.',
    exitCode: 2,
  },
  PACK_MANIFEST_NOT_FOUND: {
    title: 'No mini-program manifest to pack with',
    message: (a) => `no mini-program manifest at ${q(a.path)}`,
    hint: (a) =>
      `Keep manifest.json in your project (or in ${String(a.dir)} via your bundler's public folder), or name it: \`miniapp pack ${String(a.dir)} --manifest path/to/manifest.json\`. A web app manifest (PWA) is not one.`,
  },
  BUILD_SYMLINK: {
    title: 'Symbolic link in public/',
    message: (a) => `${q(a.name)} is a symbolic link`,
    hint: () => 'Replace the link with the file itself: a package holds regular files only.',
  },
  BUILD_SPECIAL_FILE: {
    title: 'Special file in public/',
    message: (a) => `${q(a.name)} is not a regular file`,
    hint: () => 'Remove it from public/: a package holds regular files only.',
  },
  BUILD_FILES_REFUSED: {
    title: 'Files refused by the package writer',
    message: (a) => `${String(a.count)} file name(s) cannot go into a package: ${String(a.first)}`,
    hint: () => 'Rename the files listed: the strict reader on the phone would refuse the package.',
  },
  BUILD_ZIP_LIMIT: {
    title: 'Package exceeds the zip format limits',
    message: (a) => `the package cannot be written as a zip: ${String(a.reason)}`,
    hint: () => 'Packages hold fewer than 65,535 files and less than 4 GB; a mini-program should be far smaller.',
  },
  BUILD_ICON_NOT_PACKAGED: {
    title: 'Icon is not in the package',
    message: (a) => `icon ${q(a.icon)} exists but would not be in the package`,
    hint: () => 'Put the icon under public/ (copied into the package as is), keeping the path manifest.json gives.',
  },
  BUILD_NOT_REPRODUCIBLE: {
    title: 'Build is not reproducible',
    message: (a) => `two builds of the same sources produced different packages (differing: ${String(a.files)})`,
    hint: () => 'Look for build-time values in the code (dates, random numbers, absolute paths) or a plugin that adds them.',
  },
  SOURCE_DATE_EPOCH_INVALID: {
    title: 'SOURCE_DATE_EPOCH is not a number',
    message: (a) => `SOURCE_DATE_EPOCH ${q(a.value)} is not a whole number of seconds since 1970`,
    hint: () => 'Set it to a Unix timestamp, e.g. `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`, or unset it.',
    exitCode: 2,
  },
  BUDGET_INVALID: {
    title: 'Invalid size budget',
    message: (a) => `budget ${q(a.value)} is not a size`,
    hint: () => 'Give bytes or a size with a unit: 2097152, 2MB, 1.5MB, 800KB.',
    exitCode: 2,
  },
  PACKAGE_TOO_LARGE: {
    title: 'Package is over its size budget',
    message: (a) => `the package is ${String(a.sizeText)} compressed, over its ${String(a.limitText)} budget (${String(a.percent)}%); biggest contributors: ${String(a.contributors)}`,
    hint: () => 'Shrink the biggest contributors (compress images, drop unused dependencies, lazy-load), or raise --budget if your platform allows it.',
  },
  PACKAGE_NEAR_BUDGET: {
    title: 'Package is close to its size budget',
    message: (a) => `the package is ${String(a.sizeText)} compressed, ${String(a.percent)}% of its ${String(a.limitText)} budget; biggest contributors: ${String(a.contributors)}`,
    hint: () => 'Keep an eye on it: over the budget the build fails.',
  },
  BRIDGE_PERMISSION_UNDECLARED: {
    title: 'Bridge call needs an undeclared permission',
    message: (a) => `the code calls ${q(a.method)}, which needs the ${q(a.permission)} permission, but manifest.json does not declare it`,
    hint: (a) => `Add ${q(a.permission)} to "permissions" in manifest.json, or remove the call: the host refuses it with PERMISSION_DENIED.`,
  },
  BRIDGE_METHOD_UNGUARDED: {
    title: 'Bridge method newer than minHostVersion, without canIUse',
    message: (a) => `${q(a.method)} appeared in host ${String(a.since)}, after minHostVersion ${String(a.minHostVersion)}, and the code does not check MiniAppBridge.canIUse(${q(a.method)})`,
    hint: (a) =>
      `On hosts older than ${String(a.since)} the call fails with METHOD_NOT_FOUND: guard it with \`if (MiniAppBridge.canIUse(${q(a.method)}))\`, or raise minHostVersion to ${String(a.since)}.`,
  },
  PERMISSION_UNUSED: {
    title: 'Declared permission is never used',
    message: (a) => `permission ${q(a.permission)} is declared but no bridge call in the built code needs it`,
    hint: () => 'Remove it from "permissions": apps ask only for what they use, and reviewers check.',
  },
  BUILD_URL_NOT_ALLOWED: {
    title: 'URL host not in allowedDomains',
    message: (a) => `the code contains ${String(a.url)}, but ${q(a.host)} is not in allowedDomains`,
    hint: (a) => `Add ${q(a.host)} to "allowedDomains" in manifest.json if the app talks to it; the host blocks requests to other domains.`,
  },
} satisfies ErrorCatalog;

export const initErrors = {
  INIT_INVALID_ID: {
    title: 'Invalid app id for a new project',
    message: (a) => `--id ${String(a.reason)}`,
    hint: (a) => String(a.fix),
    exitCode: 2,
  },
  INIT_INVALID_NAME: {
    title: 'Invalid display name',
    message: (a) => `--name ${JSON.stringify(a.value)} must be 1 to 64 characters and not blank`,
    hint: () => 'Give the name users see in the host, e.g. --name "Partner Loans".',
    exitCode: 2,
  },
  INIT_TEMPLATE_UNKNOWN: {
    title: 'Unknown template',
    message: (a) => `there is no template ${JSON.stringify(a.template)}`,
    hint: (a) => `Choose one of: ${String(a.known)}.`,
    exitCode: 2,
  },
  INIT_DIR_NOT_EMPTY: {
    title: 'Target directory is not empty',
    message: (a) => `${JSON.stringify(a.path)} is not empty (it holds ${String(a.entries)}${a.more ? ', …' : ''})`,
    hint: () => "Choose a new or empty directory, or pass --force to add the template into it (its other files are replaced and listed; an existing app's sources never are).",
  },
  INIT_WOULD_OVERWRITE: {
    title: "init --force would replace an app's own sources",
    message: (a) => `${JSON.stringify(a.path)} already holds an app: --force would replace ${String(a.files)}, which are not the template's own`,
    hint: () =>
      'Nothing was written. This directory is already a project: add a manifest.json to it (see docs/getting-started.md, "An existing app") instead of a template, or scaffold into a new directory and move your code over.',
  },
  INIT_TARGET_NOT_DIRECTORY: {
    title: 'Target is not a directory',
    message: (a) => `${JSON.stringify(a.path)} exists and is not a directory`,
    hint: () => 'Choose another path for the new project.',
  },
} satisfies ErrorCatalog;
