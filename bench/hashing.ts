/**
 * Benchmark of the PII pipeline, end to end: CSV parse + normalise + hash + pack into request
 * bodies of ≤ 5 MB the way an upload does (the records reader, the upload's grouping and the
 * client's body packer), over N synthetic rows written to a temp CSV. Prints figures; not a test.
 *
 *   node -r ts-node/register/transpile-only bench/hashing.ts [--rows 5000000] [--workers 2]
 *        [--only stream,inline,workers,pii-inline,pii-workers] [--repeat 3]
 *
 * Paths measured: "stream" (csv-parse streaming reader, 1 thread; an upload takes it for a
 * non-standard id column), "inline" (chunked reader on the calling thread), "workers" (chunked
 * reader on worker threads). The host may be shared, so
 * besides wall-clock rows/s it reports CPU seconds (all threads) and a crypto.hash calibration
 * to compare with perf-baselines.md §3 (1.50 M hashes/s on an idle core there).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createHashedRecordPacker, type RequestBatch } from "../provider/client";
import { autoWorkerCount, hashCsvBatches, readHashedRecords, type HashedBatch } from "../provider/pii";
import { readRecordLines } from "../provider/customer-records/records-source";
import { wantedRecordBodies } from "../provider/customer-records/records-sync";
import { API_LIMITS } from "../provider/api-vocabulary";
import { writeSyntheticCsv } from "../test/support/synthetic-people";

/**
 * "stream", "inline", "workers": CSV → packed upload requests (the upload's whole read path).
 * "pii-inline", "pii-workers": CSV → hashed records only (normalise, hash, derive externalIds,
 * serialise), as `hash-csv` and the upload's reader run it: issue 14's hashing goal.
 */
export type HashingPath = "stream" | "inline" | "workers" | "pii-inline" | "pii-workers";

export interface HashingBenchOptions {
  /** Synthetic rows to generate. @default 1_000_000 */
  readonly rows?: number;
  /** Workers for the "workers" path. @default os.availableParallelism() */
  readonly workers?: number;
  /** Paths to measure, in order. @default ["stream", "inline", "workers"] */
  readonly paths?: readonly HashingPath[];
  /** Runs per path; the median is reported. @default 1 */
  readonly repeat?: number;
  /** Directory for the temp CSV. @default os.tmpdir() */
  readonly dir?: string;
  /** Print progress and the table to stdout. @default false */
  readonly print?: boolean;
}

export interface HashingRun {
  readonly path: HashingPath;
  readonly workers: number;
  readonly wallMs: number;
  readonly rowsPerSec: number;
  /** CPU seconds of the whole process (main thread and workers). */
  readonly cpuSec: number;
  /** Rows per CPU second: what rows/s would be with the used cores to ourselves. */
  readonly rowsPerCpuSec: number;
  readonly bodies: number;
  readonly bodyBytes: number;
  /** VmHWM after the run, reset before it (MB = 10^6 bytes); undefined where /proc is missing. */
  readonly peakRssMb: number | undefined;
}

export interface HashingBenchFigures {
  readonly rows: number;
  readonly fileBytes: number;
  readonly cores: number;
  readonly loadAverage: readonly number[];
  /** What `workers: "auto"` picks for this file under the load at the end of the runs. */
  readonly autoWorkers: number;
  /** crypto.hash of ~25-char strings per wall-clock second on this thread, right before the runs. */
  readonly cryptoHashPerSec: number;
  /** The same per CPU second: below the idle 1.5 M/s of perf-baselines.md when cores are contended. */
  readonly cryptoHashPerCpuSec: number;
  /** Hashed PII fields per record (measured on the first batch of a "pii-" path), for the floor; undefined without one. */
  readonly fieldsPerRow: number | undefined;
  /**
   * The hash floor per row: crypto.hash calls per second on one thread ÷ {@link fieldsPerRow}, the
   * rows/s if a row cost only its field hashes (no parsing, normalising, externalId or output).
   */
  readonly floorRowsPerSec: number | undefined;
  /** The same per CPU second: what a run's rows per CPU s compare with on a shared host. */
  readonly floorRowsPerCpuSec: number | undefined;
  readonly runs: readonly HashingRun[];
}

const BENCH_KEY = "bench-only-key-0123456789abcdef";

function resetPeakRss(): boolean {
  try {
    fs.writeFileSync("/proc/self/clear_refs", "5");
    return true;
  } catch {
    return false;
  }
}

function peakRssMb(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
    return match?.[1] !== undefined ? (Number(match[1]) * 1024) / 1e6 : undefined;
  } catch {
    return undefined;
  }
}

function measureCryptoHash(): { perSec: number; perCpuSec: number } {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  let n = 0;
  while (Number(process.hrtime.bigint() - start) < 500e6) {
    for (let i = 0; i < 1000; i++) crypto.hash("sha256", `jane.doe.${n + i}@example.com`, "hex");
    n += 1000;
  }
  const used = process.cpuUsage(cpu);
  return {
    perSec: Math.round(n / (Number(process.hrtime.bigint() - start) / 1e9)),
    perCpuSec: Math.round(n / ((used.user + used.system) / 1e6)),
  };
}

/**
 * Request bodies as an upload builds them (≤ 5 MB each). "inline" and "workers" run the upload's
 * own code: hashed-CSV lines from the records reader, packed from their rendered JSON. "stream"
 * reads records with the streaming reader and packs them through the client's object API.
 */
async function* bodiesOf(file: string, route: HashingPath, workers: number): AsyncGenerator<RequestBatch, void, undefined> {
  const limits = { minRows: 0, maxRows: Number.MAX_SAFE_INTEGER };
  if (route !== "stream") {
    const lines = readRecordLines({ csv: file, ...limits }, { externalIdKey: BENCH_KEY, workers: route === "inline" ? 0 : workers });
    yield* wantedRecordBodies(lines, () => true, API_LIMITS.hashedRecordsBodyBytes);
    return;
  }
  const packer = createHashedRecordPacker<undefined>();
  for await (const record of readHashedRecords(file, { ...limits, externalIdKey: BENCH_KEY })) {
    const full = packer.add({ externalId: record.externalId, hashedRecords: [record.hashed] }, undefined);
    if (full !== undefined) yield full;
  }
  const last = packer.finish();
  if (last !== undefined) yield last;
}

/** Hashed PII fields per record in one hashed-CSV batch (cells after the externalId that are not empty). */
function fieldsPerRecord(batch: HashedBatch): number {
  let fields = 0;
  const lines = batch.data.toString("latin1").split("\n");
  for (const line of lines) for (const cell of line.split(",").slice(1)) if (cell !== "") fields++;
  return fields / lines.length;
}

/**
 * The "pii-" paths: hashed-CSV batches as `hash-csv` writes them, counted as bodies of records.
 * The first batch is handed to `keep` and counted after the clock stops: splitting it costs
 * ~0.3 s, which is the bench's work, not the pipeline's.
 */
async function* piiBatchesOf(file: string, workers: number, keep: (batch: HashedBatch) => void): AsyncGenerator<RequestBatch, void, undefined> {
  let first = true;
  const limits = { minRows: 0, maxRows: Number.MAX_SAFE_INTEGER };
  for await (const batch of hashCsvBatches(file, { ...limits, externalIdKey: BENCH_KEY, format: "csv", workers })) {
    if (first) keep(batch);
    first = false;
    yield { body: batch.data, bytes: batch.data.length, ops: batch.records };
  }
}

async function runOnce(file: string, route: HashingPath, workers: number, rows: number, sample: (fields: number) => void): Promise<HashingRun> {
  const canReset = resetPeakRss();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let bodies = 0;
  let bodyBytes = 0;
  let records = 0;
  const pii = route === "pii-inline" || route === "pii-workers";
  let firstBatch: HashedBatch | undefined;
  const batches = pii ? piiBatchesOf(file, route === "pii-inline" ? 0 : workers, (batch) => (firstBatch = batch)) : bodiesOf(file, route, workers);
  for await (const body of batches) {
    bodies++;
    bodyBytes += body.bytes;
    records += body.ops;
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  const peak = canReset ? peakRssMb() : undefined;
  if (firstBatch !== undefined) sample(fieldsPerRecord(firstBatch));
  if (records !== rows) throw new Error(`expected ${rows} records, got ${records}`);
  const cpuSec = (used.user + used.system) / 1e6;
  return {
    path: route,
    workers: route === "workers" || route === "pii-workers" ? workers : 0,
    wallMs,
    rowsPerSec: Math.round(rows / (wallMs / 1000)),
    cpuSec,
    rowsPerCpuSec: Math.round(rows / cpuSec),
    bodies,
    bodyBytes,
    peakRssMb: peak,
  };
}

const median = <T>(values: T[], key: (v: T) => number): T => [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)] as T;

/** Generates the CSV, measures each path, deletes the CSV, and returns the figures. */
export async function runHashingBench(options: HashingBenchOptions = {}): Promise<HashingBenchFigures> {
  const rows = options.rows ?? 1_000_000;
  const workers = options.workers ?? os.availableParallelism();
  const paths = options.paths ?? ["stream", "inline", "workers"];
  const repeat = options.repeat ?? 1;
  const log = (line: string): void => {
    if (options.print === true) console.log(line);
  };
  const dir = fs.mkdtempSync(path.join(options.dir ?? os.tmpdir(), "pii-bench-"));
  const file = path.join(dir, "people.csv");
  try {
    log(`generating ${rows.toLocaleString("en-US")} synthetic rows…`);
    await writeSyntheticCsv(file, rows, { seed: 42 });
    const fileBytes = fs.statSync(file).size;
    const calibration = measureCryptoHash();
    const runs: HashingRun[] = [];
    let fieldsPerRow: number | undefined;
    for (const route of paths) {
      const attempts: HashingRun[] = [];
      for (let i = 0; i < repeat; i++) {
        const run = await runOnce(file, route, workers, rows, (fields) => (fieldsPerRow ??= fields));
        log(`  ${route}: ${run.rowsPerSec.toLocaleString("en-US")} rows/s (${(run.wallMs / 1000).toFixed(1)} s, ${run.cpuSec.toFixed(1)} CPU s)`);
        attempts.push(run);
      }
      runs.push(median(attempts, (r) => r.wallMs));
    }
    return {
      rows,
      fileBytes,
      cores: os.availableParallelism(),
      loadAverage: os.loadavg(),
      autoWorkers: autoWorkerCount(fileBytes),
      cryptoHashPerSec: calibration.perSec,
      cryptoHashPerCpuSec: calibration.perCpuSec,
      fieldsPerRow,
      floorRowsPerSec: fieldsPerRow === undefined ? undefined : Math.round(calibration.perSec / fieldsPerRow),
      floorRowsPerCpuSec: fieldsPerRow === undefined ? undefined : Math.round(calibration.perCpuSec / fieldsPerRow),
      runs,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function formatFigures(f: HashingBenchFigures): string {
  const lines = [
    `rows ${f.rows.toLocaleString("en-US")}, CSV ${(f.fileBytes / 1e6).toFixed(1)} MB, ${f.cores} cores, load average ${f.loadAverage.map((l) => l.toFixed(2)).join(" ")}; workers "auto" would pick ${f.autoWorkers}`,
    `calibration: crypto.hash ${f.cryptoHashPerSec.toLocaleString("en-US")}/s wall, ${f.cryptoHashPerCpuSec.toLocaleString("en-US")}/CPU s on one thread (perf-baselines.md: 1,500,000/s on an idle core)`,
    ...(f.floorRowsPerSec === undefined ? [] : [`hash floor: ${f.floorRowsPerSec.toLocaleString("en-US")} rows/s wall, ${f.floorRowsPerCpuSec?.toLocaleString("en-US")} rows per CPU s on one thread (${f.fieldsPerRow?.toFixed(2)} hashed fields per row)`]),
    "",
    "| path | workers | rows/s | wall s | CPU s | rows per CPU s | bodies | peak RSS MB |",
    "|---|---|---|---|---|---|---|---|",
    ...f.runs.map(
      (r) =>
        `| ${r.path} | ${r.workers} | ${r.rowsPerSec.toLocaleString("en-US")} | ${(r.wallMs / 1000).toFixed(1)} | ${r.cpuSec.toFixed(1)} | ${r.rowsPerCpuSec.toLocaleString("en-US")} | ${r.bodies} | ${r.peakRssMb?.toFixed(0) ?? "n/a"} |`,
    ),
  ];
  return lines.join("\n");
}

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

if (require.main === module) {
  const rows = argValue("--rows");
  const workers = argValue("--workers");
  const only = argValue("--only");
  const repeat = argValue("--repeat");
  runHashingBench({
    print: true,
    ...(rows !== undefined ? { rows: Number(rows) } : {}),
    ...(workers !== undefined ? { workers: Number(workers) } : {}),
    ...(only !== undefined ? { paths: only.split(",") as HashingPath[] } : {}),
    ...(repeat !== undefined ? { repeat: Number(repeat) } : {}),
  })
    .then((figures) => console.log(`\n${formatFigures(figures)}`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
