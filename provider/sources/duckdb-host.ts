/**
 * The DuckDB process: a child of the program that runs a spec's SQL, started by duckdb-driver.ts.
 *
 * A spec is data, so its SQL may only read, and only what the spec may read:
 * - its working folder is the spec's folder, because DuckDB checks a relative path against the
 *   working folder before it opens it; its environment is empty, so no credential is in reach;
 * - DuckDB's own sandbox: `enable_external_access = false` with `allowed_directories` (the spec's
 *   folder, `settings.allowedRoots`, the reader's temporary folder), no extension installed or
 *   loaded on demand, `lock_configuration` so no statement can undo it; a database file is opened
 *   read-only;
 * - every query is exactly one SELECT statement by DuckDB's own parser (`json_serialize_sql`
 *   serializes SELECT statements only; statement extraction counts them), and every statement run
 *   is prepared alone and must be of type SELECT.
 */
import { DuckDBInstance, DuckDBTypeId, StatementType, type DuckDBConnection } from "@duckdb/node-api";
import { chunkLines } from "./duckdb-chunk-lines";
import type { DuckDbSandbox, HostReply, HostRequest } from "./duckdb-protocol";
import { leadingKeyword, sandboxRefusal, sqlString } from "./query-rules";

/** Chunks of 2,048 rows read between two young-generation collections (see {@link column}). */
const COLLECT_EVERY_CHUNKS = 64;

/** A young-generation collection; the program starts this process with --expose-gc. */
const collectYoung: (() => void) | undefined = typeof globalThis.gc === "function" ? () => void globalThis.gc?.({ type: "minor" }) : undefined;

let connection: DuckDBConnection | undefined;
let instance: DuckDBInstance | undefined;

/** A query that breaks a rule of what a spec may run or read. */
class Refusal extends Error {}

const send = (reply: HostReply): Promise<void> =>
  new Promise((resolve, reject) => {
    // The callback fires once the message is written: the next block waits for it, so a slow reader holds DuckDB back.
    process.send?.(reply, (error: Error | null) => (error === null ? resolve() : reject(error)));
  });

async function open(sandbox: DuckDbSandbox): Promise<void> {
  instance = await DuckDBInstance.create(sandbox.database ?? ":memory:", {
    ...(sandbox.database === undefined ? {} : { access_mode: "READ_ONLY" }),
    ...(sandbox.memoryLimitBytes === undefined ? {} : { memory_limit: `${Math.floor(sandbox.memoryLimitBytes / 1e6)}MB` }),
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    temp_directory: sandbox.tempDir,
  });
  connection = await instance.connect();
  // allowed_directories can be set only while external access is on, and nothing after the lock.
  await connection.run(`SET allowed_directories = [${sandbox.readDirs.map(sqlString).join(", ")}]::VARCHAR[]`);
  await connection.run("SET enable_external_access = false");
  await connection.run("SET lock_configuration = true");
}

/** Refuses anything but exactly one SELECT statement, by DuckDB's parser alone: nothing is bound, read or run. */
async function check(query: string): Promise<void> {
  const db = opened();
  const serialize = await db.prepare("SELECT json_serialize_sql($1::VARCHAR)");
  serialize.bindVarchar(1, query);
  const parsed = JSON.parse(String((await serialize.runAndReadAll()).getRows()[0]?.[0])) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
    statements?: unknown[];
  };
  serialize.destroySync();
  if (parsed.error && parsed.error_type === "parser") throw new Error(`is not valid SQL (a query must be exactly one SELECT statement): ${parsed.error_message ?? "syntax error"}`);
  // json_serialize_sql lists SELECT statements only; with any other kind in the text, DuckDB's statement extraction counts them.
  const count = parsed.error ? await statementCount(query) : (parsed.statements ?? []).length;
  if (count === 0) throw new Refusal("the query has no statement; it must be one SELECT statement");
  if (count > 1) throw new Refusal(`the query must be exactly one SELECT statement; it has ${count} statements (SQL in a spec may only read)`);
  if (parsed.error) throw new Refusal(`the query must be a SELECT statement; ${leadingKeyword(query)} statements are refused (SQL in a spec may only read)`);
}

async function statementCount(query: string): Promise<number> {
  try {
    return (await opened().extractStatements(query)).count;
  } catch {
    return 1; // extraction expands some PRAGMAs by reading files, which the sandbox refuses: still one statement that is not a SELECT
  }
}

/** `sql` prepared alone; it must be a SELECT (a text of several statements cannot be prepared at all). */
async function preparedSelect(sql: string): Promise<import("@duckdb/node-api").DuckDBPreparedStatement> {
  const prepared = await opened().prepare(sql);
  if (prepared.statementType !== StatementType.SELECT) {
    prepared.destroySync();
    throw new Refusal("the query must be a SELECT statement (SQL in a spec may only read)");
  }
  return prepared;
}

async function columns(sql: string): Promise<Array<{ name: string; type: string }>> {
  const prepared = await preparedSelect(sql);
  try {
    return Array.from({ length: prepared.columnCount }, (_, i) => ({ name: prepared.columnName(i), type: prepared.columnType(i).toString() }));
  } finally {
    prepared.destroySync();
  }
}

/**
 * Streams the one VARCHAR column of the SELECT `sql` in result order, chunk by chunk as DuckDB
 * makes them, each chunk's lines one block (see duckdb-chunk-lines.ts): nothing waits for the
 * whole result. One block per chunk (about 50 KB for cookie IDs) lets every buffer die young;
 * gathering 1 MB blocks kept them past young collections and the DuckDB process grew by 50 MB more.
 */
async function column(id: number, sql: string): Promise<void> {
  const prepared = await preparedSelect(sql);
  try {
    if (prepared.columnCount !== 1 || prepared.columnTypeId(0) !== DuckDBTypeId.VARCHAR) throw new Error("the query must return one VARCHAR column");
    const result = await prepared.stream();
    let firstRow = 1;
    for (let chunks = 1; ; chunks++) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) return;
      await send({ id, kind: "block", bytes: chunkLines(chunk), firstRow });
      firstRow += chunk.rowCount;
      // A chunk's memory (and the Parquet page it points into) is freed only when its JS object is collected,
      // and V8 does not count it: without this, hundreds of MB of read chunks wait for a collection.
      if (chunks % COLLECT_EVERY_CHUNKS === 0) collectYoung?.();
    }
  } finally {
    prepared.destroySync();
  }
}

function opened(): DuckDBConnection {
  if (connection === undefined) throw new Error("the DuckDB process was not opened");
  return connection;
}

async function handle(request: HostRequest): Promise<void> {
  try {
    switch (request.op) {
      case "open":
        await open(request.sandbox);
        return await send({ id: request.id, kind: "done" });
      case "check":
        await check(request.query);
        return await send({ id: request.id, kind: "done" });
      case "columns":
        return await send({ id: request.id, kind: "done", columns: await columns(request.sql) });
      case "column":
        await column(request.id, request.sql);
        return await send({ id: request.id, kind: "done" });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await send({ id: request.id, kind: "error", message: error instanceof Refusal ? message : (sandboxRefusal(message) ?? message) });
  }
}

if (process.send !== undefined) {
  // Requests run one at a time, in order: one connection, and the program waits for each reply.
  let queue = Promise.resolve();
  process.on("message", (request: HostRequest) => {
    queue = queue.then(() => handle(request));
  });
  // The program went away (or closed us): nothing is left to answer.
  process.on("disconnect", () => {
    connection?.closeSync();
    instance?.closeSync();
    process.exit(0);
  });
}
