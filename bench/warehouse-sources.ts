/**
 * Warehouse sources benchmark (issue 15): the desired set of 5,000,000 cookie IDs read from a
 * Parquet column and from a SQL query on a DuckDB database file, next to the same IDs in an ID
 * file, all in one run. Each read is what the program does before a preview: rows streamed into
 * the set builder bounded by `dsp:planMemoryMB` (its default), no text file in between, each in
 * a process of its own. Wall time, CPU and peak RSS per source (with the DuckDB process's).
 *
 *     node -r ts-node/register/transpile-only --expose-gc bench/warehouse-sources.ts [count]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { DEFAULT_PLAN_MEMORY_MB } from "../provider/config/plan-memory";
import { SourceReader } from "../provider/sources";
import type { IdListSource } from "../provider/spec";
import { writeCookieIdFile } from "./id-files";
import { peakRss } from "./planning";

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
  /** CPU of the read, ms: the program's process and the DuckDB process's. */
  readonly cpuMs: number;
  /**
   * Peak RSS of the read, MB (10^6 B): the program's (VmHWM of a process that made only this read)
   * plus the DuckDB process's, which reads Parquet and runs SQL in a child of its own. The sum
   * of two peaks: an upper bound of what both held at once.
   */
  readonly peakRssMb: number;
  /** Of which the DuckDB child process's peak (VmHWM), MB; 0 for the ID file. */
  readonly childPeakRssMb: number;
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
}

/** One read, in the process `measure` starts: what the program does with one source, and what it cost. */
async function readOnce(name: string, source: IdListSource, dir: string, database: string): Promise<Omit<SourceReadFigures, "fileBytes">> {
  // As the program reads members: into the set builder bounded by dsp:planMemoryMB (its default).
  const reader = new SourceReader({ sources: [{ name: "warehouse", kind: "duckdb", database, dir }], dir, config: () => undefined, env: {}, memoryBytes: DEFAULT_PLAN_MEMORY_MB * 1e6 });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { set } = await reader.readMembers(source, "COOKIE", name);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  // Read before close(): the DuckDB process ends with its connection.
  const child = childrenFigures();
  await reader.close();
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 + child.cpuMs, peakRssMb: peakRss() + child.peakRssMb, childPeakRssMb: child.peakRssMb, size: set.size };
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

    // Each read in a process of its own, as a program run reads its sources: its peak is its own, not what
    // writing the files or an earlier read left in this process.
    const measure = (name: string, source: IdListSource, file: string): SourceReadFigures => {
      const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--read", JSON.stringify({ name, source, dir, database })], {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      const read = JSON.parse(out.trim().split("\n").pop() as string) as Omit<SourceReadFigures, "fileBytes">;
      const figures = { ...read, fileBytes: statSync(file).size };
      log(
        `${name.padEnd(8)} ${(figures.wallMs / 1000).toFixed(2)} s (CPU ${(figures.cpuMs / 1000).toFixed(2)} s), ` +
          `peak RSS ${figures.peakRssMb.toFixed(0)} MB (program ${(figures.peakRssMb - figures.childPeakRssMb).toFixed(0)} + DuckDB process ${figures.childPeakRssMb.toFixed(0)}), ${figures.size.toLocaleString("en-US")} IDs`,
      );
      return figures;
    };
    const idFigures = measure("ID file", { kind: "files", files: [idFile] }, idFile);
    const parquetFigures = measure("Parquet", { kind: "parquet", file: parquet, column: "cookie", onInvalid: "error" }, parquet);
    const sqlFigures = measure("SQL", { kind: "sql", source: "warehouse", query: "SELECT cookie FROM audience_ids", onInvalid: "error" }, database);
    return { count, idFile: idFigures, parquet: parquetFigures, sql: sqlFigures };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The summed peak RSS (VmHWM, MB) and CPU (ms) of this process's live children: the DuckDB process of a reader not yet closed. */
function childrenFigures(): { peakRssMb: number; cpuMs: number } {
  let kb = 0;
  let ticks = 0;
  for (const task of readdirSync("/proc/self/task")) {
    for (const pid of readFileSync(`/proc/self/task/${task}/children`, "utf8").split(" ").filter((p) => p !== "")) {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      kb += match === null ? 0 : Number(match[1]);
      // utime and stime, the 14th and 15th fields, counted after the command name's closing parenthesis.
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
    }
  }
  return { peakRssMb: (kb * 1024) / 1e6, cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND };
}

/** USER_HZ: /proc's CPU times are in these on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

if (require.main === module && process.argv[2] === "--read") {
  const { name, source, dir, database } = JSON.parse(process.argv[3] as string) as { name: string; source: IdListSource; dir: string; database: string };
  readOnce(name, source, dir, database).then(
    (figures) => console.log(JSON.stringify(figures)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
} else if (require.main === module) {
  const count = Number(process.argv[2]);
  runWarehouseSourcesBench(Number.isNaN(count) || process.argv[2] === undefined ? {} : { count }).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
