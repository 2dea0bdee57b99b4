/**
 * Reads ID sources of every kind into sets: inline lists, ID files, CSV and Parquet columns and
 * SQL queries. Rows go straight into the set builder; each database is opened once per run (on
 * first use) and closed by {@link SourceReader.close}.
 */
import { createReadStream } from "node:fs";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { SnapshotLocation } from "../config/snapshot-location";
import { IdSetBuilder, readIdFiles, readIdFilesBounded, SpillingSetBuilder, type BuiltSet, type ReadIdFilesOptions } from "../plan";
import { DEFAULT_QUERY_TIMEOUT_SECONDS, ID_BYTES_CHECKS, ID_CANONICAL_FORMS, ID_SYNTAX_CHECKS, isObjectUrl, isUnderPrefix, objectRefusal, parseObjectUrl, type IdListSource, type IdType, type ResolvedSqlSource } from "../spec";
import { isInsideFolder } from "../util/confined-path";
import { MissingPackageError } from "../util/optional-package";
import { streamCsvColumn } from "./csv-column";
import { memoryLimitOf, openDuckDb, type DuckDbConnection } from "./duckdb-driver";
import { IdCollector, type CollectedIds, type SetSink } from "./id-collector";
import { sqlIdentifier, sqlString } from "./query-rules";
import { openS3Object, s3ObjectToTempFile } from "./s3-object";
import { SourceError } from "./source-error";
import type { ColumnSink, SqlConnection, SqlSourceContext } from "./sql-driver";
import { SQL_DRIVERS } from "./sql-drivers";

export type { CollectedIds } from "./id-collector";

/** What a reader needs: the spec's SQL sources, folder and settings, and where secrets come from. */
export interface SourceReaderOptions extends Pick<SqlSourceContext, "config" | "env"> {
  sources: readonly ResolvedSqlSource[];
  /** The spec's folder: where the default DuckDB's relative paths start, and the first folder its queries may read. */
  dir: string;
  /** Absolute folders besides `dir` that queries may read files in (`settings.allowedRoots`). @default [] */
  allowedRoots?: readonly string[];
  /** The `s3://bucket/prefix` roots `csv:` and `parquet:` objects must be under (`settings.allowedRoots`). @default [] (no object) */
  allowedObjectRoots?: readonly string[];
  /** Where applied-set snapshots are stored: never read as a member source. @default none */
  snapshotStore?: SnapshotLocation;
  /** Longest one statement may run on a database server, in milliseconds. @default `settings.queryTimeoutSeconds`' default */
  queryTimeoutMs?: number;
  /**
   * Memory a member list may take while it is read, in bytes; a larger one is sorted on disk (see
   * {@link SourceReader.readMembers}). DuckDB's `memory_limit` is a quarter of it (at least 125 MB per core).
   * @default no limit (DuckDB's own default)
   */
  memoryBytes?: number;
}

/** The name of the built-in in-memory DuckDB used by `sql:` without `source`. */
const DEFAULT_SOURCE = "(built-in DuckDB)";

/** Reads sources; one per program run. */
export class SourceReader {
  private readonly connections = new Map<string, Promise<SqlConnection>>();
  /** The built-in DuckDB, also used for Parquet files. */
  private builtIn: Promise<DuckDbConnection> | undefined;
  /** Queries on one connection run one after the other. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** The reader's temporary folder, made on first use. */
  private workDirMade: Promise<string> | undefined;
  /** What drivers get: secrets, the environment, and what a query may read. */
  private readonly context: SqlSourceContext;

  constructor(private readonly options: SourceReaderOptions) {
    this.context = {
      config: options.config,
      env: options.env,
      readDirs: [options.dir, ...(options.allowedRoots ?? [])],
      workDir: () => this.workDir(),
      queryTimeoutMs: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_SECONDS * 1000,
      ...(options.memoryBytes === undefined ? {} : { memoryBytes: options.memoryBytes }),
    };
  }

  /**
   * The IDs of `source`, as type `idType`, validated and canonical.
   * @param what names the source in messages, e.g. `audiences.loyal.members.MAID`
   * @throws SourceError naming `what`, the source and the row; IdFileError for ID files
   */
  /**
   * Like {@link read}, but a set larger than the memory budget comes back sorted on disk, as a
   * {@link SpilledSet}.
   * @param memoryBytes this read's budget, in bytes @default the reader's `memoryBytes`
   */
  async readMembers(source: IdListSource, idType: IdType, what: string, memoryBytes = this.options.memoryBytes): Promise<CollectedIds<BuiltSet>> {
    if (memoryBytes === undefined) return this.read(source, idType, what);
    return this.readInto(source, idType, what, () => new SpillingSetBuilder({ memoryBytes }), (files, options) => readIdFilesBounded(files, { ...options, memoryBytes }));
  }

  /** The IDs of `source`, in memory. */
  read(source: IdListSource, idType: IdType, what: string): Promise<CollectedIds> {
    return this.readInto(source, idType, what, () => new IdSetBuilder(), readIdFiles);
  }

  private async readInto<S extends BuiltSet>(
    source: IdListSource,
    idType: IdType,
    what: string,
    newBuilder: () => SetSink<S>,
    readFiles: (files: readonly string[], options: ReadIdFilesOptions) => Promise<S>,
  ): Promise<CollectedIds<S>> {
    const validate = ID_SYNTAX_CHECKS[idType];
    const acceptsBytes = ID_BYTES_CHECKS[idType];
    const canonicalise = ID_CANONICAL_FORMS[idType];
    switch (source.kind) {
      case "inline": {
        const builder = newBuilder();
        for (const id of source.ids) builder.add(canonicalise === undefined ? id : canonicalise(id));
        return { set: builder.build(), skipped: 0 };
      }
      case "files":
        await named(what, async () => {
          for (const file of source.files) await this.checkNotSnapshot(file);
        });
        return { set: await readFiles(source.files, { validate, ...(acceptsBytes === undefined ? {} : { acceptsBytes }), ...(canonicalise === undefined ? {} : { canonicalise }) }), skipped: 0 };
      case "csv": {
        const label = `${what} (csv ${source.file}, column ${source.column})`;
        const collector = new IdCollector(label, idType, source.onInvalid, newBuilder());
        await named(label, async () => {
          const input = isObjectUrl(source.file) ? await this.openObject(source.file) : await this.openLocal(source.file);
          await streamCsvColumn(input, source.column, source.delimiter, (v, row) => collector.value(v, row));
        });
        return collector.finish();
      }
      case "parquet": {
        const label = `${what} (parquet ${source.file}, column ${source.column})`;
        const collector = new IdCollector(label, idType, source.onInvalid, newBuilder());
        await named(label, () => this.parquetColumn(source.file, source.column, collector));
        return collector.finish();
      }
      case "sql": {
        const name = source.source ?? DEFAULT_SOURCE;
        const label = `${what} (sql source ${name})`;
        const collector = new IdCollector(label, idType, source.onInvalid, newBuilder());
        await named(label, () => this.queued(name, async () => (await this.connection(source.source)).streamColumn(source.query, collector)));
        return collector.finish();
      }
    }
  }

  /** Closes every connection opened and removes the reader's temporary folder. */
  async close(): Promise<void> {
    const open: Array<Promise<SqlConnection>> = [...this.connections.values(), ...(this.builtIn === undefined ? [] : [this.builtIn])];
    this.connections.clear();
    this.builtIn = undefined;
    await Promise.all(open.map(async (c) => (await c.catch(() => undefined))?.close()));
    const made = this.workDirMade;
    this.workDirMade = undefined;
    if (made !== undefined) await rm(await made, { recursive: true, force: true });
  }

  /** The reader's own temporary folder: DuckDB spills and copies of s3:// objects go there. */
  private workDir(): Promise<string> {
    this.workDirMade ??= mkdtemp(join(tmpdir(), "dsp-sources-"));
    return this.workDirMade;
  }

  /** An s3:// object's bytes, once it is known to be under an allowed root and outside the snapshot store. */
  private openObject(url: string): Promise<Readable> {
    this.checkObject(url);
    return openS3Object(url);
  }

  /** Refuses an s3:// object outside the allowed roots or inside the snapshot store, before any request. */
  private checkObject(url: string): void {
    const refusal = objectRefusal(url, this.options.allowedObjectRoots ?? []);
    if (refusal !== undefined) throw new SourceError(`object ${refusal}`);
    const store = this.options.snapshotStore;
    const object = parseObjectUrl(url);
    if (store?.scheme === "s3" && typeof object !== "string" && isUnderPrefix(object, { bucket: store.bucket, key: store.prefix })) {
      throw new SourceError("object is inside the snapshot store; applied-set snapshots are never a member source");
    }
  }

  private async openLocal(file: string): Promise<Readable> {
    await this.checkNotSnapshot(file);
    return createReadStream(file, { highWaterMark: 1 << 20 });
  }

  /** Refuses a local file inside a folder snapshot store (after symbolic links). */
  private async checkNotSnapshot(file: string): Promise<void> {
    const store = this.options.snapshotStore;
    if (store?.scheme !== "file") return;
    const [real, realStore] = await Promise.all([realpath(file).catch(() => file), realpath(store.dir).catch(() => undefined)]);
    if (realStore !== undefined && isInsideFolder(real, realStore)) {
      throw new SourceError(`${file} is inside the snapshot store; applied-set snapshots are never a member source`);
    }
  }

  private async parquetColumn(file: string, column: string, sink: ColumnSink): Promise<void> {
    if (isObjectUrl(file)) {
      this.checkObject(file);
      const copy = await s3ObjectToTempFile(file, await this.workDir());
      try {
        return await this.parquetColumn(copy.path, column, sink);
      } finally {
        await copy.remove();
      }
    }
    await this.checkNotSnapshot(file);
    const db = await this.builtInDuckDb();
    const from = `read_parquet(${sqlString(file)})`;
    await this.queued(DEFAULT_SOURCE, async () => {
      const names = (await db.describe(from)).map((c) => c.name);
      if (!names.includes(column)) throw new SourceError(`has no column ${column}; its columns: ${names.join(", ")}`);
      await db.streamColumn(`SELECT ${sqlIdentifier(column)} FROM ${from}`, sink);
    });
  }

  private builtInDuckDb(): Promise<DuckDbConnection> {
    this.builtIn ??= this.workDir().then((workDir) => openDuckDb({ dir: this.options.dir, readDirs: this.context.readDirs, workDir, ...memoryLimitOf(this.context) }, "a parquet: or sql: source"));
    return this.builtIn;
  }

  private connection(name: string | undefined): Promise<SqlConnection> {
    if (name === undefined) return this.builtInDuckDb();
    const key = name;
    let pending = this.connections.get(key);
    if (pending === undefined) {
      pending = this.open(name);
      this.connections.set(key, pending);
    }
    return pending;
  }

  private async open(name: string): Promise<SqlConnection> {
    const source = this.options.sources.find((s) => s.name === name);
    // The spec's semantic checks refuse unknown names; this is a library caller's mistake.
    if (source === undefined) throw new SourceError(`no sources entry named ${name}`);
    return (await SQL_DRIVERS[source.kind]()).open(source, this.context);
  }

  private queued<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    this.queues.set(key, next.catch(() => undefined));
    return next;
  }
}

/** A source's errors start with its name; so does a missing optional package it needs. */
async function named(label: string, task: () => Promise<void>): Promise<void> {
  try {
    await task();
  } catch (error) {
    if (error instanceof SourceError || error instanceof MissingPackageError) throw new SourceError(`${label}: ${error.message}`);
    throw error;
  }
}
