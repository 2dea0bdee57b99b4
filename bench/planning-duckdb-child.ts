/**
 * The child process of bench/planning-duckdb.ts: opens an in-memory DuckDB, runs the SQL
 * statements it is given (argv[2], a JSON array) in order, and prints one JSON line of figures:
 * wall and CPU time of the statements (CPU of every thread of this process), the peak RSS
 * (VmHWM) of this process, its RSS before the first statement, and each statement's first value;
 * or, when a statement fails, DuckDB's message on one line on stderr and exit code 1.
 *
 * Node runs this file itself (type stripping), not through ts-node: ts-node's compiler would add
 * about 75 MB to the RSS being measured. So it imports packages only, never project files.
 */
import { DuckDBInstance } from "@duckdb/node-api";
import { readFileSync } from "node:fs";

/** What the child prints (the parent's `DuckDbChildFigures`). */
interface ChildFigures {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  rssBeforeMb: number;
  /** First value of each statement's result (the row count of a COPY), or null. */
  firstValues: Array<string | null>;
}

/** A /proc/self/status figure in MB (10^6 B). */
function statusMb(field: "VmHWM" | "VmRSS"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync("/proc/self/status", "utf8"));
  return match === null ? Number.NaN : (Number(match[1]) * 1024) / 1e6;
}

async function main(statements: readonly string[]): Promise<ChildFigures> {
  const rssBeforeMb = statusMb("VmRSS");
  const cpu = process.cpuUsage();
  const start = performance.now();
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const firstValues: Array<string | null> = [];
  for (const sql of statements) {
    const rows = (await connection.runAndReadAll(sql)).getRows();
    const first = rows[0]?.[0];
    firstValues.push(first === undefined || first === null ? null : String(first));
  }
  connection.closeSync();
  instance.closeSync();
  const used = process.cpuUsage(cpu);
  return { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, peakRssMb: statusMb("VmHWM"), rssBeforeMb, firstValues };
}

/**
 * DuckDB's message on one line, without the input line it quotes ("Original Line: …"), its
 * suggestions and its dialect listing, but with the file it names ("file = …").
 */
function oneLine(message: string): string {
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== "" &&
        !/^(Original Line|Possible Solution|Possible solutions|See also)\b/.test(line) &&
        !line.startsWith("* ") &&
        (!/^\w+ = /.test(line) || line.startsWith("file = ")),
    )
    .join("; ");
}

main(JSON.parse(process.argv[2] ?? "[]") as string[]).then(
  (figures) => console.log(JSON.stringify(figures)),
  (error: unknown) => {
    console.error(oneLine(error instanceof Error ? error.message : String(error)));
    process.exitCode = 1;
  },
);
