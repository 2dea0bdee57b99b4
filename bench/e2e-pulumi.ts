/**
 * End to end through the real Pulumi CLI against the simulator with Amazon's real limits: the
 * initial `up` of one audience with N cookie IDs from a file, an `up` after 1 % churn, and a no-op
 * `preview`. Each is timed as a user would see it (the whole CLI command) and set against the
 * throttle-bound minimum of the ops it sent (ops ÷ 200,000/s). Prints nothing but progress; it is
 * not a test.
 *
 *   node -r ts-node/register/transpile-only bench/e2e-pulumi.ts [ids]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { measureEngineFloor, type FloorSeries } from "./engine-floor";
import { writeCookieIdFile } from "./id-files";
import { patchTrafficSince, planLine, requestLogMark, startBenchStack, type BenchStack } from "./bench-stack";
import type { PulumiResult } from "../tools/pulumi-cli";

/** Options of {@link runE2ePulumiBench}. */
export interface E2ePulumiBenchOptions {
  /** Cookie IDs in the audience's initial set. @default 1_000_000 */
  readonly ids?: number;
  /** Fraction of the set removed before the second `up`, and the same number added. @default 0.01 */
  readonly churn?: number;
  /** Writes V8 CPU profiles of the program and provider processes here. @default none */
  readonly cpuProfileDir?: string;
  /** Receives progress lines. @default no output */
  readonly log?: (line: string) => void;
}

/** One timed CLI command. */
export interface CommandFigures {
  /** Wall time of the whole `pulumi` command, in seconds. */
  readonly seconds: number;
  /** CPU time of the command's whole process tree (engine, language host, program, providers), in seconds. */
  readonly cpuSeconds: number;
  /** Record-ops in PATCH /v2/dp/audience requests the simulator accepted during the command. */
  readonly ops: number;
  readonly requests: number;
  readonly throttled429: number;
  /** First to last membership request the simulator saw, in seconds. */
  readonly sendSeconds: number;
  /** ops ÷ 200,000 ops/s: no client can send them faster under Amazon's limits. */
  readonly minimumSeconds: number;
  /** `seconds` ÷ `minimumSeconds` (undefined when nothing was sent). */
  readonly ratioToMinimum: number | undefined;
  /** The program's `+N −M IDs (K unchanged)` line, if it printed one. */
  readonly planLine: string | undefined;
}

/** What {@link runE2ePulumiBench} measured. */
export interface E2ePulumiBenchFigures {
  readonly ids: number;
  readonly churn: number;
  readonly idFileBytes: number;
  readonly initialUp: CommandFigures;
  readonly churnUp: CommandFigures & { readonly expectedAdds: number; readonly expectedRemoves: number };
  readonly noOpPreview: CommandFigures & { readonly exitCode: number };
  /** The engine floor for the no-op preview: a trivial program with as many trivial dynamic resources (2). */
  readonly noOpFloor: FloorSeries;
  /** The goal for the churn `up`: 2 × its throttle-bound minimum + engine start-up (the no-op preview). */
  readonly churnUpBudgetSeconds: number;
  /** JSON bytes of the membership resource in `pulumi stack export` (inputs + outputs). */
  readonly stateBytesPerMembership: number;
  /** The whole exported checkpoint, in bytes. */
  readonly checkpointBytes: number;
  /** Members the simulator holds after the churn `up` (should equal `ids`). */
  readonly simulatorMembers: number;
  /** CPU of this process, which runs the simulator, over the three commands (s). */
  readonly simulatorCpuSeconds: number;
}

/** API ceiling for membership patches: 100 requests/s × 2,000 patches. */
export const CEILING_OPS_PER_SECOND = 200_000;
const LABEL = "bench-big";

export async function runE2ePulumiBench(options: E2ePulumiBenchOptions = {}): Promise<E2ePulumiBenchFigures> {
  const ids = options.ids ?? 1_000_000;
  const churn = options.churn ?? 0.01;
  const log = options.log ?? (() => undefined);
  const env = await startBenchStack({ name: "e2e", ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }) });
  try {
    const idFile = path.join(env.work, "cookies.txt");
    log(`writing ${ids.toLocaleString("en-US")} seeded cookie IDs…`);
    await writeCookieIdFile(idFile, { count: ids, seed: 7 });
    const idFileBytes = fs.statSync(idFile).size;
    await env.stack.setConfig("dsp:spec", writeSpec(env.work, ids));
    const cpuBefore = process.cpuUsage();

    log("pulumi up (initial)…");
    const initialUp = await timedCommand(env, (s) => s.up());

    const expected = await writeCookieIdFile(idFile, { count: ids, seed: 7, churn });
    log(`pulumi up after ${churn * 100} % churn (+${expected.added} −${expected.removed})…`);
    const churnUp = await timedCommand(env, (s) => s.up());

    log("pulumi preview --expect-no-changes…");
    const noOpPreview = await timedCommand(env, (s) => s.preview(["--expect-no-changes"]));
    const cpu = process.cpuUsage(cpuBefore);
    const noOpFloor = await measureEngineFloor(2, 1, log);

    const state = await stateSizes(env);
    const audience = env.sim.store.listAudiences()[0];
    const simulatorMembers = audience === undefined ? 0 : (env.sim.store.memberCounts(audience.id)?.COOKIE ?? 0);
    return {
      ids,
      churn,
      idFileBytes,
      initialUp: initialUp.figures,
      churnUp: { ...churnUp.figures, expectedAdds: expected.added, expectedRemoves: expected.removed },
      noOpPreview: { ...noOpPreview.figures, exitCode: noOpPreview.result.code },
      noOpFloor,
      churnUpBudgetSeconds: 2 * churnUp.figures.minimumSeconds + noOpPreview.figures.seconds,
      ...state,
      simulatorMembers,
      simulatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
  } finally {
    await env.close();
  }
}

/** One audience whose COOKIE members come from `cookies.txt` beside the spec. */
function writeSpec(dir: string, ids: number): string {
  const file = path.join(dir, "audiences.yaml");
  fs.writeFileSync(
    file,
    [
      "version: 1",
      "defaults:",
      '  advertiserId: "9223372036854775001"',
      "  dataSourceCountry: [US]",
      "audiences:",
      `  ${LABEL}:`,
      `    name: Bench audience of ${ids} cookies`,
      "    members:",
      "      COOKIE: { file: cookies.txt }",
      "",
    ].join("\n"),
  );
  return file;
}

async function timedCommand(env: BenchStack, command: Parameters<BenchStack["timed"]>[0]): Promise<{ result: PulumiResult; figures: CommandFigures }> {
  const mark = requestLogMark(env.sim);
  const { result, seconds, cpuSeconds } = await env.timed(command);
  const traffic = patchTrafficSince(env.sim, mark);
  const minimumSeconds = traffic.ops / CEILING_OPS_PER_SECOND;
  return {
    result,
    figures: {
      seconds,
      cpuSeconds,
      ...traffic,
      minimumSeconds,
      ratioToMinimum: traffic.ops > 0 ? seconds / minimumSeconds : undefined,
      planLine: planLine(result, LABEL),
    },
  };
}

/** Sizes from `pulumi stack export`: the membership's record and the whole checkpoint. */
async function stateSizes(env: BenchStack): Promise<{ stateBytesPerMembership: number; checkpointBytes: number }> {
  const exported = await env.stack.exportState();
  const deployment = JSON.parse(exported) as { deployment?: { resources?: Array<{ type: string }> } };
  const membership = deployment.deployment?.resources?.find((r) => r.type.endsWith("AudienceMembership"));
  return {
    stateBytesPerMembership: membership === undefined ? 0 : Buffer.byteLength(JSON.stringify(membership)),
    checkpointBytes: Buffer.byteLength(exported),
  };
}

if (require.main === module) {
  const ids = Number(process.argv[2]);
  runE2ePulumiBench({ ...(Number.isInteger(ids) && ids > 0 ? { ids } : {}), log: (line) => console.error(line) })
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
