/**
 * Spec errors: where a spec file is wrong and why. Validation collects every error before it
 * reports; `SpecValidationError` carries them all.
 */

/** One problem in a spec file, pointing at the exact YAML node. */
export interface SpecError {
  /** The spec file, as the caller named it. */
  file: string;
  /** 1-based line of the node the error is about. */
  line: number;
  /** 1-based column of that node. */
  column: number;
  /** Path of the node, like `audiences.loyal-customers.members.COOKIE[3]`; "" for the whole document or a YAML syntax error. */
  path: string;
  /** What is wrong, without the location. */
  message: string;
}

/** Prints an error as `file:line:column: path: message` (no `path: ` part when the path is ""). */
export function formatSpecError(error: SpecError): string {
  const location = `${error.file}:${error.line}:${error.column}`;
  return error.path === "" ? `${location}: ${error.message}` : `${location}: ${error.path}: ${error.message}`;
}

/** Orders errors by position in the file; errors at the same position keep their order. */
export function sortSpecErrors(errors: readonly SpecError[]): SpecError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Thrown by `loadSpec` and `parseSpec` when a spec is invalid. It is a user-data failure, not a
 * transport failure, so it stands outside the DSP client's error family. The message lists every
 * error, one per line, in file order.
 */
export class SpecValidationError extends Error {
  override readonly name = "SpecValidationError";
  /** Every error found, in file order. Never empty. */
  readonly errors: SpecError[];

  constructor(errors: readonly SpecError[]) {
    const sorted = sortSpecErrors(errors);
    super(sorted.map(formatSpecError).join("\n"));
    this.errors = sorted;
  }
}
