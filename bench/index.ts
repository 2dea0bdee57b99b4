/**
 * `npm run bench`: the five scenarios of issue 7 (client throughput, planning, end to end through
 * the Pulumi CLI, hashing, engine overhead) and issue 12's validate at scale (scenario 6) against the simulator with Amazon's real limits. Prints
 * one Markdown table, each figure next to its goal and its ratio to a ceiling or baseline measured
 * in the same run, and writes the same figures as JSON to bench/out/. A benchmark, not a test:
 * missed goals are reported, never failed on.
 *
 *   npm run bench [-- --only 1,3] [--full | --quick] [--cpu-prof] [--out DIR]
 *
 * Each scenario runs in a process of its own, so that its peak RSS and garbage are its own.
 */
import { fork } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { formatReport, machineInfo, writeReportJson, type BenchReport, type ScenarioOutcome } from "./report";
import { SCENARIOS, SIZES, type BenchMode, type ScenarioResult } from "./scenarios";

/** Command-line options of the bench. */
export interface BenchOptions {
  /** Scenario ids to run, in order. @default all six */
  readonly only: readonly number[];
  /** Sizes: issue 7's by default, scenario 3 at 5,000,000 IDs and scenario 5 up to 1,000 audiences with `--full`, small ones with `--quick`. @default "default" */
  readonly mode: BenchMode;
  /** Write V8 CPU profiles of every scenario process, and of the Pulumi program and providers, under `<out>/profiles`. @default false */
  readonly cpuProf: boolean;
  /** Folder for the JSON report (and profiles). @default bench/out */
  readonly out: string;
}

const USAGE = `usage: npm run bench [-- --only 1,3] [--full | --quick] [--cpu-prof] [--out DIR]
  --only 1,3   run only these scenarios (1 client throughput, 2 planning, 3 end to end, 4 hashing, 5 engine overhead, 6 validate at scale, 7 snapshot deltas, 8 warehouse sources)
  --full       scenario 3 with 5,000,000 IDs instead of 1,000,000, scenario 5 also at 1,000 audiences
  --quick      small sizes for a smoke run (minutes, not comparable with the goals)
  --cpu-prof   write .cpuprofile files under <out>/profiles
  --out DIR    where bench-<date>.json goes (default bench/out)`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let only = SCENARIOS.map((s) => s.id);
  let mode: BenchMode = "default";
  let cpuProf = false;
  let out = path.join(__dirname, "out");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--only") {
      only = (argv[++i] ?? "").split(",").map(Number);
      const unknown = only.filter((id) => !SCENARIOS.some((s) => s.id === id));
      if (only.length === 0 || unknown.length > 0) throw new Error(`--only: no scenario ${unknown.join(", ") || "given"}\n${USAGE}`);
    } else if (arg === "--full" || arg === "--quick") {
      if (mode !== "default") throw new Error(`--full and --quick exclude each other\n${USAGE}`);
      mode = arg === "--full" ? "full" : "quick";
    } else if (arg === "--cpu-prof") cpuProf = true;
    else if (arg === "--out") out = path.resolve(argv[++i] ?? out);
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return { only, mode, cpuProf, out };
}

/** Runs the selected scenarios one after the other, each in a child process; returns the report. */
export async function runBench(options: BenchOptions, command: string): Promise<BenchReport> {
  const date = new Date().toISOString();
  const scenarios: ScenarioOutcome[] = [];
  for (const id of options.only) {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (scenario === undefined) continue;
    console.error(`\n── scenario ${id}: ${scenario.title} (${options.mode} sizes) ──`);
    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    const started = process.hrtime.bigint();
    let result: ScenarioResult | undefined;
    let error: string | undefined;
    try {
      result = await runInChild(id, options);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      console.error(`scenario ${id} failed: ${error}`);
    }
    scenarios.push({
      id,
      title: scenario.title,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      loadBefore,
      loadAfter: os.loadavg()[0] ?? Number.NaN,
      rows: result?.rows ?? [],
      ...(result === undefined ? {} : { figures: result.figures }),
      ...(error === undefined ? {} : { error }),
    });
  }
  return { date, mode: options.mode, command, machine: machineInfo(), scenarios };
}

type ChildMessage = { ok: true; result: ScenarioResult } | { ok: false; error: string };

/** Forks this file with `--scenario <id>`; its progress goes to our stderr, its result comes back over IPC. */
function runInChild(id: number, options: BenchOptions): Promise<ScenarioResult> {
  const profileDir = path.join(options.out, "profiles", `scenario-${id}`);
  const exposeGc = SCENARIOS.find((s) => s.id === id)?.exposeGc === true;
  const child = fork(__filename, ["--scenario", String(id), "--mode", options.mode, ...(options.cpuProf ? ["--profile-dir", profileDir] : [])], {
    execArgv: [
      "-r",
      "ts-node/register/transpile-only",
      ...(exposeGc ? ["--expose-gc"] : []),
      ...(options.cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []),
    ],
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  child.stdout?.pipe(process.stderr);
  return new Promise((resolve, reject) => {
    let message: ChildMessage | undefined;
    child.on("message", (m: ChildMessage) => (message = m));
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (message?.ok === true) resolve(message.result);
      else reject(new Error(message?.ok === false ? message.error : `scenario process exited with ${signal ?? code} before reporting`));
    });
  });
}

/** The child side: runs one scenario and sends its result to the parent. */
async function runScenarioProcess(argv: readonly string[]): Promise<void> {
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const id = Number(value("--scenario"));
  const mode = (value("--mode") ?? "default") as BenchMode;
  const profileDir = value("--profile-dir");
  const scenario = SCENARIOS.find((s) => s.id === id);
  let message: ChildMessage;
  try {
    if (scenario === undefined) throw new Error(`no scenario ${id}`);
    const result = await scenario.run({
      sizes: SIZES[mode],
      log: (line) => console.error(`[${id}] ${line}`),
      ...(profileDir === undefined ? {} : { cpuProfileDir: path.join(profileDir, "pulumi") }),
    });
    message = { ok: true, result };
  } catch (e) {
    message = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  // Exit once the message is out: a scenario may leave sockets or timers behind.
  process.send?.(message, () => process.exit(0));
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parseBenchArgs(argv);
  const command = ["npm run bench", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" ");
  const report = await runBench(options, command);
  const table = formatReport(report);
  const file = writeReportJson(report, options.out);
  console.log(`\n${table}\n`);
  console.log(`JSON: ${path.relative(process.cwd(), file)}`);
  if (options.mode === "quick") console.log("--quick: smaller sizes than issue 7's; verdicts compare them with the full-size goals anyway.");
  if (report.scenarios.some((s) => s.error !== undefined)) process.exitCode = 1;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const run = argv.includes("--scenario") ? runScenarioProcess(argv) : main(argv);
  run.catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
