/**
 * Scenario 4's issue-14 rows: CSV → hashed records (what `hash-csv` and the upload's reader run)
 * on one thread and on worker threads, each against the hash floor of the same run.
 */
import { runHashingBench, type HashingBenchFigures, type HashingRun } from "./hashing";
import { formatNumber, row, type ReportRow } from "./report";

/** Issue 14: rows/s with worker threads on this 2-core machine. */
export const WORKERS_GOAL_ROWS_PER_SEC = 150_000;
/** Issue 14: one thread reaches at least this share of the same run's hash floor per row. */
export const ONE_THREAD_SHARE_OF_FLOOR = 0.5;

const count = (n: number): string => n.toLocaleString("en-US");

/** Runs the two "pii-" paths over `rows` synthetic rows and returns their figures and report rows. */
export async function runPiiHashingRows(rows: number, workers: number): Promise<{ figures: HashingBenchFigures; rows: ReportRow[] }> {
  const f = await runHashingBench({ rows, workers, paths: ["pii-inline", "pii-workers"], print: true });
  // Per CPU second, so that other load on a shared host moves neither side: the floor's 0.5 s
  // calibration and a run of many seconds see different contention in wall time.
  const floor = f.floorRowsPerCpuSec ?? Number.NaN;
  const floorText = `hash floor ${count(floor)} rows per CPU s (crypto.hash ${formatNumber(f.cryptoHashPerCpuSec / 1e6)} M per CPU s on one thread ÷ ${f.fieldsPerRow?.toFixed(2) ?? "?"} fields per row; wall ${count(f.floorRowsPerSec ?? Number.NaN)} rows/s)`;
  const display = (run: HashingRun): string => `${count(run.rowsPerSec)} rows/s (peak RSS ${formatNumber(run.peakRssMb ?? Number.NaN)} MB)`;
  const out: ReportRow[] = [];
  const one = f.runs.find((r) => r.path === "pii-inline");
  const many = f.runs.find((r) => r.path === "pii-workers");
  if (one !== undefined) {
    const share = one.rowsPerCpuSec / floor;
    out.push(
      row(4, `one thread: ${count(rows)} PII rows, CSV → hashed records`, one.rowsPerSec, "rows/s", {
        display: display(one),
        goal: { text: `≥ ${ONE_THREAD_SHARE_OF_FLOOR * 100} % of the hash floor per row`, met: share >= ONE_THREAD_SHARE_OF_FLOOR },
        comparison: { text: `${count(one.rowsPerCpuSec)} rows per CPU s: ${(share * 100).toFixed(1)} % of the ${floorText}`, ratio: share },
      }),
    );
  }
  if (many !== undefined) {
    out.push(
      row(4, `${many.workers} worker threads: ${count(rows)} PII rows, CSV → hashed records`, many.rowsPerSec, "rows/s", {
        display: display(many),
        goal: { text: `≥ ${count(WORKERS_GOAL_ROWS_PER_SEC)} rows/s`, met: many.rowsPerSec >= WORKERS_GOAL_ROWS_PER_SEC },
        comparison: { text: `${count(many.rowsPerCpuSec)} rows per CPU s (all threads); ${one === undefined ? "" : `${formatNumber(many.rowsPerSec / one.rowsPerSec)}× one thread; `}load average ${f.loadAverage.map((l) => l.toFixed(1)).join(" ")}` },
      }),
    );
  }
  return { figures: f, rows: out };
}
