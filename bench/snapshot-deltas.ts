/**
 * Issue 14: what an `up` after a small change costs in snapshots and planning, whole sets against
 * deltas, at N cookie IDs with 1 % churn. Each phase runs in a child process of its own, so its
 * peak RSS (VmHWM) and CPU are its own.
 *
 * - program, whole: read the desired ID file, write its whole snapshot (zstd since this scenario was added; gzip before).
 * - program, delta: read the desired ID file, read the previous set, write a zstd delta.
 * - provider, whole: read both full snapshots, merge (main's behaviour; also the fallback).
 * - provider, delta: read the delta only; it is the plan.
 *
 *     node -r ts-node/register/transpile-only bench/snapshot-deltas.ts [count] [churn]
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, zstdCompressSync, constants } from "node:zlib";
import { planFromDelta, planMembership, readIdFile, setDigest } from "../provider/plan";
import { FileSnapshotStore, putNearBase } from "../provider/snapshots";
import { writeCookieIdFile } from "./id-files";
import { formatNumber, formatRatio, formatSeconds, row } from "./report";
import type { Scenario } from "./scenario";
import { freshWorkDir } from "./work-dir";

/** One phase as measured in its child process. */
export interface PhaseFigures {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** VmHWM of the child, MB (10^6 B). */
  readonly peakRssMb: number;
  readonly detail: string;
}

/** What {@link runSnapshotDeltaBench} measured. */
export interface SnapshotDeltaFigures {
  readonly count: number;
  readonly churn: number;
  readonly programWhole: PhaseFigures;
  readonly programDelta: PhaseFigures;
  readonly providerWhole: PhaseFigures;
  readonly providerDelta: PhaseFigures;
  /** One-thread compression of the set's ID lines in the same run: gzip-6 vs zstd-1, ms. */
  readonly gzipMs: number;
  readonly zstdMs: number;
}

type Phase = "program-whole" | "program-delta" | "provider-whole" | "provider-delta";

/** Runs the four phases at `count` IDs and returns their figures. */
export async function runSnapshotDeltaBench(options: { count?: number; churn?: number; directory?: string; log?: (line: string) => void } = {}): Promise<SnapshotDeltaFigures> {
  const count = options.count ?? 5_000_000;
  const churn = options.churn ?? 0.01;
  const log = options.log ?? ((line: string) => console.log(line));
  const directory = freshWorkDir("snapshot-deltas", options.directory);
  try {
    log(`generating ${count.toLocaleString("en")} cookie IDs and a ${churn * 100} % churn of them …`);
    await writeCookieIdFile(join(directory, "applied.ids"), { count, seed: 14 });
    await writeCookieIdFile(join(directory, "desired.ids"), { count, seed: 14, churn });
    // Both stores start where an up after the change starts: the applied set stored whole.
    const applied = await readIdFile(join(directory, "applied.ids"));
    await new FileSnapshotStore(join(directory, "whole")).put(applied);
    writeFileSync(join(directory, "applied.digest"), setDigest(applied));
    writeFileSync(join(directory, "desired.digest"), setDigest(await readIdFile(join(directory, "desired.ids"))));
    cpSync(join(directory, "whole"), join(directory, "delta"), { recursive: true });
    const lines = applied.bytes;
    const gzipMs = timeMs(() => gzipSync(lines, { level: 6 }));
    const zstdMs = timeMs(() => zstdCompressSync(lines, { params: { [constants.ZSTD_c_compressionLevel]: 1 } }));
    const figures: SnapshotDeltaFigures = {
      count,
      churn,
      programWhole: phase(directory, "program-whole", log),
      programDelta: phase(directory, "program-delta", log),
      providerWhole: phase(directory, "provider-whole", log),
      providerDelta: phase(directory, "provider-delta", log),
      gzipMs,
      zstdMs,
    };
    log(`compress the ID lines once: gzip-6 ${gzipMs.toFixed(0)} ms, zstd-1 ${zstdMs.toFixed(0)} ms`);
    return figures;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function timeMs(work: () => unknown): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

/** Runs one phase in a child process and reads its figures from its last stdout line. */
function phase(directory: string, name: Phase, log: (line: string) => void): PhaseFigures {
  const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--phase", name, directory], { encoding: "utf8", maxBuffer: 1 << 20 });
  const figures = JSON.parse(out.trim().split("\n").pop() as string) as PhaseFigures;
  log(`${name.padEnd(15)} ${(figures.wallMs / 1000).toFixed(2)} s (CPU ${(figures.cpuMs / 1000).toFixed(2)} s), peak RSS ${figures.peakRssMb.toFixed(0)} MB: ${figures.detail}`);
  return figures;
}

/** The phase itself, in the child. */
async function runPhase(name: Phase, directory: string): Promise<string> {
  const storeOf = (kind: string): FileSnapshotStore => new FileSnapshotStore(join(directory, kind));
  const digestOf = (set: "applied" | "desired"): string => readFileSync(join(directory, `${set}.digest`), "latin1");
  switch (name) {
    case "program-whole": {
      const desired = await readIdFile(join(directory, "desired.ids"));
      const digest = await storeOf("whole").put(desired);
      return `full snapshot ${digest.slice(0, 8)}`;
    }
    case "program-delta": {
      const desired = await readIdFile(join(directory, "desired.ids"));
      const put = await putNearBase(storeOf("delta"), desired, digestOf("applied"));
      return `written ${put.written}`;
    }
    case "provider-whole": {
      const store = storeOf("whole");
      const [applied, desired] = await Promise.all([store.get(digestOf("applied")), store.get(digestOf("desired"))]);
      const plan = planMembership(applied, desired);
      return `+${plan.addCount} −${plan.removeCount}`;
    }
    case "provider-delta": {
      const delta = await storeOf("delta").getDelta(digestOf("desired"));
      if (delta === undefined) throw new Error("the desired set was not stored as a delta");
      const plan = planFromDelta(delta, delta.resultCount);
      return `+${plan.addCount} −${plan.removeCount}`;
    }
  }
}

function peakRssMb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return match === null ? Number.NaN : (Number(match[1]) * 1024) / 1e6;
}

/** Scenario 7: the same change stored and planned as whole sets (main's way) and as a delta. */
export const snapshotDeltaScenario: Scenario = {
  id: 7,
  title: "snapshot deltas (issue 14)",
  async run({ sizes, log }) {
    const f = await runSnapshotDeltaBench({ count: sizes.planningIds, log });
    const ids = `${f.count.toLocaleString("en-US")} IDs ±${f.churn * 100} %`;
    const versus = (delta: PhaseFigures, whole: PhaseFigures): { text: string; ratio: number } => ({
      text: `whole sets ${formatSeconds(whole.wallMs / 1000)} (CPU ${formatSeconds(whole.cpuMs / 1000)}, peak RSS ${formatNumber(whole.peakRssMb)} MB): ${formatRatio(whole.cpuMs / delta.cpuMs)} the CPU`,
      ratio: whole.cpuMs / delta.cpuMs,
    });
    const display = (p: PhaseFigures): string => `${formatSeconds(p.wallMs / 1000)} (CPU ${formatSeconds(p.cpuMs / 1000)}, peak RSS ${formatNumber(p.peakRssMb)} MB)`;
    return {
      figures: f,
      rows: [
        row(7, `program: desired set of ${ids} stored as a delta (reads the previous set once)`, f.programDelta.wallMs / 1000, "s", {
          display: display(f.programDelta),
          comparison: versus(f.programDelta, f.programWhole),
        }),
        row(7, `provider: plan of ${ids} from the delta alone`, f.providerDelta.wallMs / 1000, "s", {
          display: display(f.providerDelta),
          comparison: versus(f.providerDelta, f.providerWhole),
        }),
        row(7, "compressing the whole set once, one thread: zstd-1 (deltas and whole snapshots)", f.zstdMs / 1000, "s", {
          comparison: { text: `gzip-6 (whole snapshots before issue 14) ${formatSeconds(f.gzipMs / 1000)}: ${formatRatio(f.gzipMs / f.zstdMs)} slower`, ratio: f.gzipMs / f.zstdMs },
        }),
      ],
    };
  },
};

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] === "--phase") {
    const cpu = process.cpuUsage();
    const start = performance.now();
    runPhase(args[1] as Phase, args[2] as string).then((detail) => {
      const used = process.cpuUsage(cpu);
      const figures: PhaseFigures = { wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000, peakRssMb: peakRssMb(), detail };
      console.log(JSON.stringify(figures));
    }, (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  } else {
    const [count, churn] = args.map(Number);
    runSnapshotDeltaBench({ ...(count ? { count } : {}), ...(churn ? { churn } : {}) }).catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
  }
}
