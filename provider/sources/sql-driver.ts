/**
 * What a SQL source module implements. DuckDB and PostgreSQL are two; a warehouse driver
 * (BigQuery, Snowflake, Databricks) is one more module with the same shape, registered in
 * sql-drivers.ts (see docs/sources.md).
 */
import type { ResolvedSqlSource } from "../spec";
import { SourceError } from "./source-error";

/** What a driver may need from the program: stack config secrets, the environment, and what a query may do. */
export interface SqlSourceContext {
  /** A stack config value by full key (`dsp:warehouseUrl`), secrets decrypted; undefined when unset. */
  config(key: string): string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Absolute folders whose files a query on a local engine may read: the spec's folder and `settings.allowedRoots`. */
  readDirs: readonly string[];
  /** The reader's own temporary folder, made on first call and removed when the reader closes; absolute. */
  workDir(): Promise<string>;
  /** Longest one statement may run on a database server, in milliseconds (`settings.queryTimeoutSeconds`). */
  queryTimeoutMs: number;
  /** The reader's memory budget (`dsp:planMemoryMB`) in bytes, of which a local engine takes a share; undefined: no budget. */
  memoryBytes?: number;
}

/** Where a column's values go, row by row or many rows at once. */
export interface ColumnSink {
  /** One value of 1-based result row `row`, as the client library gives it (text as a string, NULL as null). */
  value(value: unknown, row: number): void;
  /**
   * Many text values at once, rows `firstRow`, `firstRow + 1`, … in order: UTF-8, separated by
   * "\n", NULL written as {@link NULL_LINE}. A value holding "\n" must be written with it
   * replaced by a control character, so that it stays one (invalid) value.
   */
  lines(bytes: Buffer, firstRow: number): void;
}

/** How {@link ColumnSink.lines} writes a NULL: U+0001, which no ID type allows. */
export const NULL_LINE = "\u0001";

/** One open connection; queries run one at a time. */
export interface SqlConnection {
  /**
   * Runs `query`, checks that it returns exactly one text column, and passes every row to `sink`
   * in result order without holding the whole result. Rejects with a SourceError whose message is
   * the database's, cleaned by safeDbMessage.
   */
  streamColumn(query: string, sink: ColumnSink): Promise<void>;
  close(): Promise<void>;
}

/** A driver module's export. */
export interface SqlDriver {
  /** Opens a connection; loads its client library with `await import()` only now. */
  open(source: ResolvedSqlSource, context: SqlSourceContext): Promise<SqlConnection>;
}

/** A query's result must be one column of text; the error names what it got. */
export function checkOneTextColumn(names: readonly string[], types: ReadonlyArray<{ name: string; text: boolean }>): void {
  if (names.length !== 1) throw new SourceError(`the query must return exactly one column of IDs; it returns ${names.length}: ${names.join(", ")}`);
  const type = types[0];
  if (type !== undefined && !type.text) throw new SourceError(`column ${names[0] ?? ""} is ${type.name}, not text; cast it in the query (e.g. CAST(x AS VARCHAR))`);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
