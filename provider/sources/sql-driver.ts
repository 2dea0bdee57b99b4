/**
 * What a SQL source module implements. DuckDB and PostgreSQL are two; a warehouse driver
 * (BigQuery, Snowflake, Databricks) is one more module with the same shape, registered in
 * sql-drivers.ts (see docs/sources.md).
 */
import type { ResolvedSqlSource } from "../spec";

/** What a driver may need from the program: stack config secrets and the environment. */
export interface SqlSourceContext {
  /** A stack config value by full key (`dsp:warehouseUrl`), secrets decrypted; undefined when unset. */
  config(key: string): string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** One open connection; queries run one at a time. */
export interface SqlConnection {
  /**
   * Runs `query`, checks that it returns exactly one column, and calls `onValue` once per row in
   * result order with the value as the client library gives it (text as a string; NULL as null),
   * without holding the whole result. Rejects with a SourceError whose message is
   * {@link safeDbMessage}'s cleaned database message.
   */
  streamColumn(query: string, onValue: (value: unknown, row: number) => void): Promise<void>;
  close(): Promise<void>;
}

/** A driver module's export. */
export interface SqlDriver {
  /** Opens a connection; loads its client library with `await import()` only now. */
  open(source: ResolvedSqlSource, context: SqlSourceContext): Promise<SqlConnection>;
}
