/**
 * The engine floor: what a no-op `pulumi preview` costs on the same engine for a trivial Pulumi
 * program (plain JavaScript) with the same number of trivial dynamic resources, whose provider
 * does nothing. Our program's no-op preview is reported as a ratio to it, measured in the same
 * run, so that the figure says what this project adds, not how fast the machine is.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ensurePulumiEngine, PulumiStack } from "../tools/pulumi-cli";
import { childrenCpuSeconds, profilingEnv, SETUP_ENV } from "./bench-stack";
import { peakRssProbe } from "./peak-rss";

/** Median wall and CPU seconds of repeated no-op previews. */
export interface FloorSeries {
  readonly resources: number;
  readonly medianSeconds: number;
  readonly medianCpuSeconds: number;
  readonly exitCodes: readonly number[];
}

/** One no-op preview: its wall and CPU seconds, and the peak RSS of its largest process (MB; NaN if unknown). */
export interface PreviewRun {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  readonly exitCode: number;
}

/** A trivial stack that can be grown and previewed, for A/B runs against ours. */
export interface FloorStack {
  /** Declares `resources` trivial dynamic resources and runs `pulumi up`. */
  grow(resources: number): Promise<void>;
  /** One `pulumi preview --expect-no-changes`. */
  preview(): Promise<PreviewRun>;
  /** The state's bytes per resource (`pulumi stack export`, stack and default provider included). */
  stateBytesPerResource(): Promise<number>;
  close(): void;
}

const PROGRAM = `"use strict";
const pulumi = require("@pulumi/pulumi");
// One provider object for every resource, as dsp-audiences shares one per implementation.
const provider = {
  async create(inputs) { return { id: inputs.key, outs: inputs }; },
  async diff() { return { changes: false }; },
};
const count = Number(new pulumi.Config().require("count"));
for (let i = 0; i < count; i++) {
  new pulumi.dynamic.Resource(provider, "r" + i, { key: "r" + i, payload: "x".repeat(64) });
}
`;

/**
 * The floor's project in a scratch folder whose node_modules is the repository's (the same SDK).
 * @param cpuProfileDir profiles the floor's program and provider processes here, as ours are @default none
 */
export async function startFloorStack(cpuProfileDir?: string): Promise<FloorStack> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-bench-floor-"));
  try {
    const project = path.join(work, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: engine-floor\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n");
    fs.writeFileSync(path.join(project, "index.js"), PROGRAM);
    fs.symlinkSync(path.join(__dirname, "..", "node_modules"), path.join(project, "node_modules"), "dir");
    const peak = peakRssProbe(await ensurePulumiEngine(), work);
    const stackOptions = { projectDir: project, backendDir: path.join(work, "backend"), binDir: peak.binDir, stack: `floor${process.pid}` };
    const stack = new PulumiStack({ ...stackOptions, ...(cpuProfileDir === undefined ? {} : { env: profilingEnv(cpuProfileDir) }) });
    // Growing is set-up, as for ours: state written once, at the end.
    const setupStack = new PulumiStack({ ...stackOptions, env: SETUP_ENV });
    await stack.init();
    return {
      grow: async (resources) => {
        await stack.setConfig("count", String(resources));
        await setupStack.up();
      },
      preview: async () => {
        const cpuBefore = childrenCpuSeconds();
        const started = process.hrtime.bigint();
        const r = await stack.preview(["--expect-no-changes"]);
        return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: childrenCpuSeconds() - cpuBefore, peakRssMb: peak.take(), exitCode: r.code };
      },
      stateBytesPerResource: async () => stateBytesPerResource(await stack.exportState()),
      close: () => fs.rmSync(work, { recursive: true, force: true }),
    };
  } catch (error) {
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/** Grows a trivial stack to `resources` dynamic resources and runs `previews` no-op previews of it. */
export async function measureEngineFloor(resources: number, previews: number, log: (line: string) => void = () => undefined): Promise<FloorSeries> {
  const floor = await startFloorStack();
  try {
    await floor.grow(resources);
    const runs: PreviewRun[] = [];
    for (let i = 0; i < previews; i++) {
      const run = await floor.preview();
      runs.push(run);
      log(`  engine floor, ${resources} trivial dynamic resources: ${run.seconds.toFixed(1)} s (CPU ${run.cpuSeconds.toFixed(1)} s)`);
    }
    return {
      resources,
      medianSeconds: median(runs.map((r) => r.seconds)),
      medianCpuSeconds: median(runs.map((r) => r.cpuSeconds)),
      exitCodes: runs.map((r) => r.exitCode),
    };
  } finally {
    floor.close();
  }
}

/** Bytes of an exported state (`pulumi stack export`) per resource other than the stack and its default providers. */
export function stateBytesPerResource(exported: string): number {
  const resources = (JSON.parse(exported) as { deployment: { resources?: Array<{ type: string }> } }).deployment.resources ?? [];
  return Buffer.byteLength(exported) / resources.filter((r) => r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:")).length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
