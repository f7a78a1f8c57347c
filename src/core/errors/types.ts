/** Arguments an error message or hint is built from. */
export type ErrorArgs = Record<string, unknown>;

/** One entry of the error catalogue: a permanent code, a title, a message and a hint built from arguments. */
export interface ErrorDefinition {
  /** Short human title, used in docs/errors.md. */
  title: string;
  /** What happened and why. */
  message: (args: ErrorArgs) => string;
  /** What to do about it. */
  hint: (args: ErrorArgs) => string;
  /** Exit status the CLI uses when this error ends a command: 1 (default) or 2 for usage errors. */
  exitCode?: 1 | 2;
}

export type ErrorCatalog = Record<string, ErrorDefinition>;

export type Severity = 'error' | 'warning';

/** Where a problem is: a file, a JSON pointer inside it, and 1-based line and column. */
export interface Location {
  file?: string;
  pointer?: string;
  line?: number;
  column?: number;
}

/** A problem found by a validator: validators return every one of them instead of stopping at the first. */
export interface Diagnostic extends Location {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** The offending source line with a caret under the column (build errors), printed under the diagnostic. */
  frame?: string;
}
