/**
 * How an error that stops the Pulumi program reads: one line per problem, each naming file, line
 * (or row) and column and what is wrong, never a value, a stack trace or an object dump. Pure.
 */
import * as path from "node:path";
import { IdFileError } from "../plan";
// The error file, not the pii barrel: a run without customer data loads no PII code.
import { formatIssue, PiiInputError } from "../pii/errors";
import { formatSpecError, SpecValidationError } from "../spec";
import { SourceError } from "../sources";
import { FileOutsideRootsError } from "../util/confined-path";
import { DEBUG_ENV } from "../util/debug";

export { DEBUG_ENV };

/** An error met while reading one input, with what names the input in messages (e.g. `records crm`). */
export interface InputFailure {
  /** Prefix of each line, e.g. `records crm`; "" for none. */
  context: string;
  error: unknown;
}

/** What the program reports: one line per problem, and whether any of them is unexpected (a bug). */
export interface InputDiagnostics {
  lines: string[];
  /** How many problems the lines describe (an ID file may have more than it lists). */
  problems: number;
  /** True when an error was not an input error: its stack trace would help, behind DSP_AUDIENCES_DEBUG=1. */
  unexpected: boolean;
}

/**
 * The diagnostic lines of input failures, in the order given. Files inside `cwd` (the program's
 * folder) are shown relative to it.
 */
export function describeInputFailures(failures: readonly InputFailure[], cwd: string): InputDiagnostics {
  const lines: string[] = [];
  let problems = 0;
  let unexpected = false;
  for (const { context, error } of failures) {
    const prefix = context === "" ? "" : `${context}: `;
    const own = inputErrorLines(error, cwd);
    if (own === undefined) unexpected = true;
    problems += own === undefined ? 1 : problemCount(error, own.length);
    for (const line of own ?? unexpectedLines(error)) lines.push(`${prefix}${line}`);
  }
  return { lines, problems, unexpected };
}

/** The lines of a known input error, or undefined for anything else. */
function inputErrorLines(error: unknown, cwd: string): string[] | undefined {
  if (error instanceof SpecValidationError) return error.errors.map(formatSpecError);
  if (error instanceof IdFileError) {
    const lines = error.problems.map((p) => `${shownPath(p.file, cwd)}:${p.line}${p.column === undefined ? "" : `:${p.column}`}: ${p.reason}`);
    const more = error.totalProblems - error.problems.length;
    if (more > 0) lines.push(`… and ${more.toLocaleString("en-US")} more invalid ID lines`);
    return lines;
  }
  if (error instanceof PiiInputError) {
    const file = shownPath(error.file, cwd);
    const lines = error.issues.map((issue) => `${file}: ${formatIssue(issue)}`);
    if (error.truncated) lines.push(`${file}: stopped after ${error.issues.length} problems; there may be more`);
    return lines;
  }
  if (error instanceof FileOutsideRootsError || error instanceof SourceError) return error.message.split("\n");
  if (error instanceof Error && error.cause !== undefined) return inputErrorLines(error.cause, cwd);
  const fsError = fileSystemError(error);
  if (fsError !== undefined) return [`${shownPath(fsError.path, cwd)}: cannot be read (${fsError.code})`];
  // Our own input checks throw plain Errors with a clean message ("config … is not set"); a bug
  // shows up as a TypeError, RangeError and the like.
  if (error instanceof Error && Object.getPrototypeOf(error) === Error.prototype) return error.message.split("\n");
  return undefined;
}

function problemCount(error: unknown, lines: number): number {
  const own = error instanceof Error && !(error instanceof IdFileError) && error.cause !== undefined ? error.cause : error;
  if (own instanceof IdFileError) return own.totalProblems;
  if (own instanceof PiiInputError) return own.issues.length;
  return lines;
}

/** An unexpected error: its message only (each line), and how to see where it came from. */
function unexpectedLines(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  return [...message.split("\n"), `(unexpected error; set ${DEBUG_ENV}=1 to see its stack trace)`];
}

/** An `fs` error naming the file it is about (ENOENT, EACCES, EISDIR…). */
function fileSystemError(error: unknown): { code: string; path: string } | undefined {
  if (!(error instanceof Error) || !("code" in error) || !("path" in error)) return undefined;
  return typeof error.code === "string" && typeof error.path === "string" ? { code: error.code, path: error.path } : undefined;
}

function shownPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
