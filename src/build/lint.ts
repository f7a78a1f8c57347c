import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isBridgeMethod, methodPermission, methodSince } from '../bridge/permissions.js';
import { compareHostVersions } from '../bridge/version.js';
import { hostMatches } from '../manifest/domains.js';
import { diagnostic, type Diagnostic } from '../core/errors/index.js';
import type { Manifest } from '../manifest/types.js';
import { lineColumn } from './html.js';

export interface LintInput {
  manifest: Manifest;
  projectDir: string;
  /** The built code as it will ship: package path → text (bundles, stylesheets, the rewritten HTML). */
  code: Map<string, string>;
  /** Input modules esbuild bundled (metafile inputs, project-relative), used to point at the source line. */
  inputs: readonly string[];
}

export interface LintResult {
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Bridge methods the shipped code calls, sorted. */
  methods: string[];
}

// A bridge method name as a string literal: "namespace.method". Minifiers keep string literals, so this
// survives bundling whether the app calls MiniAppBridge.call directly or through a helper of its own.
const METHOD_LITERAL = /["'`]([a-z][a-zA-Z0-9]*\.[a-zA-Z][a-zA-Z0-9]*)["'`]/g;
const HTTPS_URL = /https:\/\/([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)(?=[:/?#"'`\s)\\]|$)/gi;

/** True when allowedDomains admits the host: the runtime's own allowlist rule, so lint and host agree. */
export const hostAllowed = hostMatches;

/** True when the shipped code asks canIUse about this method (minifiers keep the property and the literal). */
function guarded(method: string, code: ReadonlyMap<string, string>): boolean {
  const escaped = method.replace(/\./g, '\\.');
  const pattern = new RegExp(`canIUse\\(\\s*["'\`]${escaped}["'\`]\\s*\\)`);
  for (const text of code.values()) if (pattern.test(text)) return true;
  return false;
}

/** Finds where a literal first appears in the bundled inputs, the app's own files before its dependencies. */
function locate(needle: string, input: LintInput, includeDependencies: boolean, first?: string): { file: string; line: number; column: number } | undefined {
  const own = [...(first ? [first] : []), ...input.inputs.filter((p) => !p.includes('node_modules/'))];
  const deps = includeDependencies ? input.inputs.filter((p) => p.includes('node_modules/')) : [];
  for (const file of [...own, ...deps]) {
    if (file.includes(':')) continue; // esbuild namespaces (virtual modules), not files
    let text: string;
    try {
      text = readFileSync(join(input.projectDir, file), 'utf8');
    } catch {
      continue;
    }
    const at = text.indexOf(needle);
    if (at >= 0) return { file, ...lineColumn(text, at) };
  }
  return undefined;
}

/**
 * The manifest-code consistency lint: reads the code that will ship (not file names) and checks it
 * against the manifest. A bridge call whose permission is undeclared is an error (the host would refuse
 * it at run time); a declared permission no call uses is a warning (least privilege); an https:// URL
 * whose host is not in allowedDomains is a warning. URLs that appear only in dependencies (typically
 * documentation links in error messages, such as React's) are not reported.
 */
export function lintBundle(input: LintInput): LintResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const methods = new Map<string, string>();
  const hosts = new Map<string, string>();
  for (const [path, text] of input.code) {
    for (const m of text.matchAll(METHOD_LITERAL)) {
      const method = m[1]!;
      if (!methods.has(method) && isBridgeMethod(method)) methods.set(method, path);
    }
    for (const m of text.matchAll(HTTPS_URL)) {
      const host = m[1]!.toLowerCase();
      if (!hosts.has(host)) hosts.set(host, path);
    }
  }

  const declared = new Set<string>(input.manifest.permissions);
  const used = new Set<string>();
  for (const [method, path] of [...methods].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const where = () => locate(method, input, true, path.endsWith('.html') ? path : undefined) ?? { file: path };
    const since = methodSince(method)!;
    if (compareHostVersions(since, input.manifest.minHostVersion) > 0 && !guarded(method, input.code)) {
      warnings.push(diagnostic('BRIDGE_METHOD_UNGUARDED', { method, since, minHostVersion: input.manifest.minHostVersion }, where(), 'warning'));
    }
    const permission = methodPermission(method);
    if (permission === undefined) continue;
    used.add(permission);
    if (declared.has(permission)) continue;
    errors.push(diagnostic('BRIDGE_PERMISSION_UNDECLARED', { method, permission }, where()));
  }
  input.manifest.permissions.forEach((permission, index) => {
    if (!used.has(permission)) warnings.push(diagnostic('PERMISSION_UNUSED', { permission }, { file: 'manifest.json', pointer: `/permissions/${index}` }, 'warning'));
  });
  for (const [host, path] of [...hosts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (hostAllowed(host, input.manifest.allowedDomains)) continue;
    const needle = `https://${host}`;
    const where = locate(needle, input, false, path.endsWith('.html') ? path : undefined) ?? (path.endsWith('.html') ? { file: path } : undefined);
    if (!where) continue; // only in dependencies
    warnings.push(diagnostic('BUILD_URL_NOT_ALLOWED', { host, url: needle }, where, 'warning'));
  }
  return { errors, warnings, methods: [...methods.keys()].sort() };
}
