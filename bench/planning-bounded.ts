/**
 * Issue 14: planning a membership larger than memory, at N cookie IDs with 1 % churn, within the
 * default `dsp:planMemoryMB`. Each phase runs in a child process of its own, so its peak RSS
 * (VmHWM) and CPU are its own:
 *
 * - program: read the desired ID file within the budget (sorted runs on disk, merged), store its
 *   snapshot (streamed from disk).
 * - provider: plan applied → desired as the membership provider does: both sets copied from the
 *   store onto disk, then planned window by window (planSync with the in-doubt placement).
 *
 * The applied set is stored first by the same program code (not measured).
 *
 *     node -r ts-node/register/transpile-only bench/planning-bounded.ts [count] [churn] [budgetMB]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { planFromDelta, readIdFilesBounded, SpilledSet } from "../provider/plan";
import { FileSnapshotStore, putSpilledNearBase } from "../provider/snapshots";
import { planningBase } from "../provider/sync/set-sync-record";
import { planSync } from "../provider/sync/sync-plan";
import { planWindows, SpilledCopies, withOwnCopies } from "../provider/sync/plan-windows";
import { DEFAULT_PLAN_MEMORY_MB, PLAN_BYTES_PER_ID } from "../provider/config/plan-memory";
import { writeCookieIdFile } from "./id-files";
import { runDuckDbPlanning, type DuckDbPlanningFigures } from "./planning-duckdb";
import { formatNumber, formatSeconds, row, type ReportRow } from "./report";
import { freshWorkDir } from "./work-dir";

/** One phase as measured in its child process. */
export interface BoundedPhase {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** VmHWM of the child, MB (10^6 B). */
  readonly peakRssMb: number;
  readonly detail: string;
  readonly addCount?: number;
  readonly removeCount?: number;
  readonly windows?: number;
}

/** What {@link runBoundedPlanningBench} measured. */
export interface BoundedPlanningFigures {
  readonly count: number;
  readonly churn: number;
  readonly budgetMb: number;
  readonly expectedAdds: number;
  readonly expectedRemoves: number;
  readonly program: BoundedPhase;
  readonly provider: BoundedPhase;
  /** The same change as an `up` makes it: the desired set stored as a delta over the applied set (range by range, on disk). */
  readonly programDelta: BoundedPhase;
  /** The provider's plan from that delta alone. */
  readonly providerDelta: BoundedPhase;
  /**
   * Design B, for the comparison issue 14 asks for: DuckDB's exact anti-join of the two ID files
   * under a 256 MB `memory_limit`, spilling (up to 20M IDs; undefined above, or when DuckDB is not
   * installed, with the reason).
   */
  readonly duckdb?: DuckDbPlanningFigures | { readonly skipped: string };
}

type Phase = "store-applied" | "program" | "provider" | "program-delta" | "provider-delta";

/** Options for {@link runBoundedPlanningBench}. */
export interface BoundedPlanningOptions {
  /** IDs in the applied set. @default 20_000_000 */
  readonly count?: number;
  /** Fraction removed, and the same number added. @default 0.01 */
  readonly churn?: number;
  /** The plan memory budget, MB. @default DEFAULT_PLAN_MEMORY_MB */
  readonly budgetMb?: number;
  readonly directory?: string;
  readonly log?: (line: string) => void;
}

export async function runBoundedPlanningBench(options: BoundedPlanningOptions = {}): Promise<BoundedPlanningFigures> {
  const count = options.count ?? 20_000_000;
  const churn = options.churn ?? 0.01;
  const budgetMb = options.budgetMb ?? DEFAULT_PLAN_MEMORY_MB;
  const log = options.log ?? ((line: string) => console.log(line));
  const directory = freshWorkDir(`planning-bounded-${count}`, options.directory);
  try {
    log(`generating ${count.toLocaleString("en")} cookie IDs and a ${churn * 100} % churn of them …`);
    await writeCookieIdFile(join(directory, "applied.ids"), { count, seed: 21 });
    const change = await writeCookieIdFile(join(directory, "desired.ids"), { count, seed: 21, churn });
    const setup = phase(directory, "store-applied", budgetMb, log);
    writeFileSync(join(directory, "applied.digest"), setup.detail);
    const program = phase(directory, "program", budgetMb, log);
    writeFileSync(join(directory, "desired.digest"), program.detail);
    const provider = phase(directory, "provider", budgetMb, log);
    const programDelta = phase(directory, "program-delta", budgetMb, log);
    const providerDelta = phase(directory, "provider-delta", budgetMb, log);
    const duckdb = count <= DUCKDB_UP_TO ? await duckDbDesign(directory, log) : undefined;
    return { count, churn, budgetMb, expectedAdds: change.added, expectedRemoves: change.removed, program, provider, programDelta, providerDelta, ...(duckdb === undefined ? {} : { duckdb }) };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** Design B is measured up to this size: at 100M its spill and time add minutes to the bench. */
const DUCKDB_UP_TO = 20_000_000;
const DUCKDB_MEMORY_MB = 256;

async function duckDbDesign(directory: string, log: (line: string) => void): Promise<DuckDbPlanningFigures | { skipped: string }> {
  try {
    const f = await runDuckDbPlanning({ appliedFile: join(directory, "applied.ids"), desiredFile: join(directory, "desired.ids"), memoryMB: DUCKDB_MEMORY_MB, workDir: directory, query: "full-outer-join" });
    log(`duckdb        ${(f.wallMs / 1000).toFixed(2)} s (CPU ${(f.cpuMs / 1000).toFixed(2)} s), peak RSS ${f.peakRssMb.toFixed(0)} MB, spilled ${f.peakSpillMb.toFixed(0)} MB: +${f.addCount} −${f.removeCount}`);
    return f;
  } catch (error) {
    const skipped = error instanceof Error ? error.message.split("\n")[0] ?? "" : String(error);
    log(`duckdb        not measured: ${skipped}`);
    return { skipped };
  }
}

/** Runs one phase in a child process and reads its figures from its last stdout line. */
function phase(directory: string, name: Phase, budgetMb: number, log: (line: string) => void): BoundedPhase {
  const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--phase", name, directory, String(budgetMb)], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
    // The child's own temp files (runs, copies) go under the bench folder, deleted with it.
    env: { ...process.env, TMPDIR: directory },
  });
  const figures = JSON.parse(out.trim().split("\n").pop() as string) as BoundedPhase;
  log(`${name.padEnd(13)} ${(figures.wallMs / 1000).toFixed(2)} s (CPU ${(figures.cpuMs / 1000).toFixed(2)} s), peak RSS ${figures.peakRssMb.toFixed(0)} MB: ${figures.detail}`);
  return figures;
}

/** The phase itself, in the child. */
async function runPhase(name: Phase, directory: string, budgetMb: number): Promise<Omit<BoundedPhase, "wallMs" | "cpuMs" | "peakRssMb">> {
  const store = new FileSnapshotStore(join(directory, "store"));
  const memoryBytes = budgetMb * 1e6;
  const digestOf = (set: "applied" | "desired"): string => readFileSync(join(directory, `${set}.digest`), "latin1");
  switch (name) {
    case "store-applied":
    case "program": {
      const set = await readIdFilesBounded([join(directory, name === "program" ? "desired.ids" : "applied.ids")], { memoryBytes, directory });
      const digest = await store.put(set);
      // The delta phases' store holds the applied set too, as after the last up.
      if (name === "store-applied") await new FileSnapshotStore(join(directory, "delta-store")).put(set);
      if (set instanceof SpilledSet) set.dispose();
      return { detail: digest };
    }
    case "program-delta": {
      const deltas = new FileSnapshotStore(join(directory, "delta-store"));
      const set = await readIdFilesBounded([join(directory, "desired.ids")], { memoryBytes, directory });
      const put = set instanceof SpilledSet ? await putSpilledNearBase(deltas, set, digestOf("applied"), memoryBytes / PLAN_BYTES_PER_ID) : undefined;
      if (set instanceof SpilledSet) set.dispose();
      return { detail: `stored ${put?.written ?? "in memory (not measured)"}` };
    }
    case "provider-delta": {
      const delta = await new FileSnapshotStore(join(directory, "delta-store")).getDelta(digestOf("desired"));
      if (delta === undefined) throw new Error("the desired set was not stored as a delta");
      const plan = planFromDelta(delta, delta.resultCount);
      return { detail: `+${plan.addCount} −${plan.removeCount} from the delta`, addCount: plan.addCount, removeCount: plan.removeCount };
    }
    case "provider": {
      const applied = digestOf("applied");
      const desired = digestOf("desired");
      // The counts the provider knows from state and inputs: about the count, twice.
      const counts = statSync(join(directory, "applied.ids")).size / 23;
      const windows = planWindows(counts * 2, memoryBytes);
      const copies = new SpilledCopies(store);
      // One operation, as the provider's diff is: its copies go when it is done.
      return withOwnCopies(async () => {
        let addCount = 0;
        let removeCount = 0;
        for (const window of windows) {
          const { plan } = await planSync(copies.view(window), { appliedDigest: applied }, undefined, desired, { baseOf: planningBase });
          addCount += plan.addCount;
          removeCount += plan.removeCount;
        }
        return { detail: `+${addCount} −${removeCount} in ${windows.length} windows`, addCount, removeCount, windows: windows.length };
      });
    }
  }
}

/** Issue 14's goals for a plan of `count` IDs with 1 % churn: memory at 20M, memory and time at 100M. */
function goalsFor(count: number): { peakMb?: number; seconds?: number } {
  if (count >= 100_000_000) return { peakMb: 2000, seconds: 120 };
  if (count >= 20_000_000) return { peakMb: 1000 };
  return {};
}

/**
 * Report rows of one run, beside the same run's in-memory plan (scenario 2's own figures at a
 * smaller size) scaled linearly to this size: what planning in memory would need.
 */
export function boundedPlanningRows(f: BoundedPlanningFigures, inMemory: { count: number; peakMb: number; seconds: number }): ReportRow[] {
  const ids = `${f.count.toLocaleString("en-US")} IDs ±${f.churn * 100} %`;
  const goals = goalsFor(f.count);
  const seconds = (f.program.wallMs + f.provider.wallMs) / 1000;
  const peakMb = Math.max(f.program.peakRssMb, f.provider.peakRssMb);
  const scale = f.count / inMemory.count;
  const exact = f.provider.addCount === f.expectedAdds && f.provider.removeCount === f.expectedRemoves;
  const phases = `program ${formatSeconds(f.program.wallMs / 1000)} (CPU ${formatSeconds(f.program.cpuMs / 1000)}), provider ${formatSeconds(f.provider.wallMs / 1000)} (CPU ${formatSeconds(f.provider.cpuMs / 1000)}) in ${f.provider.windows ?? 1} windows`;
  const rows = [
    row(2, `plan ${ids} within dsp:planMemoryMB ${f.budgetMb}: desired file sorted on disk and stored, then planned from copies on disk${exact ? "" : "; counts differ from the churn written!"}`, seconds, "s", {
      display: `${formatSeconds(seconds)} (+${f.provider.addCount?.toLocaleString("en-US")} −${f.provider.removeCount?.toLocaleString("en-US")})`,
      ...(goals.seconds === undefined ? {} : { goal: { text: `≤ ${goals.seconds} s`, met: seconds <= goals.seconds && exact } }),
      comparison: { text: `${phases}; in memory ${formatSeconds(inMemory.seconds * scale)} scaled from ${inMemory.count.toLocaleString("en-US")} IDs this run` },
    }),
    row(2, `peak RSS planning ${ids} within the budget`, peakMb, "MB", {
      ...(goals.peakMb === undefined ? {} : { goal: { text: `≤ ${goals.peakMb.toLocaleString("en-US")} MB`, met: peakMb <= goals.peakMb } }),
      comparison: {
        text: `program ${formatNumber(f.program.peakRssMb)} MB, provider ${formatNumber(f.provider.peakRssMb)} MB; in memory ≈ ${formatNumber(inMemory.peakMb * scale)} MB scaled from this run's ${formatNumber(inMemory.peakMb)} MB at ${inMemory.count.toLocaleString("en-US")}`,
        ratio: (inMemory.peakMb * scale) / peakMb,
      },
    }),
  ];
  const d = f.programDelta;
  const e = f.providerDelta;
  rows.push(
    row(2, `an up's part of ${ids} in bounded memory: desired set stored as a delta over the applied set (diffed range by range on disk), then planned from the delta alone`, (d.wallMs + e.wallMs) / 1000, "s", {
      display: `${formatSeconds((d.wallMs + e.wallMs) / 1000)} (program ${formatSeconds(d.wallMs / 1000)}, ${formatNumber(d.peakRssMb)} MB: ${d.detail}; provider ${formatSeconds(e.wallMs / 1000)}, ${formatNumber(e.peakRssMb)} MB)`,
      comparison: { text: `the windowed plan of the whole sets above ${formatSeconds(seconds)}: the provider's part ${formatSeconds(f.provider.wallMs / 1000)} → ${formatSeconds(e.wallMs / 1000)}`, ratio: f.provider.wallMs / e.wallMs },
    }),
  );
  const b = f.duckdb;
  if (b !== undefined && "skipped" in b) rows.push(row(2, `design B (DuckDB) at ${ids}: not measured (${b.skipped})`, Number.NaN, "s"));
  else if (b !== undefined) {
    const exactB = b.addCount === f.expectedAdds && b.removeCount === f.expectedRemoves;
    rows.push(
      row(2, `design B at ${ids}: DuckDB's full outer join of the two ID files, memory_limit ${DUCKDB_MEMORY_MB} MB, spilling${exactB ? "" : "; counts differ from the churn written!"}`, b.wallMs / 1000, "s", {
        display: `${formatSeconds(b.wallMs / 1000)} (CPU ${formatSeconds(b.cpuMs / 1000)}), peak RSS ${formatNumber(b.peakRssMb)} MB, spilled ${formatNumber(b.peakSpillMb)} MB`,
        comparison: { text: `design A (ours): ${formatSeconds(seconds)} (CPU ${formatSeconds((f.program.cpuMs + f.provider.cpuMs) / 1000)}), peak ${formatNumber(peakMb)} MB, and it also stores the set and plans its in-doubt IDs` },
      }),
    );
  }
  return rows;
}

function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match === null ? Number.NaN : (Number(match[1]) * 1024) / 1e6;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === "--phase") {
    const cpu = process.cpuUsage();
    const start = performance.now();
    runPhase(args[1] as Phase, args[2] as string, Number(args[3])).then(
      (result) => {
        const used = process.cpuUsage(cpu);
        console.log(JSON.stringify({ ...result, wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, peakRssMb: peakRssMb() }));
      },
      (error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      },
    );
  } else {
    const [count, churn, budgetMb] = args.map(Number);
    runBoundedPlanningBench({ ...(count ? { count } : {}), ...(churn ? { churn } : {}), ...(budgetMb ? { budgetMb } : {}) }).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
