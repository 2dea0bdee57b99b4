/**
 * Loading a spec file: read, validate, resolve. `loadSpec` is the entry point; `parseSpec` does
 * the same for text in memory without touching the file system.
 */
import { isUtf8 } from "node:buffer";
import { readFile } from "node:fs/promises";

import type { RealPath } from "../util/confined-path";
import { firstInvalidUtf8, utf8PositionAt } from "../util/utf8";
import { analyseSpec } from "./analyse-spec";
import { checkFileReferences, type FileProbe } from "./file-references";
import type { LoadedSpec } from "./loaded-spec";
import type { SpecIssue } from "./spec-issue";
import type { SqlQueryReference } from "./sql-queries";
import { SpecValidationError } from "./spec-error";

/**
 * Parses and validates spec text without touching the file system, so ID files and records
 * CSVs are not checked for existence (`loadSpec` does that).
 *
 * @param text the YAML spec
 * @param fileName names the spec in errors; relative paths inside the spec resolve against its
 *   folder (from the working directory when `fileName` is relative)
 * @throws SpecValidationError listing every error found
 */
export function parseSpec(text: string, fileName: string): LoadedSpec {
  const analysis = analyseSpec(text, fileName);
  if (analysis.spec === undefined) throw new SpecValidationError(analysis.errors);
  return analysis.spec;
}

/** Options for `loadSpec`; tests use them, callers need none. */
export interface LoadSpecOptions {
  /** How file existence is checked. Default: `fs.stat`. */
  probe?: FileProbe;
  /** How symbolic links are resolved when checking that files stay in the allowed folders. Default: `fs.realpath`. */
  realPath?: RealPath;
  /**
   * Checks the text of the spec's SQL queries without running them (`validate` passes DuckDB's
   * parser); one issue per query it refuses, at the query's node. Default: no check.
   */
  checkQueries?: (queries: readonly SqlQueryReference[]) => Promise<SpecIssue[]>;
}

/**
 * Reads, validates and resolves a spec file (which must be UTF-8), and checks that every ID file and records CSV it
 * names exists and resolves, after symbolic links, inside the spec's folder or a `settings.allowedRoots` folder. The
 * ID files are not read.
 *
 * @param path the spec file; errors name it as given
 * @throws SpecValidationError listing every error found
 * @throws the `fs` error (with `code`, e.g. ENOENT) when the spec file itself cannot be read
 */
export async function loadSpec(path: string, options: LoadSpecOptions = {}): Promise<LoadedSpec> {
  const bytes = await readFile(path);
  if (!isUtf8(bytes)) {
    const position = utf8PositionAt(bytes, firstInvalidUtf8(bytes));
    throw new SpecValidationError([{ file: path, ...position, path: "", message: "not valid UTF-8; save the spec as UTF-8" }]);
  }
  const analysis = analyseSpec(bytes.toString("utf8"), path);
  const confinement = { roots: analysis.allowedRoots, ...(options.realPath === undefined ? {} : { realPath: options.realPath }) };
  const fileErrors = analysis.locate(await checkFileReferences(analysis.fileReferences, options.probe, confinement));
  if (options.checkQueries !== undefined && analysis.sqlQueries.length > 0) fileErrors.push(...analysis.locate(await options.checkQueries(analysis.sqlQueries)));
  if (analysis.spec === undefined || fileErrors.length > 0) {
    throw new SpecValidationError([...analysis.errors, ...fileErrors]);
  }
  return analysis.spec;
}
