/**
 * Command line for the simulator: `runSimulatorCli(argv)` starts it, prints the URL and the
 * credentials, and stops cleanly on SIGINT/SIGTERM. `parseSimulatorArgs` is the pure part.
 * Runnable directly: `node -r ts-node/register/transpile-only simulator/cli.ts --port 8080`.
 */
import { startSimulator, type RunningSimulator } from "./index";
import {
  DEFAULT_AUDIENCE_ID_BASE,
  DEFAULT_LIMITS,
  DEFAULT_MATCH_SEED,
  SIMULATOR_CREDENTIALS,
  type FaultOptions,
  type SimulatorLimits,
  type SimulatorOptions,
} from "./options";
import { checkFaultOptions } from "./faults";
import { parseCommandLine, renderHelp, UsageError, type CommandSpec } from "../provider/util/command-line";

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof SimulatorLimits)[];

/** The command's options; its parser and its help. */
export const SIMULATOR_COMMAND = {
  name: "sim",
  summary: "start the local DSP API simulator (prints its URL and credentials)",
  description:
    "A loopback stand-in for the Data Provider API: every endpoint, Amazon's validation and error shapes,\n" +
    "per-endpoint throttles with 429 + Retry-After, int64 audience ids, seeded faults. Runs until SIGINT or SIGTERM;\n" +
    "its admin API under /__sim/ shows what it holds.",
  arguments: [],
  options: {
    port: { type: "string", value: "<n>", description: "TCP port, 0 = ephemeral", default: "0" },
    host: { type: "string", value: "<addr>", description: "listen address", default: "127.0.0.1" },
    data: { type: "string", value: "<dir>", description: "persist state in <dir>", default: "memory only" },
    "token-ttl": { type: "string", value: "<s>", description: "access-token lifetime in seconds", default: "3600" },
    "patch-delay-ms": { type: "string", value: "<ms>", description: "apply audience patches after this delay", default: "0" },
    "match-seed": { type: "string", value: "<s>", description: "seed of the match model", default: DEFAULT_MATCH_SEED },
    "audience-id-base": { type: "string", value: "<n>", description: "audience ids count up from here", default: String(DEFAULT_AUDIENCE_ID_BASE) },
    "strict-auth": { type: "boolean", description: "require 'Bearer' in Authorization" },
    limit: { type: "string", value: "<name>=<n>", multiple: true, description: `override a limit (0 TPS = unthrottled); name: ${LIMIT_NAMES.join(", ")}` },
    "no-throttle": { type: "boolean", description: "set every TPS limit to 0 (unthrottled)" },
    "faults-seed": { type: "string", value: "<n>", description: "fault PRNG seed", default: "1" },
    rate429: { type: "string", value: "<x>", description: "share of requests answered 429", default: "0" },
    rate5xx: { type: "string", value: "<x>", description: "share of requests answered 500/503", default: "0" },
    "drop-rate": { type: "string", value: "<x>", description: "share of connections dropped without a response", default: "0" },
    "latency-ms": { type: "string", value: "<ms>", description: "latency added to every faultable request", default: "0" },
    "fault-paths": { type: "string", value: "<a,b>", description: "only fault these path prefixes", default: "every API path" },
    "fault-routes": { type: "string", value: "<a,b>", description: 'only fault these exact routes, e.g. "PATCH /v2/dp/audience"', default: "every API route" },
    "fault-count": { type: "string", value: "<n>", description: "fault only the next n matching requests", default: "unlimited" },
    "apply-then-fail": { type: "boolean", description: "5xx faults apply the request first" },
    "client-id": { type: "string", value: "<id>", description: "client id to accept", default: SIMULATOR_CREDENTIALS.clientId },
    "client-secret": { type: "string", value: "<s>", description: "client secret to accept", default: SIMULATOR_CREDENTIALS.clientSecret },
    "refresh-token": { type: "string", value: "<t>", description: "refresh token to accept", default: SIMULATOR_CREDENTIALS.refreshToken },
    verbose: { type: "boolean", description: "print one line per request" },
  },
  exitCodes: { 0: "stopped by SIGINT or SIGTERM", 1: "could not start (e.g. the port is taken)", 2: "usage error" },
} as const satisfies CommandSpec;

/** The help of `dsp-audiences sim`. */
export const SIMULATOR_USAGE = renderHelp(SIMULATOR_COMMAND);

export interface SimulatorCliArgs {
  options: SimulatorOptions;
  verbose: boolean;
  help: boolean;
}

function number(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${flag} needs a number, got '${raw ?? ""}'`);
  return n;
}

/** `a, b,` → ["a", "b"] */
function list(raw: string): string[] {
  return raw
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** Parses CLI flags into simulator options; throws {@link UsageError} on bad input. */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorCliArgs {
  const { values: v, help } = parseCommandLine(SIMULATOR_COMMAND, argv);
  if (help) return { options: {}, verbose: false, help };
  const options: SimulatorOptions = {};
  const num = (name: keyof typeof v & string): number | undefined => (v[name] === undefined ? undefined : number(`--${name}`, v[name] as string));
  const set = <T>(value: T | undefined, apply: (value: T) => void): void => {
    if (value !== undefined) apply(value);
  };
  set(num("port"), (x) => (options.port = x));
  set(v.host, (x) => (options.host = x));
  set(v.data, (x) => (options.dataDir = x));
  set(num("token-ttl"), (x) => (options.accessTokenTtlSeconds = x));
  set(num("patch-delay-ms"), (x) => (options.patchApplyDelayMs = x));
  set(v["match-seed"], (x) => (options.matchSeed = x));
  set(v["audience-id-base"], (raw) => {
    if (!/^\d{1,19}$/.test(raw)) throw new UsageError("--audience-id-base needs a non-negative integer");
    options.audienceIdBase = BigInt(raw);
  });
  if (v["strict-auth"] === true) options.strictAuthorizationHeader = true;

  const limits: Partial<SimulatorLimits> = {};
  if (v["no-throttle"] === true) Object.assign(limits, { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 });
  for (const entry of v.limit ?? []) {
    const [name, raw] = entry.split("=");
    if (name === undefined || !(LIMIT_NAMES as string[]).includes(name)) throw new UsageError(`--limit needs <name>=<n> with name one of ${LIMIT_NAMES.join(", ")}`);
    limits[name as keyof SimulatorLimits] = number(`--limit ${name}`, raw);
  }
  if (Object.keys(limits).length > 0) options.limits = limits;

  const faults: FaultOptions = {};
  set(num("faults-seed"), (x) => (faults.seed = x));
  set(num("rate429"), (x) => (faults.rate429 = x));
  set(num("rate5xx"), (x) => (faults.rate5xx = x));
  set(num("drop-rate"), (x) => (faults.dropRate = x));
  set(num("latency-ms"), (x) => (faults.latencyMs = x));
  set(v["fault-paths"], (x) => (faults.paths = list(x)));
  set(v["fault-routes"], (x) => (faults.routes = list(x)));
  set(num("fault-count"), (x) => (faults.count = x));
  if (v["apply-then-fail"] === true) faults.applyThenFail = true;
  const faultProblem = checkFaultOptions(faults);
  if (faultProblem) throw new UsageError(faultProblem);
  if (Object.keys(faults).length > 0) options.faults = faults;

  if (v["client-id"] !== undefined || v["client-secret"] !== undefined || v["refresh-token"] !== undefined) {
    options.credentials = {
      clientId: v["client-id"] ?? SIMULATOR_CREDENTIALS.clientId,
      clientSecret: v["client-secret"] ?? SIMULATOR_CREDENTIALS.clientSecret,
      refreshToken: v["refresh-token"] ?? SIMULATOR_CREDENTIALS.refreshToken,
    };
  }
  return { options, verbose: v.verbose === true, help: false };
}

export interface SimulatorCliIo {
  out: (line: string) => void;
  /** Resolves when the CLI should stop; default: the first SIGINT or SIGTERM. */
  stopSignal?: Promise<unknown>;
  /** Called once the simulator is listening (tests use it to reach the instance). */
  onStarted?: (sim: RunningSimulator) => void;
}

function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
      resolve(signal);
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}

/** Starts the simulator from CLI flags and runs until SIGINT/SIGTERM (or `io.stopSignal`). */
export async function runSimulatorCli(argv: string[], io: SimulatorCliIo = { out: (l) => process.stdout.write(`${l}\n`) }): Promise<void> {
  const { options, verbose, help } = parseSimulatorArgs(argv);
  if (help) return io.out(SIMULATOR_USAGE);
  if (verbose) options.log = io.out;
  const sim = await startSimulator(options);
  const c = options.credentials ?? SIMULATOR_CREDENTIALS;
  if (!verbose) io.out(`DSP simulator listening on ${sim.url}`);
  io.out(`credentials: client_id=${c.clientId} client_secret=${c.clientSecret} refresh_token=${c.refreshToken}`);
  io.out(`token endpoint: ${sim.url}/auth/o2/token   admin: ${sim.url}/__sim/health${options.dataDir ? `   data: ${options.dataDir}` : ""}`);
  io.onStarted?.(sim);
  await (io.stopSignal ?? firstSignal());
  await sim.stop();
  io.out("DSP simulator stopped");
}

if (require.main === module) {
  runSimulatorCli(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
