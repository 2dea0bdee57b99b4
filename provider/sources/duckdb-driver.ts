/**
 * SQL on an embedded DuckDB (`@duckdb/node-api`, loaded only when a spec uses it): a database
 * file opened read-only, or in memory. Relative file paths in queries (read_parquet('x.parquet'))
 * start at the spec's folder. Also reads Parquet columns for parquet-column.ts.
 */
import type { ResolvedSqlSource } from "../spec";
import { safeDbMessage } from "./db-message";
import { loadOptional } from "./optional-package";
import { SourceError } from "./source-error";
import type { SqlConnection, SqlDriver } from "./sql-driver";

/** The DuckDB client package. */
export const DUCKDB_PACKAGE = "@duckdb/node-api";

type DuckDb = typeof import("@duckdb/node-api");

/** Opens DuckDB: `database` (absolute) read-only, or in memory; relative paths start at `dir`. */
export async function openDuckDb(database: string | undefined, dir: string, neededFor: string): Promise<SqlConnection> {
  const duckdb: DuckDb = await loadOptional(DUCKDB_PACKAGE, neededFor, () => import("@duckdb/node-api"));
  let instance: import("@duckdb/node-api").DuckDBInstance;
  try {
    instance = await duckdb.DuckDBInstance.create(database ?? ":memory:", database === undefined ? {} : { access_mode: "READ_ONLY" });
  } catch (error) {
    throw new SourceError(`cannot open the DuckDB database: ${safeDbMessage(messageOf(error), database ?? "")}`);
  }
  const connection = await instance.connect();
  await connection.run(`SET file_search_path = ${sqlString(dir)}`);
  return {
    async streamColumn(query, onValue) {
      let result: import("@duckdb/node-api").DuckDBResult;
      try {
        result = await connection.stream(query);
      } catch (error) {
        throw new SourceError(safeDbMessage(messageOf(error), query));
      }
      checkOneTextColumn(result.columnNames(), result.columnTypes().map((t) => ({ name: t.toString(), text: t.typeId === duckdb.DuckDBTypeId.VARCHAR })));
      let row = 0;
      for (;;) {
        let chunk: import("@duckdb/node-api").DuckDBDataChunk | null;
        try {
          chunk = await result.fetchChunk();
        } catch (error) {
          throw new SourceError(safeDbMessage(messageOf(error), query));
        }
        if (chunk === null || chunk.rowCount === 0) break;
        for (const value of chunk.getColumnValues(0)) onValue(value, ++row);
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
      return Promise.resolve();
    },
  };
}

/** A query's result must be one column of text; the error names what it got. */
export function checkOneTextColumn(names: readonly string[], types: ReadonlyArray<{ name: string; text: boolean }>): void {
  if (names.length !== 1) throw new SourceError(`the query must return exactly one column of IDs; it returns ${names.length}: ${names.join(", ")}`);
  const type = types[0];
  if (type !== undefined && !type.text) throw new SourceError(`column ${names[0] ?? ""} is ${type.name}, not text; cast it in the query (e.g. CAST(x AS VARCHAR))`);
}

/** A SQL string literal. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A SQL identifier, quoted. */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The driver for `sources: { x: { duckdb: … } }`. */
export const duckDbDriver: SqlDriver = {
  open(source: ResolvedSqlSource) {
    if (source.kind !== "duckdb") throw new Error(`duckdb driver given a ${source.kind} source`);
    return openDuckDb(source.database, source.dir, `SQL source ${source.name}`);
  },
};
