/**
 * The project's own Pulumi program (Pulumi.yaml at the repository root) on a fresh file backend,
 * driven through the real CLI against a simulator with Amazon's real limits. The same setup as
 * test/support/simulated-stack.ts, kept here so that the bench does not import test code.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorLimits } from "../simulator";
import { ensurePulumiEngine, PulumiStack, type PulumiResult } from "../tools/pulumi-cli";
import { peakRssProbe } from "./peak-rss";

/** Options of {@link startBenchStack}. */
export interface BenchStackOptions {
  /** Prefix of the stack name and the work folder. */
  readonly name: string;
  /**
   * Writes V8 CPU profiles of every Node.js process the CLI starts (the program and the dynamic
   * providers) into this folder, via NODE_OPTIONS. @default no profiles
   */
  readonly cpuProfileDir?: string;
  /** The simulator's limits. @default Amazon's */
  readonly simulatorLimits?: Partial<SimulatorLimits>;
  /** More stack config, e.g. `dsp:metadataRequestsPerSecond` to match raised simulator limits. @default none */
  readonly config?: Readonly<Record<string, string>>;
}

/** What {@link BenchStack.timed} measured of one command. */
export interface TimedRun {
  readonly result: PulumiResult;
  /** Wall time, in seconds. */
  readonly seconds: number;
  /** CPU time of the whole process tree, in seconds. */
  readonly cpuSeconds: number;
  /** Peak RSS of the largest process of the tree, in MB (see peak-rss.ts); NaN where it cannot be read. */
  readonly peakRssMb: number;
}

/** A stack whose `dsp:spec` can be pointed at any spec, and the simulator it talks to. */
export interface BenchStack {
  readonly sim: RunningSimulator;
  readonly stack: PulumiStack;
  /**
   * The same stack, its CLI run with `PULUMI_SKIP_CHECKPOINTS=true`: the engine writes the state
   * once at the end instead of after every step (each write is the whole state, so growing a
   * stack by N resources costs O(N × state) without it). For set-up whose time is not a figure
   * of the bench; an interrupted command leaves the state as it was before it.
   */
  readonly setupStack: PulumiStack;
  /** Scratch folder for specs and ID files; deleted by {@link BenchStack.close}. */
  readonly work: string;
  /**
   * Runs a CLI command and returns its result, its wall time and the CPU time of its whole process
   * tree (the engine, the language host, the program and the providers), in seconds, and the tree's peak RSS.
   */
  timed(command: (stack: PulumiStack) => Promise<PulumiResult>): Promise<TimedRun>;
  close(): Promise<void>;
}

/** The simulator's default limits are Amazon's (100 patch requests/s, 2,000 patches a request, 1 metadata request/s). */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const binDir = await ensurePulumiEngine();
  const clientId = "amzn1.application-oa2-client.bench";
  const secrets = { clientSecret: `bench-secret-${process.pid}`, refreshToken: `Atzr|bench-refresh-${process.pid}` };
  const sim = await startSimulator({ port: 0, credentials: { clientId, ...secrets }, ...(options.simulatorLimits === undefined ? {} : { limits: options.simulatorLimits }) });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `dsp-bench-${options.name}-`));
  try {
    const peak = peakRssProbe(binDir, work);
    const stackOptions = {
      projectDir: path.join(__dirname, ".."),
      backendDir: path.join(work, "backend"),
      binDir: peak.binDir,
      stack: `${options.name}${process.pid}`,
    };
    const stack = new PulumiStack({
      ...stackOptions,
      ...(options.cpuProfileDir === undefined ? {} : { env: profilingEnv(options.cpuProfileDir) }),
    });
    const setupStack = new PulumiStack({ ...stackOptions, env: SETUP_ENV });
    await stack.init();
    await stack.setConfig("dsp:endpoint", sim.url);
    await stack.setConfig("dsp:clientId", clientId);
    await stack.setConfig("dsp:clientSecret", secrets.clientSecret, true);
    await stack.setConfig("dsp:refreshToken", secrets.refreshToken, true);
    for (const [key, value] of Object.entries(options.config ?? {})) await stack.setConfig(key, value);
    return {
      sim,
      stack,
      setupStack,
      work,
      timed: async (command) => {
        const cpuBefore = childrenCpuSeconds();
        const started = process.hrtime.bigint();
        const result = await command(stack);
        return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: childrenCpuSeconds() - cpuBefore, peakRssMb: peak.take() };
      },
      close: async () => {
        await sim.stop();
        fs.rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sim.stop();
    fs.rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/** The CLI environment that profiles every Node.js process the CLI starts into `dir` (see cpu-profile-hook.js). */
export function profilingEnv(dir: string): Record<string, string> {
  // A preloaded hook starts the profiler and also writes each process's CPU seconds (.cpu.json).
  return {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${path.join(__dirname, "cpu-profile-hook.js")}`.trim(),
    BENCH_CPU_PROFILE_DIR: path.resolve(dir),
  };
}

/** The CLI environment of set-up commands (see {@link BenchStack.setupStack}). */
export const SETUP_ENV: Readonly<Record<string, string>> = { PULUMI_SKIP_CHECKPOINTS: "true" };

/**
 * CPU seconds of this process's finished children and their descendants (cutime + cstime in
 * /proc/self/stat, in clock ticks of 10 ms). Unlike wall time, it does not grow when a shared
 * host makes the processes wait for a core. NaN where /proc is missing.
 */
export function childrenCpuSeconds(): number {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /s, "").split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** What the simulator logged for PATCH /v2/dp/audience after `since`: accepted ops, requests, 429s and the sending window. */
export interface PatchTraffic {
  /** Patches (record-ops) in accepted requests. */
  readonly ops: number;
  readonly requests: number;
  readonly throttled429: number;
  /** From the first to the last membership request the simulator saw, in seconds (0 for none). */
  readonly sendSeconds: number;
}

/** The simulator's request-log sequence number to count from (see {@link patchTrafficSince}). */
export function requestLogMark(sim: RunningSimulator): number {
  return sim.store.requests().at(-1)?.seq ?? 0;
}

export function patchTrafficSince(sim: RunningSimulator, mark: number): PatchTraffic {
  const patches = sim.store.requests(mark).filter((r) => r.method === "PATCH" && r.path === "/v2/dp/audience");
  const accepted = patches.filter((r) => r.status === 200);
  const first = patches[0]?.t;
  const last = patches.at(-1)?.t;
  return {
    ops: accepted.reduce((sum, r) => sum + (r.patches ?? 0), 0),
    requests: accepted.length,
    throttled429: patches.filter((r) => r.status === 429).length,
    sendSeconds: first === undefined || last === undefined ? 0 : (last - first) / 1000,
  };
}

/** The `+N −M IDs (K unchanged)` line the program printed for `label`, if any. */
export function planLine(result: PulumiResult, label: string): string | undefined {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`${escaped} COOKIE: \\+[\\d,]+ −[\\d,]+ IDs \\([\\d,]+ unchanged\\)`).exec(result.stdout + result.stderr)?.[0];
}
