import type { Message } from 'esbuild';
import { isAbsolute, join, relative } from 'node:path';
import { diagnostic, type Diagnostic, type ErrorCode } from '../core/errors/index.js';
import type { BuildDiagnostic } from './types.js';

/** The source line with a caret under the column, like a compiler prints it. */
export function codeFrame(lineText: string, line: number, column: number, length = 1): string {
  const gutter = String(line);
  const pad = ' '.repeat(gutter.length);
  // Tabs keep their width so the caret lines up with the character above it.
  const lead = lineText.slice(0, Math.max(0, column - 1)).replace(/[^\t]/g, ' ');
  return `  ${gutter} | ${lineText}\n  ${pad} | ${lead}${'^'.repeat(Math.max(1, Math.min(length, lineText.length - column + 1)))}`;
}

/** The compilers of the component formats esbuild has no loader for, and the package that brings each. */
const COMPONENT_COMPILERS: Record<string, { compiler: string; install: string }> = {
  vue: { compiler: 'vue/compiler-sfc', install: 'vue' },
  svelte: { compiler: 'svelte/compiler', install: 'svelte' },
};

/** esbuild's "no loader" error for a component of a framework the project lacks: its plugin was not registered. */
function componentWithoutFramework(m: Message): { code: string; args: Record<string, unknown> } | undefined {
  const match = /^No loader is configured for "\.(vue|svelte)" files: (.+)$/.exec(m.text);
  const known = match && COMPONENT_COMPILERS[match[1]!];
  if (!known) return undefined;
  return { code: 'BUILD_COMPILER_MISSING', args: { file: match[2], ...known, reason: `the project neither lists nor has ${known.install}` } };
}

/** An esbuild error or warning as a coded diagnostic: file:line:column (1-based) and its code frame. */
export function fromEsbuildMessage(m: Message, severity: 'error' | 'warning'): BuildDiagnostic {
  const loc = m.location;
  const own = (m.detail as { code?: string; args?: Record<string, unknown> } | undefined) ?? componentWithoutFramework(m);
  if (own && typeof own.code === 'string' && own.args) {
    const d: BuildDiagnostic = diagnostic(own.code as ErrorCode, own.args, loc ? { file: loc.file, line: loc.line, column: loc.column + 1 } : { file: String(own.args.file ?? '') }, severity);
    if (loc && loc.lineText) d.frame = codeFrame(loc.lineText, loc.line, loc.column + 1, loc.length || 1);
    return d;
  }
  const unresolved = /^Could not resolve /.test(m.text);
  const code = severity === 'warning' ? 'BUILD_WARNING' : unresolved ? 'BUILD_UNRESOLVED_IMPORT' : 'BUILD_ERROR';
  const note = m.notes.find((n) => n.text)?.text;
  const d: BuildDiagnostic = diagnostic(code, { reason: m.text, note }, loc ? { file: loc.file, line: loc.line, column: loc.column + 1 } : {}, severity);
  if (loc && loc.lineText) d.frame = codeFrame(loc.lineText, loc.line, loc.column + 1, loc.length || 1);
  return d;
}

/**
 * Diagnostics from the build core name files relative to the project directory; a command shows them
 * relative to where the user is.
 */
export function rebaseDiagnostics<T extends Diagnostic>(list: readonly T[], projectDir: string, cwd: string): T[] {
  return list.map((d) => {
    if (!d.file || isAbsolute(d.file)) return d;
    const shown = relative(cwd, join(projectDir, d.file)) || d.file;
    return { ...d, file: shown };
  });
}
