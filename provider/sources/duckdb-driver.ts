/**
 * SQL on an embedded DuckDB (`@duckdb/node-api`, needed only when a spec uses it): a database file
 * opened read-only, or in memory. DuckDB runs in a child process (duckdb-host.ts) whose working
 * folder is the spec's, so relative file paths in queries (read_parquet('x.parquet')) start there,
 * and whose sandbox lets a query read only the spec's folder and `settings.allowedRoots`. Also
 * reads Parquet columns for read-sources.ts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { join, extname } from "node:path";
import { childBootstrap } from "../pii/worker-loader";
import type { ResolvedSqlSource } from "../spec";
import { safeDbMessage } from "./db-message";
import type { DuckDbSandbox, HostReply, HostRequest } from "./duckdb-protocol";
import { loadOptional } from "../util/optional-package";
import { SourceError } from "./source-error";
import { checkOneTextColumn, type SqlConnection, type SqlDriver, type SqlSourceContext } from "./sql-driver";

export { sqlIdentifier, sqlString } from "./query-rules";

/** The DuckDB client package. */
export const DUCKDB_PACKAGE = "@duckdb/node-api";

/** The DuckDB process's entry module, beside this one (.ts under ts-node, .js when compiled). */
const HOST_ENTRY = join(__dirname, `duckdb-host${extname(__filename)}`);

/** A DuckDB connection; also describes a relation (the Parquet column check) and checks a query's text. */
export interface DuckDbConnection extends SqlConnection {
  /** The columns of `relation` (e.g. `read_parquet('x.parquet')`), without reading its rows. */
  describe(relation: string): Promise<Array<{ name: string; type: string }>>;
  /**
   * Checks by DuckDB's parser alone that `query` is exactly one SELECT statement: nothing is bound,
   * read or run. @throws SourceError naming the rule it breaks
   */
  check(query: string): Promise<void>;
}

/** Where a DuckDB opens and what it may read. */
export interface DuckDbOpenOptions {
  /** Absolute database file, opened read-only; undefined: in memory. */
  database?: string;
  /** The spec's folder: the DuckDB process's working folder, where relative paths start. */
  dir: string;
  /** Absolute folders whose files a query may read (the spec's folder among them). */
  readDirs: readonly string[];
  /** The reader's temporary folder: also readable (copies of s3:// objects), and DuckDB spills inside it. */
  workDir: string;
  /**
   * Memory DuckDB may take for its buffers and cached blocks, bytes; more spills to `workDir`. At
   * least 125 MB per core. @default DuckDB's own (80 % of the machine's memory)
   */
  memoryLimitBytes?: number;
}

/** The part of the reader's memory budget DuckDB's `memory_limit` gets. */
const DUCKDB_MEMORY_SHARE = 0.25;
/**
 * The least `memory_limit` per DuckDB thread (one per core), from DuckDB's guidance: below it
 * ordinary queries fail (with 96 MB and two threads, read_csv could not get its 30.5 MiB buffer).
 */
const MIN_MEMORY_LIMIT_BYTES_PER_THREAD = 125e6;

let hosts = 0;

/** Opens DuckDB in its own process, sandboxed to `options.readDirs`. */
export async function openDuckDb(options: DuckDbOpenOptions, neededFor: string): Promise<DuckDbConnection> {
  await loadOptional(DUCKDB_PACKAGE, neededFor, () => Promise.resolve(require.resolve(DUCKDB_PACKAGE)));
  const host = new DuckDbHost(options.dir);
  const sandbox: DuckDbSandbox = {
    ...(options.database === undefined ? {} : { database: options.database }),
    readDirs: [...options.readDirs, options.workDir],
    tempDir: join(options.workDir, `duckdb-${++hosts}`),
    ...(options.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: Math.max(MIN_MEMORY_LIMIT_BYTES_PER_THREAD * availableParallelism(), options.memoryLimitBytes) }),
  };
  try {
    await host.request({ op: "open", sandbox }, options.database ?? "");
  } catch (error) {
    await host.close();
    throw error instanceof SourceError ? new SourceError(`cannot open the DuckDB database: ${error.message}`) : error;
  }
  const describe = async (relation: string): Promise<Array<{ name: string; type: string }>> =>
    (await host.request({ op: "columns", sql: `SELECT * FROM ${relation}` }, relation)) ?? [];
  const check = async (query: string): Promise<void> => void (await host.request({ op: "check", query }, query));
  return {
    describe,
    check,
    async streamColumn(query, sink) {
      await check(query);
      const columns = (await host.request({ op: "columns", sql: query }, query)) ?? [];
      checkOneTextColumn(
        columns.map((c) => c.name),
        columns.map((c) => ({ name: c.type, text: c.type === "VARCHAR" })),
      );
      // Chunk by chunk as DuckDB makes them, in result order: no ordered aggregate of the whole result.
      await host.request({ op: "column", sql: query }, query, (bytes, firstRow) => sink.lines(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), firstRow));
    },
    close: () => host.close(),
  };
}

type Request = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

interface Pending {
  /** Text whose quoted pieces may appear in messages (see safeDbMessage). */
  query: string;
  onBlock: ((bytes: Uint8Array, firstRow: number) => void) | undefined;
  resolve(columns: Array<{ name: string; type: string }> | undefined): void;
  reject(error: Error): void;
}

/** The DuckDB process and its requests, answered in order. */
class DuckDbHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderr = "";
  private ended: Promise<void>;

  constructor(cwd: string) {
    const boot = childBootstrap(HOST_ENTRY);
    // An empty environment: nothing the program holds (credentials, tokens) is visible to a query.
    // --expose-gc: the host collects the JS objects of read chunks, whose DuckDB memory V8 does not see (duckdb-host.ts).
    this.child = spawn(process.execPath, ["--expose-gc", ...boot.args], { cwd, env: {}, stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" });
    this.child.stderr?.on("data", (data: Buffer) => {
      this.stderr = (this.stderr + data.toString("utf8")).slice(-2000);
    });
    this.child.on("message", (reply: HostReply) => this.answer(reply));
    this.ended = new Promise((resolve) => {
      this.child.once("error", (error) => {
        this.failAll(`the DuckDB process could not start (${error.message})`);
        resolve();
      });
      this.child.once("exit", (code, signal) => {
        const last = this.stderr.trim().split("\n").slice(-3).join(" ");
        this.failAll(`the DuckDB process ended (${signal ?? `exit code ${code ?? "?"}`})${last === "" ? "" : `: ${last}`}`);
        resolve();
      });
    });
    if (boot.init !== undefined) this.child.send(boot.init);
  }

  /** Sends one request; resolves with its columns (for "columns"), passing blocks to `onBlock` on the way. */
  request(request: Request, query: string, onBlock?: (bytes: Uint8Array, firstRow: number) => void): Promise<Array<{ name: string; type: string }> | undefined> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { query, onBlock, resolve, reject });
      if (!this.child.connected) return this.failAll("the DuckDB process is not running");
      this.child.send({ ...request, id } as HostRequest);
    });
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await this.ended;
  }

  private answer(reply: HostReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    if (reply.kind === "block") {
      try {
        pending.onBlock?.(reply.bytes, reply.firstRow);
      } catch (error) {
        // The sink refused the rows: the request fails now; its remaining blocks are ignored.
        this.pending.delete(reply.id);
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return;
    }
    this.pending.delete(reply.id);
    if (reply.kind === "done") pending.resolve(reply.columns);
    else pending.reject(new SourceError(safeDbMessage(reply.message, pending.query)));
  }

  private failAll(message: string): void {
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new SourceError(message));
    }
  }
}

/** The driver for `sources: { x: { duckdb: … } }`. */
export const duckDbDriver: SqlDriver = {
  async open(source: ResolvedSqlSource, context: SqlSourceContext) {
    if (source.kind !== "duckdb") throw new Error(`duckdb driver given a ${source.kind} source`);
    const options = { dir: source.dir, readDirs: context.readDirs, workDir: await context.workDir(), ...memoryLimitOf(context) };
    return openDuckDb(source.database === undefined ? options : { ...options, database: source.database }, `SQL source ${source.name}`);
  },
};

/**
 * DuckDB's `memory_limit` from the reader's memory budget (`dsp:planMemoryMB`): a quarter of it, so
 * that a query's own buffers and cached blocks stay bounded beside the set the reader builds.
 */
export function memoryLimitOf(context: Pick<SqlSourceContext, "memoryBytes">): { memoryLimitBytes?: number } {
  return context.memoryBytes === undefined ? {} : { memoryLimitBytes: Math.floor(context.memoryBytes * DUCKDB_MEMORY_SHARE) };
}
