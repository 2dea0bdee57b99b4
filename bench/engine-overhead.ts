/**
 * Engine overhead: a no-op `pulumi preview` of a spec with many audiences (one COOKIE membership
 * each, so two resources per audience), against the same stack's no-op preview with one audience,
 * measured in the same run. The difference is what each resource costs the engine, the program
 * and the provider; the one-audience preview is the fixed cost of starting them. Prints nothing
 * but progress; it is not a test.
 *
 *   node -r ts-node/register/transpile-only bench/engine-overhead.ts [audiences]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeCookieIdFile } from "./id-files";
import { patchTrafficSince, requestLogMark, startBenchStack, type BenchStack } from "./bench-stack";
import { measureEngineFloor, median, type FloorSeries } from "./engine-floor";

/** Options of {@link runEngineOverheadBench}. */
export interface EngineOverheadBenchOptions {
  /** Audiences in the large spec. @default 50 */
  readonly audiences?: number;
  /** Cookie IDs per audience, each from its own file. @default 1_000 */
  readonly idsPerAudience?: number;
  /** No-op previews per spec; the median is reported. @default 3 */
  readonly previews?: number;
  /** Writes V8 CPU profiles of the program and provider processes here. @default none */
  readonly cpuProfileDir?: string;
  /** Receives progress lines. @default no output */
  readonly log?: (line: string) => void;
}

/** Repeated no-op previews of one spec. */
export interface PreviewSeries {
  readonly audiences: number;
  /** Resources the spec declares besides the stack: an audience and a membership per audience key. */
  readonly resources: number;
  /** Wall time of each `pulumi preview --expect-no-changes`, in seconds. */
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  /** CPU time of each preview's whole process tree (engine, language host, program, providers), in seconds. */
  readonly cpuSeconds: readonly number[];
  readonly medianCpuSeconds: number;
  /** Exit codes; 0 means the engine saw no changes. */
  readonly exitCodes: readonly number[];
  /** Membership patches sent during the previews (0 expected). */
  readonly opsSent: number;
}

/** Our no-op preview next to the engine floor with as many trivial dynamic resources. */
export interface FloorComparison {
  readonly ours: PreviewSeries;
  readonly floor: FloorSeries;
  /** ours ÷ floor median CPU seconds (goal ≤ 1.3). */
  readonly cpuRatioToFloor: number;
}

/** What {@link runEngineOverheadBench} measured. */
export interface EngineOverheadBenchFigures {
  readonly idsPerAudience: number;
  /** The example spec (examples/basic) against the floor. */
  readonly example: FloorComparison;
  /** The large spec against the floor. */
  readonly largeVersusFloor: FloorComparison;
  /** The fixed cost: the same stack with one audience. */
  readonly baseline: PreviewSeries;
  readonly large: PreviewSeries;
  /** large ÷ baseline median. */
  readonly ratioToBaseline: number;
  /** (large − baseline) ÷ the extra resources, in ms: wall time, and CPU time of the previews' process trees. */
  readonly msPerExtraResource: number;
  readonly cpuMsPerExtraResource: number;
  /** Wall time of the `up` that grew the stack to the large spec (audience creation is throttled to 1 request/s). */
  readonly growUpSeconds: number;
}

export async function runEngineOverheadBench(options: EngineOverheadBenchOptions = {}): Promise<EngineOverheadBenchFigures> {
  const audiences = options.audiences ?? 50;
  const idsPerAudience = options.idsPerAudience ?? 1_000;
  const previews = options.previews ?? 3;
  const log = options.log ?? (() => undefined);
  const env = await startBenchStack({ name: "overhead", ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }) });
  try {
    for (let i = 0; i < audiences; i++) await writeCookieIdFile(path.join(env.work, idFileName(i)), { count: idsPerAudience, seed: 1000 + i });

    log("pulumi up with the example spec…");
    await env.stack.setConfig("dsp:spec", path.join(__dirname, "..", "examples", "basic", "audiences.yaml"));
    await env.stack.up();
    const exampleSeries = await previewSeries(env, 3, previews, log, await customResources(env));
    const example = await versusFloor(exampleSeries, previews, log);

    log("pulumi up with 1 audience…");
    await env.stack.setConfig("dsp:spec", writeSpec(env.work, 1));
    await env.stack.up();
    const baseline = await previewSeries(env, 1, previews, log);

    log(`pulumi up with ${audiences} audiences (creates are throttled to 1/s)…`);
    await env.stack.setConfig("dsp:spec", writeSpec(env.work, audiences));
    const grow = await env.timed((s) => s.up());
    const large = await previewSeries(env, audiences, previews, log);
    const largeVersusFloor = await versusFloor(large, previews, log);

    const extraResources = large.resources - baseline.resources;
    return {
      idsPerAudience,
      example,
      largeVersusFloor,
      baseline,
      large,
      ratioToBaseline: large.medianSeconds / baseline.medianSeconds,
      msPerExtraResource: extraResources > 0 ? ((large.medianSeconds - baseline.medianSeconds) * 1000) / extraResources : 0,
      cpuMsPerExtraResource: extraResources > 0 ? ((large.medianCpuSeconds - baseline.medianCpuSeconds) * 1000) / extraResources : 0,
      growUpSeconds: grow.seconds,
    };
  } finally {
    await env.close();
  }
}

async function versusFloor(ours: PreviewSeries, previews: number, log: (line: string) => void): Promise<FloorComparison> {
  const floor = await measureEngineFloor(ours.resources, previews, log);
  return { ours, floor, cpuRatioToFloor: ours.medianCpuSeconds / floor.medianCpuSeconds };
}

/** The stack's resources other than the stack itself and its default providers. */
async function customResources(env: BenchStack): Promise<number> {
  const state = JSON.parse(await env.stack.exportState()) as { deployment: { resources?: Array<{ type: string }> } };
  return (state.deployment.resources ?? []).filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

async function previewSeries(env: BenchStack, audiences: number, runs: number, log: (line: string) => void, resources = 2 * audiences): Promise<PreviewSeries> {
  const mark = requestLogMark(env.sim);
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  const exitCodes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await env.timed((stack) => stack.preview(["--expect-no-changes"]));
    log(`  no-op preview, ${audiences} audience(s): ${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s)`);
    seconds.push(run.seconds);
    cpuSeconds.push(run.cpuSeconds);
    exitCodes.push(run.result.code);
  }
  return {
    audiences,
    resources,
    seconds,
    medianSeconds: median(seconds),
    cpuSeconds,
    medianCpuSeconds: median(cpuSeconds),
    exitCodes,
    opsSent: patchTrafficSince(env.sim, mark).ops,
  };
}

const idFileName = (i: number): string => `audience-${String(i).padStart(3, "0")}.txt`;

/** `count` audiences, each with COOKIE members from its own file; the first ones stay the same as the spec grows. */
function writeSpec(dir: string, count: number): string {
  const lines = ["version: 1", "defaults:", '  advertiserId: "9223372036854775001"', "  dataSourceCountry: [US]", "audiences:"];
  for (let i = 0; i < count; i++) {
    const key = `overhead-${String(i).padStart(3, "0")}`;
    lines.push(`  ${key}:`, `    name: Engine overhead audience ${i}`, "    members:", `      COOKIE: { file: ${idFileName(i)} }`);
  }
  const file = path.join(dir, "audiences.yaml");
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

if (require.main === module) {
  const audiences = Number(process.argv[2]);
  runEngineOverheadBench({ ...(Number.isInteger(audiences) && audiences > 0 ? { audiences } : {}), log: (line) => console.error(line) })
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
