/**
 * Command line for the simulator: `runSimulatorCli(argv)` starts it, prints the URL and the
 * credentials, and stops cleanly on SIGINT/SIGTERM. `parseSimulatorArgs` is the pure part.
 * Runnable directly: `node -r ts-node/register/transpile-only simulator/cli.ts --port 8080`.
 */
import { startSimulator, type RunningSimulator } from "./index";
import { DEFAULT_LIMITS, SIMULATOR_CREDENTIALS, type FaultOptions, type SimulatorLimits, type SimulatorOptions } from "./options";
import { checkFaultOptions } from "./faults";

export const SIMULATOR_USAGE = `Usage: dsp-audiences sim [options]

  --port <n>              TCP port, 0 = ephemeral (default 0)
  --host <addr>           listen address (default 127.0.0.1)
  --data <dir>            persist state in <dir> (default: memory only)
  --token-ttl <s>         access-token lifetime in seconds (default 3600)
  --patch-delay-ms <ms>   apply audience patches after this delay (default 0)
  --match-seed <s>        seed of the match model
  --audience-id-base <n>  audience ids count up from here
  --strict-auth           require 'Bearer' in Authorization
  --limit <name>=<n>      override a limit, e.g. --limit audienceTps=0 (0 TPS = unthrottled); repeatable
  --no-throttle           set every TPS limit to 0 (unthrottled)
  --faults-seed <n>       fault PRNG seed (default 1)
  --rate429 <x>           share of requests answered 429
  --rate5xx <x>           share of requests answered 500/503
  --drop-rate <x>         share of connections dropped without a response
  --latency-ms <ms>       latency added to every faultable request
  --fault-paths <a,b>     only fault these path prefixes
  --fault-routes <a,b>    only fault these exact routes, e.g. "PATCH /v2/dp/audience"
  --fault-count <n>       fault only the next n matching requests
  --apply-then-fail       5xx faults apply the request first
  --client-id <id> --client-secret <s> --refresh-token <t>   credentials to accept
  --verbose               print one line per request
  --help                  show this help
`;

export class SimulatorCliError extends Error {
  override name = "SimulatorCliError";
}

export interface SimulatorCliArgs {
  options: SimulatorOptions;
  verbose: boolean;
  help: boolean;
}

function number(flag: string, raw: string | undefined): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(n)) throw new SimulatorCliError(`${flag} needs a number, got '${raw ?? ""}'`);
  return n;
}

/** Parses CLI flags into simulator options; throws {@link SimulatorCliError} on bad input. */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorCliArgs {
  const options: SimulatorOptions = {};
  const faults: FaultOptions = {};
  const limits: Partial<SimulatorLimits> = {};
  const credentials: { clientId: string; clientSecret: string; refreshToken: string } = { ...SIMULATOR_CREDENTIALS };
  let credentialsGiven = false;
  let verbose = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf("=");
    // Accept both "--flag value" and "--flag=value".
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag !== arg ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new SimulatorCliError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--port":
        options.port = number(flag, value());
        break;
      case "--host":
        options.host = value();
        break;
      case "--data":
        options.dataDir = value();
        break;
      case "--token-ttl":
        options.accessTokenTtlSeconds = number(flag, value());
        break;
      case "--patch-delay-ms":
        options.patchApplyDelayMs = number(flag, value());
        break;
      case "--match-seed":
        options.matchSeed = value();
        break;
      case "--audience-id-base": {
        const raw = value();
        if (!/^\d{1,19}$/.test(raw)) throw new SimulatorCliError(`${flag} needs a non-negative integer`);
        options.audienceIdBase = BigInt(raw);
        break;
      }
      case "--strict-auth":
        options.strictAuthorizationHeader = true;
        break;
      case "--limit": {
        const [name, raw] = value().split("=");
        if (name === undefined || !(name in DEFAULT_LIMITS)) {
          throw new SimulatorCliError(`--limit needs <name>=<n> with name one of ${Object.keys(DEFAULT_LIMITS).join(", ")}`);
        }
        limits[name as keyof SimulatorLimits] = number(`--limit ${name}`, raw);
        break;
      }
      case "--no-throttle":
        Object.assign(limits, { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 });
        break;
      case "--faults-seed":
        faults.seed = number(flag, value());
        break;
      case "--rate429":
        faults.rate429 = number(flag, value());
        break;
      case "--rate5xx":
        faults.rate5xx = number(flag, value());
        break;
      case "--drop-rate":
        faults.dropRate = number(flag, value());
        break;
      case "--latency-ms":
        faults.latencyMs = number(flag, value());
        break;
      case "--fault-paths":
        faults.paths = value()
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "");
        break;
      case "--fault-routes":
        faults.routes = value()
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== "");
        break;
      case "--fault-count":
        faults.count = number(flag, value());
        break;
      case "--apply-then-fail":
        faults.applyThenFail = true;
        break;
      case "--client-id":
        credentials.clientId = value();
        credentialsGiven = true;
        break;
      case "--client-secret":
        credentials.clientSecret = value();
        credentialsGiven = true;
        break;
      case "--refresh-token":
        credentials.refreshToken = value();
        credentialsGiven = true;
        break;
      case "--verbose":
        verbose = true;
        break;
      case "--help":
      case "-h":
        help = true;
        break;
      default:
        throw new SimulatorCliError(`unknown option '${arg}'\n\n${SIMULATOR_USAGE}`);
    }
  }
  const faultProblem = checkFaultOptions(faults);
  if (faultProblem) throw new SimulatorCliError(faultProblem);
  if (Object.keys(faults).length > 0) options.faults = faults;
  if (Object.keys(limits).length > 0) options.limits = limits;
  if (credentialsGiven) options.credentials = credentials;
  return { options, verbose, help };
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
