/**
 * `validate`'s check of a spec's SQL: every query DuckDB would run is parsed by DuckDB, in its
 * sandboxed process with no folder to read, and must be exactly one SELECT statement. Nothing is
 * bound, read or run, so what a query reads (a file outside the allowed folders) is refused only
 * when it runs, at preview. PostgreSQL queries are left to the server, at preview: only it parses
 * its dialect. Without the optional DuckDB package there is nothing to parse with, and nothing is
 * reported.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SpecIssue, SqlQueryReference } from "../spec";
import { openDuckDb, type DuckDbConnection } from "./duckdb-driver";
import { SourceError } from "./source-error";

/** One issue per DuckDB query that is not exactly one SELECT statement, at its `query` node. */
export async function checkDuckDbQueries(queries: readonly SqlQueryReference[]): Promise<SpecIssue[]> {
  const duckdb = queries.filter((q) => q.engine === "duckdb");
  if (duckdb.length === 0) return [];
  const workDir = await mkdtemp(join(tmpdir(), "dsp-validate-"));
  let db: DuckDbConnection | undefined;
  try {
    try {
      db = await openDuckDb({ dir: workDir, readDirs: [], workDir }, "checking SQL queries");
    } catch (error) {
      if (error instanceof SourceError) return []; // the optional package is not installed
      throw error;
    }
    const issues: SpecIssue[] = [];
    for (const { path, query } of duckdb) {
      try {
        await db.check(query);
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        issues.push({ path, anchor: "node", message: error.message });
      }
    }
    return issues;
  } finally {
    await db?.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
