/**
 * `dsp-audiences validate <spec>`: checks a spec offline (no API, no network) and prints a
 * one-line summary or every error.
 */
import { loadSpec, type LoadSpecOptions } from "./load-spec";
import type { LoadedSpec } from "./loaded-spec";
import { formatSpecError, SpecValidationError } from "./spec-error";
import { parseCommandLine, type CommandSpec } from "../util/command-line";

/** Exit codes of the validate command. */
export const VALIDATE_EXIT = {
  valid: 0,
  invalid: 1,
  /** The spec file itself could not be read. */
  unreadable: 2,
} as const;

/** The command's arguments; its parser and its help. */
export const VALIDATE_COMMAND = {
  name: "validate",
  summary: "check a spec (schema, IDs, files, SQL statements) without touching any API or running any query",
  description:
    "Reads the spec and every ID file and CSV it names, parses its DuckDB queries (each must be exactly one\n" +
    "SELECT statement), and prints a one-line summary, or every error as file:line:column: path: message.\n" +
    "No API call, no network, no credentials, no query run.",
  arguments: [{ name: "spec", description: "the spec file", default: "audiences.yaml" }],
  options: {},
  exitCodes: {
    [VALIDATE_EXIT.valid]: "the spec is valid",
    [VALIDATE_EXIT.invalid]: "the spec has errors (each printed)",
    [VALIDATE_EXIT.unreadable]: "the spec file cannot be read, or a usage error",
  },
} as const satisfies CommandSpec;

/** `dsp-audiences validate [<spec>]`. @throws UsageError for arguments it cannot take */
export function validateCommandLine(args: readonly string[], out: (line: string) => void, options: Pick<LoadSpecOptions, "checkQueries"> = {}): Promise<number> {
  const { positionals } = parseCommandLine(VALIDATE_COMMAND, args);
  return validateSpecCommand(positionals[0] ?? "audiences.yaml", out, options);
}

/**
 * Validates the spec at `specPath`, writing lines to `out`:
 * `✓ audiences.yaml: 3 audiences, 12,345 inline IDs, 2 ID files`, or one line per error
 * (`file:line:column: path: message`) followed by `✗ audiences.yaml: 2 errors`. With
 * `options.checkQueries`, SQL queries are checked too (parsed, never run).
 *
 * @returns the exit code, see `VALIDATE_EXIT`
 */
export async function validateSpecCommand(specPath: string, out: (line: string) => void, options: Pick<LoadSpecOptions, "checkQueries"> = {}): Promise<number> {
  let spec: LoadedSpec;
  try {
    spec = await loadSpec(specPath, options);
  } catch (error) {
    if (error instanceof SpecValidationError) {
      for (const specError of error.errors) out(formatSpecError(specError));
      out(`✗ ${specPath}: ${plural(error.errors.length, "error")}`);
      return VALIDATE_EXIT.invalid;
    }
    const code = error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
    if (code === undefined) throw error;
    out(`✗ ${specPath}: cannot read the spec file (${code})`);
    return VALIDATE_EXIT.unreadable;
  }
  out(`✓ ${specPath}: ${summarizeSpec(spec)}`);
  return VALIDATE_EXIT.valid;
}

/** `3 audiences, 12,345 inline IDs, 2 ID files`, plus records sources and deletions when there are any. */
export function summarizeSpec(spec: LoadedSpec): string {
  const sources = spec.audiences.flatMap((audience) => Object.values(audience.members));
  const inlineIds = sources.reduce((count, source) => count + (source.kind === "inline" ? source.ids.length : 0), 0);
  const idFiles = new Set(sources.flatMap((source) => (source.kind === "files" ? source.files : [])));
  const parts = [plural(spec.audiences.length, "audience"), plural(inlineIds, "inline ID"), plural(idFiles.size, "ID file")];
  if (spec.records.length > 0) parts.push(plural(spec.records.length, "records source"));
  if (spec.deletions.length > 0) parts.push(plural(spec.deletions.length, "deletion"));
  return parts.join(", ");
}

function plural(count: number, noun: string): string {
  return `${count.toLocaleString("en-US")} ${noun}${count === 1 ? "" : "s"}`;
}
