/**
 * Engine overhead as a sweep over catalog sizes: for each size, the no-op `pulumi preview` of a
 * spec with that many audiences (one COOKIE membership each, so two resources per audience)
 * against the engine floor with as many trivial dynamic resources (engine-floor.ts), previews of
 * the two alternated (A B, B A, …) so that a change in the host's load hits both; then the wall
 * time of a preview after 1 % of the audiences' members changed. The stacks grow from one size to
 * the next against a simulator without metadata limits, so set-up takes seconds, not the 1 request/s
 * Amazon allows. Prints nothing but progress; it is not a test.
 *
 *   node -r ts-node/register/transpile-only bench/engine-overhead.ts [audiences,…]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeCookieIdFile } from "./id-files";
import { patchTrafficSince, requestLogMark, startBenchStack, type BenchStack } from "./bench-stack";
import { median, startFloorStack, stateBytesPerResource, type FloorStack, type PreviewRun } from "./engine-floor";

/** Options of {@link runEngineOverheadBench}. */
export interface EngineOverheadBenchOptions {
  /** Audiences in each spec of the sweep, ascending. @default [10, 200] */
  readonly sizes?: readonly number[];
  /** Cookie IDs per audience, each audience from its own file. @default 3 */
  readonly idsPerAudience?: number;
  /** No-op previews of ours and of the floor per size (alternated); medians are reported. @default 3 */
  readonly previews?: number;
  /** Writes V8 CPU profiles of our program and provider processes here. @default none */
  readonly cpuProfileDir?: string;
  /** Receives progress lines. @default no output */
  readonly log?: (line: string) => void;
}

/** Medians of repeated no-op previews of one stack. */
export interface PreviewSeries {
  readonly runs: readonly PreviewRun[];
  readonly medianSeconds: number;
  readonly medianCpuSeconds: number;
  /** Median over the previews of the largest process's peak RSS, in MB (NaN where it cannot be read). */
  readonly medianPeakRssMb: number;
  /** Exit codes; 0 means the engine saw no changes. */
  readonly exitCodes: readonly number[];
}

/** A preview after some audiences' members changed. */
export interface ChangedPreview {
  readonly changedAudiences: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly exitCode: number;
  /** Audiences whose membership the preview planned as `+N −N IDs` (expected: changedAudiences). */
  readonly plannedAudiences: number;
}

/** One size of the sweep. */
export interface SweepPoint {
  readonly audiences: number;
  /** Resources of each stack besides the stack itself: an audience and a membership per audience key. */
  readonly resources: number;
  readonly ours: PreviewSeries;
  readonly floor: PreviewSeries;
  /** ours ÷ floor medians (goal ≤ 1.2 for CPU and peak RSS). */
  readonly cpuRatio: number;
  readonly peakRssRatio: number;
  readonly wallRatio: number;
  /** Membership patches sent during the no-op previews (0 expected). */
  readonly opsSent: number;
  readonly changed: ChangedPreview;
  /** Wall time of the `up` that grew our stack to this size (simulator without metadata limits, checkpoints skipped). */
  readonly growSeconds: number;
  /** Bytes of `pulumi stack export` per resource: ours and the floor's (what the engine reads, diffs and writes per step). */
  readonly stateBytesPerResource: number;
  readonly floorStateBytesPerResource: number;
}

/** What {@link runEngineOverheadBench} measured. */
export interface EngineOverheadBenchFigures {
  readonly idsPerAudience: number;
  readonly previews: number;
  readonly points: readonly SweepPoint[];
}

/** The client's metadata rate while the stacks are set up (the simulator has no metadata limit then). */
const SETUP_METADATA_RATE = 1000;

export async function runEngineOverheadBench(options: EngineOverheadBenchOptions = {}): Promise<EngineOverheadBenchFigures> {
  const sizes = options.sizes ?? [10, 200];
  const idsPerAudience = options.idsPerAudience ?? 3;
  const previews = options.previews ?? 3;
  const log = options.log ?? (() => undefined);
  const env = await startBenchStack({
    name: "sweep",
    simulatorLimits: { metadataTps: 0 },
    config: { "dsp:metadataRequestsPerSecond": String(SETUP_METADATA_RATE) },
    ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }),
  });
  let floor: FloorStack | undefined;
  try {
    floor = await startFloorStack(options.cpuProfileDir === undefined ? undefined : path.join(options.cpuProfileDir, "floor"));
    const points: SweepPoint[] = [];
    let written = 0;
    for (const audiences of sizes) {
      for (; written < audiences; written++) await writeIdFile(env.work, written, idsPerAudience);
      log(`pulumi up with ${audiences} audiences, and the floor with ${2 * audiences} resources…`);
      await env.stack.setConfig("dsp:spec", writeSpec(env.work, audiences));
      // Set-up: checkpoints skipped (see BenchStack.setupStack); its wall time is reported, not judged.
      const grow = await env.timed(() => env.setupStack.up());
      if (grow.result.code !== 0) throw new Error(`pulumi up of ${audiences} audiences failed:\n${grow.result.stderr || grow.result.stdout}`);
      const exported = await env.stack.exportState();
      const resources = customResources(exported);
      await floor.grow(resources);
      const state = { stateBytesPerResource: stateBytesPerResource(exported), floorStateBytesPerResource: await floor.stateBytesPerResource() };
      log(`  grown in ${grow.seconds.toFixed(1)} s; state ${state.stateBytesPerResource.toFixed(0)} bytes per resource (the floor's ${state.floorStateBytesPerResource.toFixed(0)})`);
      points.push({ ...(await measureSize(env, floor, { audiences, resources, previews, idsPerAudience, growSeconds: grow.seconds, log })), ...state });
    }
    return { idsPerAudience, previews, points };
  } finally {
    floor?.close();
    await env.close();
  }
}

async function measureSize(
  env: BenchStack,
  floor: FloorStack,
  size: { audiences: number; resources: number; previews: number; idsPerAudience: number; growSeconds: number; log: (line: string) => void },
): Promise<Omit<SweepPoint, "stateBytesPerResource" | "floorStateBytesPerResource">> {
  const { audiences, resources, log } = size;
  const mark = requestLogMark(env.sim);
  const ours: PreviewRun[] = [];
  const floors: PreviewRun[] = [];
  const runOurs = async (): Promise<void> => {
    const run = await env.timed((stack) => stack.preview(["--expect-no-changes"]));
    ours.push({ seconds: run.seconds, cpuSeconds: run.cpuSeconds, peakRssMb: run.peakRssMb, exitCode: run.result.code });
    log(`  no-op preview, ${audiences} audiences: ${describeRun(ours.at(-1) as PreviewRun)}`);
  };
  const runFloor = async (): Promise<void> => {
    floors.push(await floor.preview());
    log(`  engine floor, ${resources} trivial dynamic resources: ${describeRun(floors.at(-1) as PreviewRun)}`);
  };
  // A B, B A, A B…: neither side always runs first on a host whose load drifts.
  for (let i = 0; i < size.previews; i++) {
    for (const run of i % 2 === 0 ? [runOurs, runFloor] : [runFloor, runOurs]) await run();
  }
  const opsSent = patchTrafficSince(env.sim, mark).ops;
  const changed = await changedPreview(env, audiences, size.idsPerAudience, log);
  const oursSeries = series(ours);
  const floorSeries = series(floors);
  return {
    audiences,
    resources,
    ours: oursSeries,
    floor: floorSeries,
    cpuRatio: oursSeries.medianCpuSeconds / floorSeries.medianCpuSeconds,
    peakRssRatio: oursSeries.medianPeakRssMb / floorSeries.medianPeakRssMb,
    wallRatio: oursSeries.medianSeconds / floorSeries.medianSeconds,
    opsSent,
    changed,
    growSeconds: size.growSeconds,
  };
}

/** A preview after 1 % of the audiences (at least one) got new members; their files are put back afterwards. */
async function changedPreview(env: BenchStack, audiences: number, idsPerAudience: number, log: (line: string) => void): Promise<ChangedPreview> {
  const changedAudiences = Math.max(1, Math.round(audiences / 100));
  const step = Math.floor(audiences / changedAudiences);
  const changed = Array.from({ length: changedAudiences }, (_, i) => i * step);
  for (const i of changed) await writeIdFile(env.work, i, idsPerAudience, CHANGED_SEED_OFFSET);
  try {
    const run = await env.timed((stack) => stack.preview());
    const output = run.result.stdout + run.result.stderr;
    // The CLI prints a diagnostic on the resource's row and again in its summary: count the audiences.
    const planned = new Set(Array.from(output.matchAll(new RegExp(`(overhead-\\d+) COOKIE: \\+${idsPerAudience} −${idsPerAudience} IDs`, "g")), (m) => m[1]));
    const plannedAudiences = planned.size;
    log(`  preview with ${changedAudiences} of ${audiences} audiences changed: ${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s), ${plannedAudiences} audiences planned`);
    return { changedAudiences, seconds: run.seconds, cpuSeconds: run.cpuSeconds, exitCode: run.result.code, plannedAudiences };
  } finally {
    for (const i of changed) await writeIdFile(env.work, i, idsPerAudience);
  }
}

function series(runs: readonly PreviewRun[]): PreviewSeries {
  return {
    runs,
    medianSeconds: median(runs.map((r) => r.seconds)),
    medianCpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    medianPeakRssMb: median(runs.map((r) => r.peakRssMb)),
    exitCodes: runs.map((r) => r.exitCode),
  };
}

const describeRun = (r: PreviewRun): string => `${r.seconds.toFixed(1)} s (CPU ${r.cpuSeconds.toFixed(1)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB)`;

/** The exported state's resources other than the stack itself and its default providers. */
function customResources(exported: string): number {
  const state = JSON.parse(exported) as { deployment: { resources?: Array<{ type: string }> } };
  return (state.deployment.resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

/** Seeds of the changed files: far from every audience's own seed. */
const CHANGED_SEED_OFFSET = 1_000_000;

const idFileName = (i: number): string => `audience-${String(i).padStart(4, "0")}.txt`;

function writeIdFile(dir: string, i: number, count: number, seedOffset = 0): Promise<unknown> {
  return writeCookieIdFile(path.join(dir, idFileName(i)), { count, seed: 1000 + i + seedOffset });
}

/** `count` audiences, each with COOKIE members from its own file; the first ones stay the same as the spec grows. */
function writeSpec(dir: string, count: number): string {
  const lines = ["version: 1", "defaults:", '  advertiserId: "9223372036854775001"', "  dataSourceCountry: [US]", "audiences:"];
  for (let i = 0; i < count; i++) {
    const key = `overhead-${String(i).padStart(4, "0")}`;
    lines.push(`  ${key}:`, `    name: Engine overhead audience ${i}`, "    members:", `      COOKIE: { file: ${idFileName(i)} }`);
  }
  const file = path.join(dir, "audiences.yaml");
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

if (require.main === module) {
  const sizes = (process.argv[2] ?? "").split(",").filter((s) => s !== "").map(Number);
  runEngineOverheadBench({ ...(sizes.length > 0 && sizes.every((n) => Number.isInteger(n) && n > 0) ? { sizes } : {}), log: (line) => console.error(line) })
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
