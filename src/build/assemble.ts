import { diagnostic } from '../core/errors/index.js';
import { parseJsonWithPositions } from '../manifest/json.js';
import type { Manifest } from '../manifest/types.js';
import { checkPackageEntries } from '../package/writer.js';
import { checkAssetReferences } from './asset-refs.js';
import { lintBundle } from './lint.js';
import type { BuildDiagnostic } from './types.js';
import { isWebAppManifest, relinkWebManifest, WEB_MANIFEST_NAME } from './web-manifest.js';

// The last steps every package goes through, whoever bundled it (esbuild, the project's Vite, or another
// bundler's output folder given to `miniapp pack`): one name rule, the web-manifest collision, the icon,
// the manifest-code lint and the literal asset check, all on exactly the files that will ship.

export interface PackageEntryInput {
  name: string;
  data: Uint8Array;
  /** Where it came from, for messages ("public/logo.png", "assets/x.js (bundle output)"). */
  source: string;
}

export interface AssembleInput {
  manifest: Manifest;
  manifestBytes: Uint8Array;
  /** Package path of the entry HTML and its final text. */
  htmlPath: string;
  html: string;
  /** Every other file (bundles, assets, public/), manifest.json and the HTML excluded. */
  entries: PackageEntryInput[];
  /** Run the manifest-code lint (default true). */
  lint?: boolean;
  /** Package a web app manifest found at manifest.json as site.webmanifest, relinking the HTML. */
  renameWebManifest?: boolean;
  /** For a build: the project and the modules bundled, so findings point at source lines. */
  sources?: { projectDir: string; inputs: readonly string[] };
}

export interface AssembleResult {
  /** The package content by name, sorted; empty when there are errors. */
  files: Map<string, Uint8Array>;
  errors: BuildDiagnostic[];
  warnings: BuildDiagnostic[];
}

const INLINE_MAP_MARKERS = ['\n//# sourceMappingURL=data:', '\n/*# sourceMappingURL=data:'].map((m) => Buffer.from(m, 'latin1'));

/** The code of an output without its trailing inline source map (base64, nothing the lint looks for, and most of the bytes). */
function withoutInlineSourceMap(data: Uint8Array): Uint8Array {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (const marker of INLINE_MAP_MARKERS) {
    const at = bytes.lastIndexOf(marker);
    if (at >= 0) return data.subarray(0, at + 1);
  }
  return data;
}

/** A web app manifest where the mini-program manifest goes: moved aside on request, else explained. */
function settleWebManifest(input: AssembleInput, errors: BuildDiagnostic[]): { entries: PackageEntryInput[]; html: string } {
  const clash = input.entries.find((e) => e.name.toLowerCase() === 'manifest.json');
  if (!clash) return { entries: input.entries, html: input.html };
  if (!isWebAppManifest(clash.data)) {
    if (clash.name !== 'manifest.json') return { entries: input.entries, html: input.html }; // a case variant: the name rule explains it
    errors.push(diagnostic('BUILD_PATH_DUPLICATE', { name: clash.name, source: clash.source }, { file: clash.source }));
    return { entries: input.entries, html: input.html };
  }
  if (!input.renameWebManifest) {
    errors.push(diagnostic('BUILD_WEB_MANIFEST_COLLISION', { source: clash.source, target: WEB_MANIFEST_NAME }, { file: clash.source }));
    return { entries: input.entries, html: input.html };
  }
  const entries = input.entries.map((e) => (e === clash ? { ...e, name: WEB_MANIFEST_NAME } : e));
  return { entries, html: relinkWebManifest(input.html, input.htmlPath).html };
}

function lintFindings(input: AssembleInput, html: string, entries: PackageEntryInput[]): { errors: BuildDiagnostic[]; warnings: BuildDiagnostic[] } {
  const decoder = new TextDecoder();
  const code = new Map<string, string>([[input.htmlPath, html]]);
  for (const e of entries) if (/\.(?:m?js|css)$/.test(e.name)) code.set(e.name, decoder.decode(withoutInlineSourceMap(e.data)));
  const lint = lintBundle({ manifest: input.manifest, projectDir: input.sources?.projectDir ?? '', code, inputs: input.sources?.inputs ?? [] });
  // Findings about manifest.json point at the line of the permission in question.
  const positions = parseJsonWithPositions(decoder.decode(input.manifestBytes)).positions;
  const place = (d: BuildDiagnostic): BuildDiagnostic => (d.file === 'manifest.json' && d.pointer && positions.has(d.pointer) ? { ...d, ...positions.get(d.pointer) } : d);
  const packaged = new Set(['manifest.json', input.htmlPath, ...entries.map((e) => e.name)]);
  const assets = checkAssetReferences({ htmlPath: input.htmlPath, code, packaged, sources: input.sources });
  return { errors: lint.errors.map(place), warnings: [...lint.warnings.map(place), ...assets] };
}

/** Checks and lints the package content; returns it sorted by name when nothing is wrong. */
export function assemblePackage(input: AssembleInput): AssembleResult {
  const errors: BuildDiagnostic[] = [];
  const warnings: BuildDiagnostic[] = [];
  const settled = settleWebManifest(input, errors);
  const html = new TextEncoder().encode(settled.html);
  const all: PackageEntryInput[] = [{ name: 'manifest.json', data: input.manifestBytes, source: 'manifest.json' }, { name: input.htmlPath, data: html, source: input.htmlPath }, ...settled.entries];
  // The clash explained above is not explained again as a case collision.
  const explained = new Set(errors.map((d) => d.file));
  errors.push(...checkPackageEntries(all).filter((d) => !(d.code === 'BUILD_PATH_COLLISION' && explained.has(d.file))));
  const icon = input.manifest.icon;
  if (icon && !all.some((e) => e.name === icon)) errors.push(diagnostic('BUILD_ICON_NOT_PACKAGED', { icon }, { file: 'manifest.json', pointer: '/icon' }));
  if (errors.length) return { files: new Map(), errors, warnings };
  if (input.lint !== false) {
    const lint = lintFindings(input, settled.html, settled.entries);
    errors.push(...lint.errors);
    warnings.push(...lint.warnings);
  }
  const sorted = all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { files: errors.length ? new Map() : new Map(sorted.map((e) => [e.name, e.data])), errors, warnings };
}
