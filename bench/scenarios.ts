/**
 * The five scenarios of issue 7: their sizes per mode, which bench module runs each, and how its
 * figures become report rows next to their goals and same-run ceilings or baselines.
 */
import * as os from "node:os";
import { runClientThroughputBench } from "./client-throughput";
import { runPlanningBench } from "./planning";
import { boundedPlanningRows, runBoundedPlanningBench } from "./planning-bounded";
import { runHashingBench, type HashingRun } from "./hashing";
import { runPiiHashingRows } from "./hashing-goal";
import { CEILING_OPS_PER_SECOND, runE2ePulumiBench, type CommandFigures } from "./e2e-pulumi";
import { runEngineOverheadBench, type SweepPoint } from "./engine-overhead";
import { runCatalogCreationBench, type CatalogCreationFigures } from "./catalog-creation";
import { runValidateScaleBench } from "./validate-scale";
import { snapshotDeltaScenario } from "./snapshot-deltas";
import { warehouseSourcesScenario } from "./warehouse-sources-scenario";
import { formatNumber, formatRatio, formatSeconds, row, type ReportRow } from "./report";
import type { BenchMode, BenchSizes, Scenario } from "./scenario";

export type { BenchMode, BenchSizes, Scenario, ScenarioContext, ScenarioResult } from "./scenario";

/** Issue 7's sizes by default; `--full` runs scenario 3 at 5,000,000 IDs and scenario 5 up to 1,000 audiences; `--quick` is a smoke run whose figures are not comparable with the goals. */
export const SIZES: Readonly<Record<BenchMode, BenchSizes>> = {
  quick: { clientRecords: 100_000, baselineSeconds: 2, planningIds: 500_000, boundedPlanningIds: [2_000_000], e2eIds: 100_000, hashingRows: 100_000, hashingLargeRows: 0, engineSizes: [10], enginePreviews: 1, validateAudiences: 10_000, catalogCreation: { audiences: 50, requestsPerSecond: 10 } },
  default: { clientRecords: 1_000_000, baselineSeconds: 10, planningIds: 5_000_000, boundedPlanningIds: [20_000_000], e2eIds: 1_000_000, hashingRows: 1_000_000, hashingLargeRows: 0, engineSizes: [10, 200], enginePreviews: 3, validateAudiences: 100_000, catalogCreation: { audiences: 200, requestsPerSecond: 5 } },
  full: { clientRecords: 1_000_000, baselineSeconds: 10, planningIds: 5_000_000, boundedPlanningIds: [20_000_000, 100_000_000], e2eIds: 5_000_000, hashingRows: 1_000_000, hashingLargeRows: 5_000_000, engineSizes: [10, 200, 1000], enginePreviews: 3, validateAudiences: 100_000, catalogCreation: { audiences: 1000, requestsPerSecond: 1 } },
};

const RATE_LIMIT_PER_SECOND = 100;
const count = (n: number): string => n.toLocaleString("en-US");
const pct = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 1,
    title: "client throughput",
    async run({ sizes, log }) {
      const f = await runClientThroughputBench({ records: sizes.clientRecords, baselineSeconds: sizes.baselineSeconds, log });
      const b = f.batched;
      const rows = [
        row(1, `client throughput: ${count(b.records)} ops in ${count(b.requests)} requests (${b.throttled429} × 429, ${b.retries} retries)`, b.opsPerSecond, "ops/s", {
          goal: { text: "≥ 90 % of ceiling", met: b.ratioToCeiling >= 0.9 },
          comparison: { text: `${pct(b.ratioToCeiling)} of ceiling ${count(f.ceilingOpsPerSecond)} ops/s (100 req/s × 2,000)`, ratio: b.ratioToCeiling },
        }),
        row(1, "client CPU during the send", b.clientCpuSeconds, "s", {
          display: `${formatSeconds(b.clientCpuSeconds)} (${formatNumber(b.clientCpuMsPerRequest)} ms/request)`,
          comparison: { text: `simulator CPU ${formatSeconds(b.simulatorCpuSeconds)}; latency p50 ${formatNumber(b.latencyP50Ms)} ms, p99 ${formatNumber(b.latencyP99Ms)} ms` },
        }),
        row(1, "client peak RSS during the send", b.peakRssMb, "MB"),
        row(1, "building request bodies alone (one core, no I/O)", f.batchingOpsPerSecond, "ops/s", {
          comparison: { text: `${formatRatio(f.batchingOpsPerSecond / f.ceilingOpsPerSecond)} the ceiling: headroom`, ratio: f.batchingOpsPerSecond / f.ceilingOpsPerSecond },
        }),
      ];
      const one = f.onePatchPerRequest;
      if (one !== undefined) {
        rows.push(
          row(1, `baseline: one patch per request for ${sizes.baselineSeconds} s (${count(one.requests)} requests)`, one.opsPerSecond, "ops/s", {
            comparison: { text: `${pct(one.ratioToCeiling)} of its ceiling ${RATE_LIMIT_PER_SECOND} ops/s; batched sends ${formatRatio(b.opsPerSecond / one.opsPerSecond)} more`, ratio: b.opsPerSecond / one.opsPerSecond },
          }),
        );
      }
      return { figures: f, rows };
    },
  },
  {
    id: 2,
    title: "planning",
    // The planning bench collects garbage between phases so that each peak RSS is its own.
    exposeGc: true,
    async run({ sizes, log }) {
      const f = await runPlanningBench({ count: sizes.planningIds, log });
      const planSeconds = f.preview.wallMs / 1000;
      const peakMb = Math.max(f.peakRssFilesMb, f.peakRssPreviewMb);
      const ops = f.addCount + f.removeCount;
      const desired = f.count - f.removeCount + f.addCount;
      // A tool that keeps the set in state stores at least the compressed snapshot, base64-encoded.
      const setInStateBytes = (f.snapshotBytes * 4) / 3;
      const bounded = [];
      for (const size of sizes.boundedPlanningIds) bounded.push(await runBoundedPlanningBench({ count: size, log }));
      const inMemory = { count: f.count, peakMb, seconds: (f.loadDesiredFile.wallMs + f.preview.wallMs) / 1000 };
      return {
        figures: { ...f, bounded },
        rows: [
          row(2, `plan ${count(f.count)} IDs ±${f.churn * 100} %: desired file ∥ applied snapshot, then merge`, planSeconds, "s", {
            display: `${formatSeconds(planSeconds)} (CPU ${formatSeconds(f.preview.cpuMs / 1000)})`,
            goal: { text: "≤ 5 s", met: planSeconds <= 5 },
            comparison: { text: `merge alone ${formatSeconds(f.plan.wallMs / 1000)}; from two ID files ${formatSeconds((f.loadAppliedFile.wallMs + f.loadDesiredFile.wallMs + f.plan.wallMs) / 1000)}` },
          }),
          row(2, "peak RSS while planning", peakMb, "MB", {
            goal: { text: "≤ 1,000 MB", met: peakMb <= 1000 },
            comparison: { text: `files ${formatNumber(f.peakRssFilesMb)} MB, preview ${formatNumber(f.peakRssPreviewMb)} MB${f.peakResetWorked ? "" : " (peak not reset between phases)"}` },
          }),
          row(2, `ops to send (+${count(f.addCount)} −${count(f.removeCount)})`, ops, "ops", {
            comparison: {
              text: `resend-everything baseline ${count(desired)} ops: ${formatRatio(desired / ops)} fewer (${formatSeconds(ops / CEILING_OPS_PER_SECOND)} vs ${formatSeconds(desired / CEILING_OPS_PER_SECOND)} at the ceiling)`,
              ratio: desired / ops,
            },
          }),
          row(2, "state per membership", f.stateBytes, "B", {
            comparison: { text: `the set in state would be ≥ ${formatNumber(setInStateBytes / 1e6)} MB (zstd snapshot ${formatNumber(f.snapshotBytes / 1e6)} MB as base64)`, ratio: setInStateBytes / f.stateBytes },
          }),
          ...bounded.flatMap((b) => boundedPlanningRows(b, inMemory)),
        ],
      };
    },
  },
  {
    id: 3,
    title: "end to end through the Pulumi CLI",
    async run({ sizes, cpuProfileDir, log }) {
      const f = await runE2ePulumiBench({ ids: sizes.e2eIds, log, ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }) });
      const versusMinimum = (c: CommandFigures): string =>
        `${c.ratioToMinimum === undefined ? "–" : formatRatio(c.ratioToMinimum)} throttle-bound minimum ${formatSeconds(c.minimumSeconds)}; sending ${formatSeconds(c.sendSeconds)}`;
      const sent = (c: CommandFigures): string => `${count(c.ops)} ops in ${count(c.requests)} request${c.requests === 1 ? "" : "s"}${c.throttled429 > 0 ? `, ${c.throttled429} × 429` : ""}`;
      const withCpu = (c: CommandFigures): { display: string } => ({ display: `${formatSeconds(c.seconds)} (CPU ${formatSeconds(c.cpuSeconds)})` });
      const churnPlanOk = f.churnUp.planLine?.includes(`+${count(f.churnUp.expectedAdds)} −${count(f.churnUp.expectedRemoves)} IDs`) === true;
      return {
        figures: f,
        rows: [
          row(3, `initial up, ${count(f.ids)} IDs (${sent(f.initialUp)})`, f.initialUp.seconds, "s", {
            ...withCpu(f.initialUp),
            // Issue 14: an initial load within 1.3 × the throttle-bound minimum.
            goal: { text: "≤ 1.3 × minimum", met: f.initialUp.ratioToMinimum !== undefined && f.initialUp.ratioToMinimum <= 1.3 },
            comparison: { text: versusMinimum(f.initialUp), ...(f.initialUp.ratioToMinimum === undefined ? {} : { ratio: f.initialUp.ratioToMinimum }) },
          }),
          row(3, `up after 1 % churn (${sent(f.churnUp)}${churnPlanOk ? "" : "; plan line differs from the churn written!"})`, f.churnUp.seconds, "s", {
            ...withCpu(f.churnUp),
            goal: { text: `≤ 2 × minimum + start-up = ${formatSeconds(f.churnUpBudgetSeconds)}`, met: f.churnUp.seconds <= f.churnUpBudgetSeconds },
            comparison: { text: versusMinimum(f.churnUp), ...(f.churnUp.ratioToMinimum === undefined ? {} : { ratio: f.churnUp.ratioToMinimum }) },
          }),
          row(3, `no-op preview = engine start-up (${sent(f.noOpPreview)}, exit ${f.noOpPreview.exitCode})`, f.noOpPreview.seconds, "s", {
            ...withCpu(f.noOpPreview),
            comparison: { text: `simulator holds ${count(f.simulatorMembers)} of ${count(f.ids)} IDs; it used ${formatSeconds(f.simulatorCpuSeconds)} CPU over the three commands` },
          }),
          row(3, "no-op preview CPU against the engine floor (2 trivial dynamic resources)", f.noOpPreview.cpuSeconds / f.noOpFloor.medianCpuSeconds, "×", {
            display: `${formatRatio(f.noOpPreview.cpuSeconds / f.noOpFloor.medianCpuSeconds)} (CPU ${formatSeconds(f.noOpPreview.cpuSeconds)} vs ${formatSeconds(f.noOpFloor.medianCpuSeconds)})`,
            comparison: { text: "the ID file is read and diffed against the snapshot in every preview: the floor does neither", ratio: f.noOpPreview.cpuSeconds / f.noOpFloor.medianCpuSeconds },
          }),
          row(3, "state per membership (pulumi stack export)", f.stateBytesPerMembership, "B", {
            comparison: { text: `whole checkpoint ${count(f.checkpointBytes)} B; ID file ${formatNumber(f.idFileBytes / 1e6)} MB`, ratio: f.idFileBytes / f.stateBytesPerMembership },
          }),
        ],
      };
    },
  },
  {
    id: 4,
    title: "hashing",
    async run({ sizes }) {
      const workers = os.availableParallelism();
      const pii = await runPiiHashingRows(sizes.hashingRows, workers);
      const large = sizes.hashingLargeRows > 0 ? await runPiiHashingRows(sizes.hashingLargeRows, workers) : { figures: undefined, rows: [] };
      const f = await runHashingBench({ rows: sizes.hashingRows, workers, paths: ["inline", "workers"], print: true });
      const one = f.runs.find((r) => r.path === "inline");
      const many = f.runs.find((r) => r.path === "workers");
      const calibration = `crypto.hash ${formatNumber(f.cryptoHashPerSec / 1e6)} M/s on one thread now (idle host 1.5 M/s)`;
      const hashingRow = (run: HashingRun, label: string, comparison: string): ReportRow =>
        row(4, `${label}: ${count(f.rows)} PII rows, CSV → packed requests (${run.bodies} bodies)`, run.rowsPerSec, "rows/s", {
          display: `${count(run.rowsPerSec)} rows/s (peak RSS ${formatNumber(run.peakRssMb ?? Number.NaN)} MB)`,
          goal: { text: "≥ 100,000 rows/s", met: run.rowsPerSec >= 100_000 },
          comparison: { text: `${comparison}; ${count(run.rowsPerCpuSec)} rows per CPU s` },
        });
      const rows: ReportRow[] = [];
      if (one !== undefined) rows.push(hashingRow(one, "one thread", calibration));
      if (many !== undefined) {
        const speedup = one === undefined ? "" : `${formatRatio(many.rowsPerSec / one.rowsPerSec)} one thread`;
        rows.push(hashingRow(many, `${workers} worker threads`, speedup));
      }
      return { figures: { hashedRecords: [pii.figures, large.figures].filter((x) => x !== undefined), upload: f }, rows: [...pii.rows, ...large.rows, ...rows] };
    },
  },
  {
    id: 5,
    title: "engine overhead",
    async run({ sizes, cpuProfileDir, log }) {
      const f = await runEngineOverheadBench({ sizes: sizes.engineSizes, previews: sizes.enginePreviews, log, ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }) });
      const creation = await runCatalogCreationBench({ ...sizes.catalogCreation, log });
      return { figures: { ...f, creation }, rows: [...f.points.flatMap((p) => sweepRows(p, f.previews)), ...creationRows(creation)] };
    },
  },
  {
    id: 6,
    title: "validate at scale",
    async run({ sizes, log }) {
      const f = await runValidateScaleBench({ audiences: sizes.validateAudiences, log });
      const mb = (bytes: number): string => `${formatNumber(bytes / 1e6)} MB`;
      return {
        figures: f,
        rows: [
          row(6, `validate ${count(f.large.audiences)} audiences (${mb(f.large.bytes)} spec)`, f.large.seconds, "s", {
            goal: { text: "seconds, linear", met: f.large.seconds <= 10 && f.ratioToLinear <= 2 },
            comparison: {
              text: `${formatRatio(f.ratioToLinear)} the linear expectation 10 × ${formatSeconds(f.baseline.seconds)} (${count(f.baseline.audiences)} audiences, ${mb(f.baseline.bytes)})`,
              ratio: f.ratioToLinear,
            },
          }),
        ],
      };
    },
  },
  snapshotDeltaScenario,
  warehouseSourcesScenario,
];

/** Issue 25's goal for the sweep: CPU and peak memory within this factor of the same-run engine floor. */
const FLOOR_GOAL = 1.2;

/** Scenario 5's rows for one size: CPU, peak RSS and wall against the floor, and the preview after 1 % changed. */
function sweepRows(p: SweepPoint, previews: number): ReportRow[] {
  const exits = (codes: readonly number[]): string => (codes.every((c) => c === 0) ? "" : `, exit codes ${codes.join("/")}`);
  const what = `${count(p.audiences)} audiences (${count(p.resources)} resources)`;
  const floor = `the floor (${count(p.resources)} trivial dynamic resources)`;
  const mb = (value: number): string => `${formatNumber(value)} MB`;
  const medians = `medians of ${previews}, alternated with the floor's`;
  return [
    row(5, `no-op preview CPU, ${what}, ${medians}${exits(p.ours.exitCodes)}${p.opsSent > 0 ? `; ${count(p.opsSent)} ops sent!` : ""}`, p.ours.medianCpuSeconds, "s", {
      goal: { text: `≤ ${FLOOR_GOAL} × floor`, met: p.cpuRatio <= FLOOR_GOAL },
      comparison: {
        text: `${formatRatio(p.cpuRatio)} ${floor}: ${formatSeconds(p.floor.medianCpuSeconds)}; ${formatNumber(((p.ours.medianCpuSeconds - p.floor.medianCpuSeconds) * 1000) / p.resources)} ms more per resource`,
        ratio: p.cpuRatio,
      },
    }),
    row(5, `no-op preview peak RSS (largest process), ${what}`, p.ours.medianPeakRssMb, "MB", {
      goal: { text: `≤ ${FLOOR_GOAL} × floor`, met: p.peakRssRatio <= FLOOR_GOAL },
      comparison: { text: `${formatRatio(p.peakRssRatio)} ${floor}: ${mb(p.floor.medianPeakRssMb)}`, ratio: p.peakRssRatio },
    }),
    row(5, `no-op preview wall, ${what}`, p.ours.medianSeconds, "s", {
      comparison: { text: `${formatRatio(p.wallRatio)} ${floor}: ${formatSeconds(p.floor.medianSeconds)}`, ratio: p.wallRatio },
    }),
    row(5, `state per resource, ${what}; grown in ${formatSeconds(p.growSeconds)} (set-up, checkpoints skipped)`, p.stateBytesPerResource, "bytes", {
      display: `${count(Math.round(p.stateBytesPerResource))} bytes`,
      comparison: { text: `${formatRatio(p.stateBytesPerResource / p.floorStateBytesPerResource)} ${floor}: ${count(Math.round(p.floorStateBytesPerResource))} bytes`, ratio: p.stateBytesPerResource / p.floorStateBytesPerResource },
    }),
    row(5, `preview with ${count(p.changed.changedAudiences)} of ${count(p.audiences)} audiences' members changed (${p.changed.plannedAudiences} planned${p.changed.exitCode === 0 ? "" : `, exit ${p.changed.exitCode}`})`, p.changed.seconds, "s", {
      display: `${formatSeconds(p.changed.seconds)} (CPU ${formatSeconds(p.changed.cpuSeconds)})`,
      comparison: { text: `${formatRatio(p.changed.seconds / p.ours.medianSeconds)} the no-op preview's wall`, ratio: p.changed.seconds / p.ours.medianSeconds },
    }),
  ];
}

/** Issue 25's goal for creating a catalog: the whole up within this factor of N / R, the metadata limit's bound. */
const CREATION_GOAL = 1.1;

/** Scenario 5's rows for creating a catalog against the metadata limit. */
function creationRows(c: CatalogCreationFigures): ReportRow[] {
  const what = `${count(c.audiences)} new audiences at ${c.requestsPerSecond} metadata request${c.requestsPerSecond === 1 ? "" : "s"}/s${c.requestsPerSecond === 1 ? " (Amazon's limit)" : " (raised)"}`;
  const bound = `the bound N/R = ${formatSeconds(c.boundSeconds)}`;
  const ratio = c.upSeconds / c.boundSeconds;
  return [
    row(5, `pulumi up creating ${what}, with a membership each${c.exitCode === 0 ? "" : `, exit ${c.exitCode}`}${c.throttled > 0 ? `; ${c.throttled} metadata 429s` : ""}`, c.upSeconds, "s", {
      goal: { text: `≤ ${CREATION_GOAL} × N/R`, met: ratio <= CREATION_GOAL },
      comparison: { text: `${formatRatio(ratio)} ${bound}; the creates spanned ${formatSeconds(c.createSpanSeconds)} (${formatRatio(c.createSpanSeconds / c.boundSeconds)})`, ratio },
    }),
    row(5, `first membership sent, after the first create (${what})`, c.firstMembershipSeconds, "s", {
      comparison: {
        text: `the last create came ${formatSeconds(c.lastCreateSeconds)} after the first; ${count(c.membershipsBeforeLastCreate)} of ${count(c.audiences)} memberships were sent before it`,
        ratio: c.firstMembershipSeconds / Math.max(c.lastCreateSeconds, 0.001),
      },
    }),
    row(5, `no-op pulumi up of the same ${count(c.audiences)} audiences`, c.noopUpSeconds, "s"),
  ];
}
