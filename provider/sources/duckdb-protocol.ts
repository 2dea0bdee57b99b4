/**
 * The messages between the program (duckdb-driver.ts) and the DuckDB process (duckdb-host.ts),
 * sent over the child process's IPC channel with structured-clone serialization.
 */

/** What the DuckDB process may read, and where it keeps its own files. All paths absolute. */
export interface DuckDbSandbox {
  /** A database file, opened read-only; undefined: in memory. */
  database?: string;
  /** Folders whose files a query may read: the spec's folder, `settings.allowedRoots`, the reader's temporary folder. */
  readDirs: string[];
  /** DuckDB's own temporary files (spilling) go here, inside the process's temporary folder. */
  tempDir: string;
  /** DuckDB's `memory_limit` (its buffers and cached blocks; more spills to `tempDir`), bytes. @default DuckDB's (80 % of RAM) */
  memoryLimitBytes?: number;
}

export type HostRequest =
  | { id: number; op: "open"; sandbox: DuckDbSandbox }
  /** Checks that `query` is exactly one SELECT statement, by DuckDB's own parser; nothing is run or bound. */
  | { id: number; op: "check"; query: string }
  /** The result columns of the SELECT `sql`, from its prepared statement (binding reads file metadata, not rows). */
  | { id: number; op: "columns"; sql: string }
  /** Runs the SELECT `sql`, whose one column is VARCHAR, and sends its values in blocks of lines as they come. */
  | { id: number; op: "column"; sql: string };

export type HostReply =
  | { id: number; kind: "done"; columns?: Array<{ name: string; type: string }> }
  /** Rows `firstRow`, `firstRow + 1`, … as ColumnSink lines (sql-driver.ts). */
  | { id: number; kind: "block"; bytes: Uint8Array; firstRow: number }
  /** The rule the query broke (what a spec may run or read), or DuckDB's own error message. */
  | { id: number; kind: "error"; message: string };
