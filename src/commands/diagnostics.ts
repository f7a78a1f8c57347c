import type { Diagnostic } from '../core/errors/index.js';
import type { Colors } from './types.js';

/** `file:line:column severity CODE message (hint: ...)`, one line per problem, like a compiler. */
export function formatDiagnostic(d: Diagnostic, colors: Colors): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ''}` : ''} ` : '';
  const sev = d.severity === 'error' ? colors.red('error') : colors.yellow('warning');
  const hint = d.hint ? colors.dim(` (hint: ${d.hint})`) : '';
  const frame = d.frame ? `\n${colors.dim(d.frame)}` : '';
  return `${where}${sev} ${colors.bold(d.code)} ${d.message}${hint}${frame}`;
}
