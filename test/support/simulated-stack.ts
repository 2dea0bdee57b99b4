import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startSimulator, type RequestLogEntry, type RunningSimulator, type SimulatorLimits } from "../../simulator";
import { fullLog } from "./sim-admin";
import { ensurePulumiEngine, PulumiStack, type PulumiResult } from "../../tools/pulumi-cli";

/** The project's own program (Pulumi.yaml at the repository root) on a fresh file backend, against a fresh simulator. */
export interface SimulatedStack {
  sim: RunningSimulator;
  stack: PulumiStack;
  work: string;
  secrets: { clientSecret: string; refreshToken: string };
  /** Everything every pulumi command printed, for leak checks. */
  transcript: string[];
  run(fn: (s: PulumiStack) => Promise<PulumiResult>): Promise<PulumiResult>;
  close(): Promise<void>;
}

/** Options of {@link startSimulatedStack}. */
export interface SimulatedStackOptions {
  /** The Pulumi project. @default the repository root (the project's own program) */
  projectDir?: string;
  /** Extra environment for the CLI and the processes it starts. */
  env?: Record<string, string>;
  /** Hears every command's output as it comes. @default none */
  onOutput?: (chunk: string) => void;
  /** The simulator's limits. @default Amazon's */
  simulatorLimits?: Partial<SimulatorLimits>;
}

export async function startSimulatedStack(specFile: string, name: string, options: SimulatedStackOptions = {}): Promise<SimulatedStack> {
  const binDir = await ensurePulumiEngine();
  const secrets = {
    clientSecret: `e2e-secret-${Math.random().toString(36).slice(2)}`,
    refreshToken: `Atzr|e2e-refresh-${Math.random().toString(36).slice(2)}`,
  };
  const clientId = "amzn1.application-oa2-client.e2e";
  const sim = await startSimulator({ port: 0, credentials: { clientId, ...secrets }, ...(options.simulatorLimits === undefined ? {} : { limits: options.simulatorLimits }) });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `dsp-${name}-`));
  const stack = new PulumiStack({
    projectDir: options.projectDir ?? path.join(__dirname, "..", ".."),
    backendDir: path.join(work, "backend"),
    binDir,
    stack: `${name}${process.pid}`,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.onOutput === undefined ? {} : { onOutput: options.onOutput }),
  });
  const transcript: string[] = [];
  const run = async (fn: (s: PulumiStack) => Promise<PulumiResult>): Promise<PulumiResult> => {
    try {
      const r = await fn(stack);
      transcript.push(r.stdout, r.stderr);
      return r;
    } catch (e) {
      transcript.push(String(e));
      throw e;
    }
  };
  await stack.init();
  await run((s) => s.setConfig("dsp:spec", specFile));
  await run((s) => s.setConfig("dsp:endpoint", sim.url));
  await run((s) => s.setConfig("dsp:clientId", clientId));
  await run((s) => s.setConfig("dsp:clientSecret", secrets.clientSecret, true));
  await run((s) => s.setConfig("dsp:refreshToken", secrets.refreshToken, true));
  return {
    sim,
    stack,
    work,
    secrets,
    transcript,
    run,
    close: async () => {
      await sim.stop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** One line of the simulator's request log, as its admin API lists it. */
export type LogEntry = RequestLogEntry;

/** The simulator's whole request log, via its admin API (`GET /__sim/requests`). */
export function requestLog(env: Pick<SimulatedStack, "sim">): Promise<LogEntry[]> {
  return fullLog(env.sim.url);
}

/** Every membership PATCH the simulator has logged so far, via its admin API. */
export async function patchLog(env: SimulatedStack): Promise<LogEntry[]> {
  return (await requestLog(env)).filter((r) => r.method === "PATCH" && r.path === "/v2/dp/audience");
}

/** The simulator's members of one audience, via its admin API. */
export async function simMembers(sim: RunningSimulator, audienceId: string): Promise<Record<"COOKIE" | "MAID" | "EXTERNAL_USER_ID", string[]>> {
  const res = await fetch(`${sim.url}/__sim/audiences/${audienceId}/members`);
  if (!res.ok) throw new Error(`GET members of ${audienceId}: ${res.status}`);
  return (await res.json()) as Record<"COOKIE" | "MAID" | "EXTERNAL_USER_ID", string[]>;
}

/** Every file under `dir`, as latin1 text (for leak checks). */
export function allFilesText(dir: string): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  for (const rel of fs.readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const full = path.join(dir, rel);
    if (fs.statSync(full).isFile()) out.push({ file: rel, text: fs.readFileSync(full, "latin1") });
  }
  return out;
}
