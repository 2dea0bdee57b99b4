/**
 * Issue 14, part 1, design B: planning in bounded memory with an embedded engine that spills.
 * DuckDB reads both ID files, computes the exact diff (desired EXCEPT applied, applied EXCEPT
 * desired, both distinct; or one full outer join) under `memory_limit`, spilling to a folder under
 * the work dir, and COPYs adds and removes to files. It runs in a child process, so wall, CPU and
 * peak RSS are its own. For the comparison with design A (spilled sorted runs in provider/plan).
 *
 *     node -r ts-node/register/transpile-only bench/planning-duckdb.ts [count] [churn] [memoryMB,…] [query,…] [threads]
 *
 * e.g. `… bench/planning-duckdb.ts 20000000 0.01 512,256` (defaults: 5,000,000 IDs, 0.01, budgets
 * 512,256 MB, queries except,full-outer-join, DuckDB's threads). Every run is then checked
 * against the in-memory plan of provider/plan, ID by ID.
 */
import { spawn } from "node:child_process";
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadavg } from "node:os";
import { idSetFrom, planMembership, readIdFile, type IdSet } from "../provider/plan";
import { safeDbMessage } from "../provider/sources/db-message";
import { sqlString } from "../provider/sources/duckdb-driver";
import { writeCookieIdFile } from "./id-files";
import { freshWorkDir } from "./work-dir";

/** Options of {@link runDuckDbPlanning}. */
export interface DuckDbPlanningOptions {
  /** The applied set: one ID per line, no header, "\n" line ends. */
  readonly appliedFile: string;
  /** The desired set, the same format. */
  readonly desiredFile: string;
  /** DuckDB's `memory_limit`, MB (10^6 B). DuckDB's own allocations beyond its buffer pool are not counted in it. */
  readonly memoryMB: number;
  /** Where `adds.ids`, `removes.ids` and the spill folder `duckdb-tmp/` are written; it must exist. */
  readonly workDir: string;
  /** DuckDB worker threads. @default DuckDB's own default, one per core */
  readonly threads?: number;
  /**
   * How the diff is asked for. `except`: two anti-joins (desired EXCEPT applied, applied EXCEPT
   * desired), each reading both files and hashing one whole set. `full-outer-join`: one join of
   * the two files keeping the unmatched rows of either side (the churn) in a temporary table, then
   * each side's distinct IDs from it: one hash table of a whole set instead of two. @default "except"
   */
  readonly query?: DuckDbPlanQuery;
}

/** See {@link DuckDbPlanningOptions.query}. */
export type DuckDbPlanQuery = "except" | "full-outer-join";

/** What {@link runDuckDbPlanning} measured, in ms and MB (10^6 B). */
export interface DuckDbPlanningFigures {
  /** From opening DuckDB to the second file written, in the child. */
  readonly wallMs: number;
  /** CPU of every thread of the child over the same span. */
  readonly cpuMs: number;
  /** VmHWM of the child: Node, the DuckDB library and the plan. */
  readonly peakRssMb: number;
  /** RSS of the child before it opened DuckDB (Node and the loaded library): the floor under the peak. */
  readonly rssBeforeMb: number;
  /** Largest total size of the spill folder seen (sampled every 100 ms), MB. */
  readonly peakSpillMb: number;
  readonly addCount: number;
  readonly removeCount: number;
  /** Desired IDs not applied, one per line, unordered. */
  readonly addsFile: string;
  /** Applied IDs no longer desired, one per line, unordered. */
  readonly removesFile: string;
}

const CHILD = join(__dirname, "planning-duckdb-child.ts");
const SPILL_SAMPLE_MS = 100;

/**
 * An ID file as one VARCHAR column, every line exactly as written: no header, no type or dialect
 * guessing, no quote or escape character, a delimiter (NUL) that no ID holds, so commas, quotes,
 * backslashes and spaces stay in the value; an empty line reads as NULL and is dropped (no ID).
 */
export function idFileRelation(path: string): string {
  return (
    `(SELECT id FROM read_csv(${sqlString(path)}, columns = {'id': 'VARCHAR'}, header = false, auto_detect = false, ` +
    `delim = chr(0), quote = '', escape = '', new_line = '\\n', strict_mode = true) WHERE id IS NOT NULL)`
  );
}

/** The statements of one plan: settings, then the adds and the removes COPY'd (the last two; each returns its row count). */
export function duckDbPlanStatements(options: DuckDbPlanningOptions): { statements: string[]; addsFile: string; removesFile: string; spillDir: string } {
  const addsFile = join(options.workDir, "adds.ids");
  const removesFile = join(options.workDir, "removes.ids");
  const spillDir = join(options.workDir, "duckdb-tmp");
  const applied = idFileRelation(options.appliedFile);
  const desired = idFileRelation(options.desiredFile);
  // No quote character on output either, so a value is written back byte for byte.
  const copyTo = (file: string): string => `TO ${sqlString(file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER chr(0))`;
  return {
    statements: [
      `SET memory_limit = '${options.memoryMB}MB'`,
      `SET temp_directory = ${sqlString(spillDir)}`,
      // Order is free, so operators may stream and spill without keeping it.
      "SET preserve_insertion_order = false",
      ...(options.threads === undefined ? [] : [`SET threads = ${options.threads}`]),
      ...((options.query ?? "except") === "except"
        ? [
            `COPY (SELECT id FROM ${desired} EXCEPT SELECT id FROM ${applied}) ${copyTo(addsFile)}`,
            `COPY (SELECT id FROM ${applied} EXCEPT SELECT id FROM ${desired}) ${copyTo(removesFile)}`,
          ]
        : [
            // No NULL reaches the join (idFileRelation drops them), so a NULL side means "not in that file".
            `CREATE TEMP TABLE churn AS SELECT d.id AS added, a.id AS removed FROM ${desired} AS d FULL OUTER JOIN ${applied} AS a ON d.id = a.id ` +
              "WHERE d.id IS NULL OR a.id IS NULL",
            // DISTINCT: an ID repeated in one file and absent from the other is one row per copy.
            `COPY (SELECT DISTINCT added FROM churn WHERE added IS NOT NULL) ${copyTo(addsFile)}`,
            `COPY (SELECT DISTINCT removed FROM churn WHERE removed IS NOT NULL) ${copyTo(removesFile)}`,
          ]),
    ],
    addsFile,
    removesFile,
    spillDir,
  };
}

/** Plans `desiredFile` against `appliedFile` in a DuckDB child process; rejects with DuckDB's message on one line. */
export async function runDuckDbPlanning(options: DuckDbPlanningOptions): Promise<DuckDbPlanningFigures> {
  const plan = duckDbPlanStatements(options);
  let peakSpillBytes = 0;
  const sample = setInterval(() => {
    peakSpillBytes = Math.max(peakSpillBytes, folderBytes(plan.spillDir));
  }, SPILL_SAMPLE_MS);
  let out: { stdout: string; stderr: string; code: number | null };
  try {
    out = await runChild(plan.statements);
  } finally {
    clearInterval(sample);
  }
  if (out.code !== 0) {
    const message = out.stderr.trim().split("\n")[0] ?? "";
    throw new Error(`DuckDB planning failed (exit ${out.code}): ${safeDbMessage(message, plan.statements.join("\n"))}`);
  }
  const child = JSON.parse(out.stdout.trim().split("\n").pop() as string) as {
    wallMs: number;
    cpuMs: number;
    peakRssMb: number;
    rssBeforeMb: number;
    firstValues: Array<string | null>;
  };
  const counts = child.firstValues.slice(-2).map(Number);
  return {
    wallMs: child.wallMs,
    cpuMs: child.cpuMs,
    peakRssMb: child.peakRssMb,
    rssBeforeMb: child.rssBeforeMb,
    peakSpillMb: peakSpillBytes / 1e6,
    addCount: counts[0] as number,
    removeCount: counts[1] as number,
    addsFile: plan.addsFile,
    removesFile: plan.removesFile,
  };
}

function runChild(statements: readonly string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", CHILD, JSON.stringify(statements)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, stderr, code }));
  });
}

/** Bytes of the files under `dir` (0 when it does not exist yet); files may vanish while it looks. */
function folderBytes(dir: string): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true, encoding: "utf8" });
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      const stats = statSync(join(dir, name));
      if (stats.isFile()) total += stats.size;
    } catch {
      // Deleted between the listing and the stat: it holds nothing now.
    }
  }
  return total;
}

/**
 * Checks one run against the project's in-memory planner: the same counts, and the files hold
 * exactly its adds and removes, each once. Returns a problem, or undefined.
 */
async function exactnessProblem(figures: DuckDbPlanningFigures, expected: { adds: IdSet; removes: IdSet }): Promise<string | undefined> {
  for (const [what, file, count, want] of [
    ["adds", figures.addsFile, figures.addCount, expected.adds],
    ["removes", figures.removesFile, figures.removeCount, expected.removes],
  ] as const) {
    const got = await readIdFile(file);
    if (count !== want.size || got.size !== want.size) return `${what}: DuckDB counted ${count}, its file holds ${got.size} distinct, the in-memory plan ${want.size}`;
    for (const id of want) if (!got.has(id)) return `${what}: an ID of the in-memory plan is missing from ${file}`;
  }
  return undefined;
}

async function main(args: readonly string[]): Promise<void> {
  const count = Number(args[0] ?? 5_000_000);
  const churn = Number(args[1] ?? 0.01);
  const budgets = (args[2] ?? "512,256").split(",").map(Number);
  const queries = (args[3] ?? "except,full-outer-join").split(",") as DuckDbPlanQuery[];
  const threads = args[4] === undefined ? undefined : Number(args[4]);
  const directory = freshWorkDir("planning-duckdb");
  try {
    await measure(directory, count, churn, budgets, queries, threads);
  } finally {
    // Two 460 MB files at 20M IDs, and each run's output.
    rmSync(directory, { recursive: true, force: true });
  }
}

async function measure(directory: string, count: number, churn: number, budgets: readonly number[], queries: readonly DuckDbPlanQuery[], threads: number | undefined): Promise<void> {
  const appliedFile = join(directory, "applied.ids");
  const desiredFile = join(directory, "desired.ids");
  console.log(`generating ${count.toLocaleString("en")} cookie IDs and a ${churn * 100} % churn of them …`);
  await writeCookieIdFile(appliedFile, { count, seed: 14 });
  const churned = await writeCookieIdFile(desiredFile, { count, seed: 14, churn });
  const runs: Array<{ name: string; figures: DuckDbPlanningFigures }> = [];
  for (const memoryMB of budgets) {
    for (const query of queries) {
      const name = `${query}, memory_limit ${memoryMB} MB${threads === undefined ? "" : `, ${threads} threads`}`;
      const workDir = freshWorkDir(`planning-duckdb/${query}-${memoryMB}MB`);
      const load = loadavg()[0] ?? Number.NaN;
      let f: DuckDbPlanningFigures;
      try {
        f = await runDuckDbPlanning({ appliedFile, desiredFile, memoryMB, workDir, query, ...(threads === undefined ? {} : { threads }) });
      } catch (error) {
        // A budget too small for DuckDB is a figure too.
        console.log(`${name}: ${error instanceof Error ? error.message : String(error)} (load ${load.toFixed(2)})`);
        continue;
      }
      runs.push({ name, figures: f });
      console.log(
        `${name}: ${(f.wallMs / 1000).toFixed(2)} s (CPU ${(f.cpuMs / 1000).toFixed(2)} s), peak RSS ${f.peakRssMb.toFixed(0)} MB ` +
          `(${f.rssBeforeMb.toFixed(0)} MB before opening DuckDB), spill peak ${f.peakSpillMb.toFixed(0)} MB, +${f.addCount} −${f.removeCount} (load ${load.toFixed(2)})`,
      );
      if (f.addCount !== churned.added || f.removeCount !== churned.removed) {
        throw new Error(`${name}: wrong counts +${f.addCount} −${f.removeCount}, generated +${churned.added} −${churned.removed}`);
      }
    }
  }
  // After every measured run, so the check's memory and CPU stay out of the figures.
  console.log("checking each run's files against the in-memory plan (provider/plan) …");
  const plan = planMembership(await readIdFile(appliedFile), await readIdFile(desiredFile));
  const expected = { adds: idSetFrom(plan.adds), removes: idSetFrom(plan.removes) };
  for (const run of runs) {
    const problem = await exactnessProblem(run.figures, expected);
    if (problem !== undefined) throw new Error(`${run.name}: ${problem}`);
  }
  console.log(`exact: each of the ${runs.length} runs wrote the in-memory plan's adds and removes, each once`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
