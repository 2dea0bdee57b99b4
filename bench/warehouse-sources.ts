/**
 * Warehouse sources benchmark (issue 15): the desired set of 5,000,000 cookie IDs read from a
 * Parquet column and from a SQL query on a DuckDB database file, next to the same IDs in an ID
 * file, all in one run. Each read is what the program does before a preview: rows streamed into
 * the set builder, no text file in between. Wall time, CPU and peak RSS per source.
 *
 *     node -r ts-node/register/transpile-only --expose-gc bench/warehouse-sources.ts [count]
 */
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { SourceReader } from "../provider/sources";
import type { IdListSource } from "../provider/spec";
import { writeCookieIdFile } from "./id-files";
import { peakRss, resetPeakRss } from "./planning";

/** Options for {@link runWarehouseSourcesBench}. */
export interface WarehouseSourcesBenchOptions {
  /** IDs in the set. @default 5_000_000 */
  readonly count?: number;
  /** Where the files go (deleted afterwards). @default bench/out/warehouse-sources */
  readonly directory?: string;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

/** One source read into a set. */
export interface SourceReadFigures {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Peak RSS (VmHWM) during the read, MB (10^6 B); reset before it when /proc allows. */
  readonly peakRssMb: number;
  readonly size: number;
  /** Size of the file read, bytes. */
  readonly fileBytes: number;
}

/** What {@link runWarehouseSourcesBench} measured. */
export interface WarehouseSourcesBenchFigures {
  readonly count: number;
  readonly idFile: SourceReadFigures;
  readonly parquet: SourceReadFigures;
  readonly sql: SourceReadFigures;
  readonly peakResetWorked: boolean;
}

/** Runs the benchmark once and returns its figures. */
export async function runWarehouseSourcesBench(options: WarehouseSourcesBenchOptions = {}): Promise<WarehouseSourcesBenchFigures> {
  const count = options.count ?? 5_000_000;
  const log = options.log ?? ((line: string) => console.log(line));
  const dir = resolve(options.directory ?? join(__dirname, "out", "warehouse-sources"));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    const idFile = join(dir, "ids.txt");
    const parquet = join(dir, "ids.parquet");
    const database = join(dir, "warehouse.duckdb");
    await writeCookieIdFile(idFile, { count, seed: 15 });
    // The same IDs, in a Parquet file and a DuckDB table, written by DuckDB itself.
    const db = await DuckDBInstance.create(database);
    const c = await db.connect();
    await c.run(`CREATE TABLE audience_ids AS SELECT cookie FROM read_csv('${idFile}', header = false, columns = {'cookie': 'VARCHAR'})`);
    await c.run(`COPY audience_ids TO '${parquet}' (FORMAT parquet)`);
    await c.run("CHECKPOINT");
    c.closeSync();
    db.closeSync();
    log(`wrote ${count.toLocaleString("en-US")} IDs: ID file ${mb(statSync(idFile).size)}, Parquet ${mb(statSync(parquet).size)}, DuckDB ${mb(statSync(database).size)}`);

    let resetWorked = true;
    const measure = async (name: string, source: IdListSource, file: string): Promise<SourceReadFigures> => {
      (globalThis as { gc?: () => void }).gc?.();
      resetWorked = resetPeakRss() && resetWorked;
      const reader = new SourceReader({ sources: [{ name: "warehouse", kind: "duckdb", database, dir }], dir, config: () => undefined, env: {} });
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { set } = await reader.read(source, "COOKIE", name);
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const peakRssMb = peakRss();
      await reader.close();
      const figures = { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb, size: set.size, fileBytes: statSync(file).size };
      log(`${name.padEnd(8)} ${(wallMs / 1000).toFixed(2)} s (CPU ${(figures.cpuMs / 1000).toFixed(2)} s), peak RSS ${peakRssMb.toFixed(0)} MB, ${set.size.toLocaleString("en-US")} IDs`);
      return figures;
    };
    const idFigures = await measure("ID file", { kind: "files", files: [idFile] }, idFile);
    const parquetFigures = await measure("Parquet", { kind: "parquet", file: parquet, column: "cookie", onInvalid: "error" }, parquet);
    const sqlFigures = await measure("SQL", { kind: "sql", source: "warehouse", query: "SELECT cookie FROM audience_ids", onInvalid: "error" }, database);
    return { count, idFile: idFigures, parquet: parquetFigures, sql: sqlFigures, peakResetWorked: resetWorked };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

if (require.main === module) {
  const count = Number(process.argv[2]);
  runWarehouseSourcesBench(Number.isNaN(count) || process.argv[2] === undefined ? {} : { count }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
