/**
 * The SQL queries a spec holds, where they are, and which engine runs them, collected from the
 * raw data so that a check of the query text (validate's DuckDB parse) can name each one's line.
 * Pure.
 */
import { ID_TYPES } from "./loaded-spec";
import { idSourceMaps } from "./id-source-nodes";
import { isMapping, type PathSegment } from "./spec-path";

/** One `sql:` source's query. */
export interface SqlQueryReference {
  /** The `query` node, e.g. `audiences.a.members.COOKIE.sql.query`. */
  path: PathSegment[];
  query: string;
  /** The engine that runs it: the built-in DuckDB, a `duckdb:` source, or a `postgres:` source. */
  engine: "duckdb" | "postgres";
}

/** Every `sql:` query in spec order; values of the wrong shape and unknown source names are skipped. */
export function collectSqlQueries(data: unknown): SqlQueryReference[] {
  if (!isMapping(data)) return [];
  const sources = isMapping(data.sources) ? data.sources : {};
  const references: SqlQueryReference[] = [];
  for (const { path, sources: byType } of idSourceMaps(data)) {
    for (const type of ID_TYPES) {
      const source = byType[type];
      const sql = isMapping(source) ? source.sql : undefined;
      if (!isMapping(sql) || typeof sql.query !== "string") continue;
      const named = typeof sql.source === "string" ? sources[sql.source] : undefined;
      const engine = sql.source === undefined ? "duckdb" : isMapping(named) ? (isMapping(named.postgres) ? "postgres" : "duckdb") : undefined;
      if (engine !== undefined) references.push({ path: [...path, type, "sql", "query"], query: sql.query, engine });
    }
  }
  return references;
}
