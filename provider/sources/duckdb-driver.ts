/**
 * SQL on an embedded DuckDB (`@duckdb/node-api`, loaded only when a spec uses it): a database
 * file opened read-only, or in memory. Relative file paths in queries (read_parquet('x.parquet'))
 * start at the spec's folder. Also reads Parquet columns for parquet-column.ts.
 */
import type { ResolvedSqlSource } from "../spec";
import { safeDbMessage } from "./db-message";
import { loadOptional } from "../util/optional-package";
import { SourceError } from "./source-error";
import { NULL_LINE, type SqlConnection, type SqlDriver } from "./sql-driver";

/** The DuckDB client package. */
export const DUCKDB_PACKAGE = "@duckdb/node-api";

type DuckDb = typeof import("@duckdb/node-api");

/** A DuckDB connection; also describes a relation (the Parquet column check). */
export interface DuckDbConnection extends SqlConnection {
  /** The columns of `relation` (e.g. `read_parquet('x.parquet')`), without reading its rows. */
  describe(relation: string): Promise<Array<{ name: string; type: string }>>;
}

/**
 * Rows per block handed to the sink. DuckDB joins each block's values into one UTF-8 blob in
 * C++, so no JS string is made per row: turning 5M VARCHAR values into JS strings one by one
 * costs more than reading the whole Parquet file.
 */
const BLOCK_ROWS = 65_536;

/** Opens DuckDB: `database` (absolute) read-only, or in memory; relative paths start at `dir`. */
export async function openDuckDb(database: string | undefined, dir: string, neededFor: string): Promise<DuckDbConnection> {
  const duckdb: DuckDb = await loadOptional(DUCKDB_PACKAGE, neededFor, () => import("@duckdb/node-api"));
  let instance: import("@duckdb/node-api").DuckDBInstance;
  try {
    instance = await duckdb.DuckDBInstance.create(database ?? ":memory:", database === undefined ? {} : { access_mode: "READ_ONLY" });
  } catch (error) {
    throw new SourceError(`cannot open the DuckDB database: ${safeDbMessage(messageOf(error), database ?? "")}`);
  }
  const connection = await instance.connect();
  await connection.run(`SET file_search_path = ${sqlString(dir)}`);
  /** Every row of `sql`, chunk by chunk; DuckDB's errors cleaned against `query`. */
  const rows = async (sql: string, query: string, onChunk: (chunk: import("@duckdb/node-api").DuckDBDataChunk) => void): Promise<void> => {
    try {
      const result = await connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) return;
        onChunk(chunk);
      }
    } catch (error) {
      throw new SourceError(safeDbMessage(messageOf(error), query));
    }
  };
  const describe = async (relation: string, query = relation): Promise<Array<{ name: string; type: string }>> => {
    const columns: Array<{ name: string; type: string }> = [];
    await rows(`DESCRIBE SELECT * FROM ${relation}`, query, (chunk) => {
      const names = chunk.getColumnValues(0);
      const types = chunk.getColumnValues(1);
      names.forEach((name, i) => columns.push({ name: String(name), type: String(types[i]) }));
    });
    return columns;
  };
  return {
    describe,
    async streamColumn(query, sink) {
      // The query is wrapped in parentheses on lines of its own, so a trailing comment cannot swallow the rest.
      const relation = `(\n${query.replace(/;\s*$/, "")}\n)`;
      const columns = await describe(relation, query);
      checkOneTextColumn(
        columns.map((c) => c.name),
        columns.map((c) => ({ name: c.type, text: c.type === "VARCHAR" })),
      );
      // Blocks of rows in result order, each one blob of values joined by "\n" (NULL as U+0001,
      // a "\n" inside a value as U+0002 so that it stays one invalid value) and its first row number.
      const blocks =
        `SELECT string_agg(coalesce(replace(v, chr(10), chr(2)), chr(${NULL_LINE.charCodeAt(0)})), chr(10) ORDER BY rn)::BLOB, min(rn) ` +
        `FROM (SELECT v, row_number() OVER () AS rn FROM ${relation} AS q(v)) GROUP BY (rn - 1) // ${BLOCK_ROWS} ORDER BY 2`;
      await rows(blocks, query, (chunk) => {
        const blobs = chunk.getColumnValues(0) as unknown as Array<{ bytes: Uint8Array }>;
        const firstRows = chunk.getColumnValues(1);
        blobs.forEach((blob, i) => sink.lines(Buffer.from(blob.bytes.buffer, blob.bytes.byteOffset, blob.bytes.byteLength), Number(firstRows[i])));
      });
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
