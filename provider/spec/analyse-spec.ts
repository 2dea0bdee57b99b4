/**
 * The pure half of loading: YAML, schema and semantic checks on spec text, plus resolution.
 * Touches no file system; file existence is left to `loadSpec`.
 */
import { dirname, resolve } from "node:path";

import { collectAllowedRoots, collectFileReferences, type AllowedRoot, type FileReference } from "./file-references";
import type { LoadedSpec } from "./loaded-spec";
import { resolveSpec } from "./resolve-spec";
import { describeSchemaErrors } from "./schema-error-messages";
import { checkSpecSemantics } from "./semantic-checks";
import type { SpecError } from "./spec-error";
import type { SpecIssue } from "./spec-issue";
import { formatSpecPath } from "./spec-path";
import { collectSqlQueries, type SqlQueryReference } from "./sql-queries";
import { matchesSpecSchema, validateAgainstSpecSchema } from "./spec-schema";
import { readYamlSource, type ReadYamlOptions } from "./yaml-source";

export interface SpecAnalysis {
  /** Every error found in the text, in the order the checks found them. */
  errors: SpecError[];
  /** Files the spec names; they still need checking. Empty when the YAML could not be read. */
  fileReferences: FileReference[];
  /** The folders those files may be in: the spec's folder, then `settings.allowedRoots`. */
  allowedRoots: AllowedRoot[];
  /** The spec's SQL queries, for checks of their text. Empty when the YAML could not be read. */
  sqlQueries: SqlQueryReference[];
  /** Gives issues found later (missing files) positions in this spec. */
  locate(issues: readonly SpecIssue[]): SpecError[];
  /** The resolved spec; undefined when there are errors. */
  spec: LoadedSpec | undefined;
}

/**
 * Analyses spec text. `fileName` names the file in errors as given; relative paths in the spec
 * resolve against its folder (relative to the working directory if `fileName` is relative).
 */
export function analyseSpec(text: string, fileName: string, options: ReadYamlOptions = {}): SpecAnalysis {
  const source = readYamlSource(text, options);
  const { locator } = source;
  const locate = (issues: readonly SpecIssue[]): SpecError[] =>
    issues.map((issue) => ({
      file: fileName,
      ...(issue.position ?? locator.position(issue.path, issue.anchor)),
      path: formatSpecPath(issue.path),
      message: issue.message,
    }));
  const syntaxErrors = source.syntaxErrors.map(({ offset, message }): SpecError => ({ file: fileName, ...locator.positionAt(offset), path: "", message }));
  const errors = [...syntaxErrors, ...locate(source.duplicateKeys)];
  const noFiles = { fileReferences: [], allowedRoots: [], sqlQueries: [] };
  if (source.data === undefined) return { errors, ...noFiles, locate, spec: undefined };

  const { data } = source;
  if (data === null) {
    // An empty file or only comments: "must be a mapping, got an empty value" would be cryptic.
    const empty: SpecError = { file: fileName, line: 1, column: 1, path: "", message: "the spec is empty; it needs at least version and audiences" };
    return { errors: [...errors, empty], ...noFiles, locate, spec: undefined };
  }
  errors.push(...locate(describeSchemaErrors(validateAgainstSpecSchema(data), data, locator)));
  errors.push(...locate(checkSpecSemantics(data, locator)));
  const file = resolve(fileName);
  const fileReferences = collectFileReferences(data, dirname(file));
  const allowedRoots = collectAllowedRoots(data, dirname(file));
  const sqlQueries = collectSqlQueries(data);
  const spec = errors.length === 0 && matchesSpecSchema(data) ? resolveSpec(data, file, locator) : undefined;
  return { errors, fileReferences, allowedRoots, sqlQueries, locate, spec };
}
