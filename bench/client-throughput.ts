/**
 * Client throughput against the simulator with Amazon's real limits
 * (100 req/s × 2,000 patches = a ceiling of 200,000 record-ops/s).
 *
 * Prints figures; it is not a timed test. The simulator runs in a child
 * process so that `process.cpuUsage()` and the peak RSS are the client's own.
 *
 *   node -r ts-node/register/transpile-only bench/client-throughput.ts [--records N] [--baseline-seconds S] [--patch-concurrency C]
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { SIMULATOR_CREDENTIALS } from "../simulator";
import {
  DspClient,
  packMembershipColumns,
  simulatorEndpoint,
  type DspClientEvent,
  type PatchBatch,
} from "../provider/client";
// The same launcher the simulator tests use: one way to run the simulator out of process.
import { startSimulatorProcess } from "../test/support/simulator-process";

export interface ClientThroughputBenchOptions {
  /**
   * Record-ops to send in the batched run (one audience, 22-char cookie ids).
   * @default 1000000
   */
  records?: number;
  /**
   * Length of the one-patch-per-request baseline, in seconds; 0 skips it.
   * @default 10
   */
  baselineSeconds?: number;
  /**
   * Patch requests in flight.
   * @default the client's default (32)
   */
  patchConcurrency?: number;
  /** Receives progress lines. @default no output */
  log?: (line: string) => void;
}

/** Figures of one sending run. */
export interface SendRunFigures {
  records: number;
  requests: number;
  seconds: number;
  opsPerSecond: number;
  /** `opsPerSecond` / the API ceiling for this request shape. */
  ratioToCeiling: number;
  /** Client CPU (user + system) spent during the run, in seconds. */
  clientCpuSeconds: number;
  /** Client CPU per request, in ms. */
  clientCpuMsPerRequest: number;
  /** Peak resident set size of the client during the run, in MB (10^6 bytes). */
  peakRssMb: number;
  retries: number;
  throttled429: number;
  /** CPU the simulator process spent during the run, in seconds (Linux only; 0 elsewhere). */
  simulatorCpuSeconds: number;
  /** Request latency (send to complete response), median and 99th percentile, in ms. */
  latencyP50Ms: number;
  latencyP99Ms: number;
}

export interface ClientThroughputFigures {
  /** Building the bodies alone, one core, record-ops/s (no I/O). */
  batchingOpsPerSecond: number;
  /** 100 req/s × 2,000 patches. */
  ceilingOpsPerSecond: number;
  batched: SendRunFigures;
  /** Same client, one patch per request (ceiling 100 ops/s). */
  onePatchPerRequest?: SendRunFigures;
  /** Members the simulator holds after the batched run (must equal `batched.records`). */
  simulatorMembers: number;
}

const API_RATE_PER_SECOND = 100;
const MAX_PATCHES = 2000;
const CEILING_OPS_PER_SECOND = API_RATE_PER_SECOND * MAX_PATCHES;

export async function runClientThroughputBench(options: ClientThroughputBenchOptions = {}): Promise<ClientThroughputFigures> {
  const records = options.records ?? 1_000_000;
  const baselineSeconds = options.baselineSeconds ?? 10;
  const log = options.log ?? (() => undefined);

  log(`generating ${records.toLocaleString("en-US")} random 22-char cookie ids…`);
  const cookies = randomCookieIds(records);
  const batchingOpsPerSecond = measureBatching(cookies);
  log(`batching alone: ${formatRate(batchingOpsPerSecond)} record-ops/s on one core`);

  log("starting the simulator (child process, default limits: 100 req/s, 2,000 patches, 1 MB)…");
  const simulator = await startSimulatorProcess();
  const events: RunEvents = { retries: 0, throttled429: 0, latenciesMs: [] };
  const onEvent = (event: DspClientEvent): void => {
    if (event.type === "retry") events.retries++;
    if (event.type === "request-done" && event.status === 429) events.throttled429++;
    if (event.type === "request-done" && event.lane === "audienceMembership") events.latenciesMs.push(event.ms);
  };
  const client = new DspClient({
    endpoint: simulatorEndpoint(simulator.url),
    credentials: SIMULATOR_CREDENTIALS,
    onEvent,
    ...(options.patchConcurrency === undefined ? {} : { throttle: { audienceMembership: { maxConcurrency: options.patchConcurrency } } }),
  });
  try {
    const audience = await client.createAudience({
      name: "Client throughput benchmark",
      description: "bench/client-throughput.ts",
      advertiserId: "9223372036854775807",
      externalAudienceId: `bench-${Date.now()}`,
      dataSourceCountry: ["US"],
    });

    log(`sending ${records.toLocaleString("en-US")} record-ops in bodies of ≤ ${MAX_PATCHES} patches…`);
    const batched = await measureRun(events, CEILING_OPS_PER_SECOND, simulator.pid, async () => {
      const result = await client.patchAudienceMembership({ columns: [{ op: "add", type: "COOKIE", values: cookies, audienceIds: [audience.audienceId] }] });
      return { records: result.ops, requests: result.requests };
    });
    const simulatorMembers = await memberCount(simulator.url, audience.audienceId);

    let onePatchPerRequest: SendRunFigures | undefined;
    if (baselineSeconds > 0) {
      log(`baseline: one patch per request for ${baselineSeconds} s…`);
      const deadline = Date.now() + baselineSeconds * 1000;
      onePatchPerRequest = await measureRun(events, API_RATE_PER_SECOND, simulator.pid, async () => {
        const result = await client.patchAudienceMembership({ batches: singlePatchBatchesUntil(deadline, cookies, audience.audienceId) });
        return { records: result.ops, requests: result.requests };
      });
    }
    return {
      batchingOpsPerSecond,
      ceilingOpsPerSecond: CEILING_OPS_PER_SECOND,
      batched,
      ...(onePatchPerRequest === undefined ? {} : { onePatchPerRequest }),
      simulatorMembers,
    };
  } finally {
    client.close();
    await simulator.stop();
  }
}

interface RunEvents {
  retries: number;
  throttled429: number;
  latenciesMs: number[];
}

async function measureRun(
  events: RunEvents,
  ceilingOpsPerSecond: number,
  simulatorPid: number,
  run: () => Promise<{ records: number; requests: number }>,
): Promise<SendRunFigures> {
  const simulatorCpuBefore = processCpuSeconds(simulatorPid);
  const retriesBefore = events.retries;
  const throttledBefore = events.throttled429;
  events.latenciesMs = [];
  resetPeakRss();
  const cpuBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  const { records, requests } = await run();
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const clientCpuSeconds = (cpu.user + cpu.system) / 1e6;
  const opsPerSecond = records / seconds;
  return {
    records,
    requests,
    seconds,
    opsPerSecond,
    ratioToCeiling: opsPerSecond / ceilingOpsPerSecond,
    clientCpuSeconds,
    clientCpuMsPerRequest: (clientCpuSeconds * 1000) / Math.max(1, requests),
    peakRssMb: peakRssBytes() / 1e6,
    retries: events.retries - retriesBefore,
    throttled429: events.throttled429 - throttledBefore,
    simulatorCpuSeconds: processCpuSeconds(simulatorPid) - simulatorCpuBefore,
    latencyP50Ms: percentile(events.latenciesMs, 0.5),
    latencyP99Ms: percentile(events.latenciesMs, 0.99),
  };
}

/** User + system CPU of another process, from /proc/<pid>/stat (clock ticks of 10 ms). */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

/** One-patch bodies, built as they are pulled, until the deadline passes. */
function* singlePatchBatchesUntil(deadlineMs: number, cookies: readonly string[], audienceId: string): Generator<PatchBatch, void, undefined> {
  for (let i = 0; Date.now() < deadlineMs; i++) {
    const [batch] = packMembershipColumns([{ op: "add", type: "COOKIE", values: [cookies[i % cookies.length] ?? "x"], audienceIds: [audienceId] }]);
    if (batch !== undefined) yield batch;
  }
}

function measureBatching(cookies: readonly string[]): number {
  const column = [{ op: "add" as const, type: "COOKIE" as const, values: cookies, audienceIds: ["72057594038053890"] }];
  let best = 0;
  for (let run = 0; run < 3; run++) {
    const startedAt = process.hrtime.bigint();
    let ops = 0;
    for (const batch of packMembershipColumns(column)) ops += batch.ops;
    best = Math.max(best, ops / (Number(process.hrtime.bigint() - startedAt) / 1e9));
  }
  return best;
}

function randomCookieIds(count: number): string[] {
  const ids = new Array<string>(count);
  const pool = randomBytes(count * 17).toString("base64url");
  // Slices of one big string would all keep it alive and sort slowly; flatten each id.
  for (let i = 0; i < count; i++) ids[i] = (" " + pool.slice(i * 22, i * 22 + 22)).slice(1);
  return ids;
}

async function memberCount(simulatorUrl: string, audienceId: string): Promise<number> {
  const response = await fetch(`${simulatorUrl}/__sim/audiences`);
  const body = (await response.json()) as { audiences: Array<{ id: string; members?: { COOKIE?: number } }> };
  return body.audiences.find((a) => a.id === audienceId)?.members?.COOKIE ?? 0;
}

/** Resets the kernel's peak-RSS mark (VmHWM) so the next reading covers one phase only. */
function resetPeakRss(): void {
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    // Not Linux, or not permitted: the reading below is then the process-lifetime peak.
  }
}

function peakRssBytes(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match?.[1] !== undefined) return Number(match[1]) * 1024;
  } catch {
    // Fall through to the portable (lifetime) figure.
  }
  return process.resourceUsage().maxRSS * 1024;
}

function formatRate(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString("en-US");
}

function printFigures(figures: ClientThroughputFigures): void {
  const line = (label: string, run: SendRunFigures, ceiling: number): string =>
    `${label}: ${run.records.toLocaleString("en-US")} ops in ${run.requests} requests, ${run.seconds.toFixed(2)} s → ` +
    `${formatRate(run.opsPerSecond)} ops/s = ${(run.ratioToCeiling * 100).toFixed(1)} % of ${formatRate(ceiling)}; ` +
    `client CPU ${run.clientCpuSeconds.toFixed(2)} s (${run.clientCpuMsPerRequest.toFixed(2)} ms/request), simulator CPU ${run.simulatorCpuSeconds.toFixed(2)} s, ` +
    `peak RSS ${run.peakRssMb.toFixed(0)} MB, ` +
    `latency p50 ${run.latencyP50Ms} ms / p99 ${run.latencyP99Ms} ms, retries ${run.retries}, 429s ${run.throttled429}`;
  console.log(`batching alone:       ${formatRate(figures.batchingOpsPerSecond)} record-ops/s (one core, no I/O)`);
  console.log(line("batched (≤2000/req)", figures.batched, figures.ceilingOpsPerSecond));
  if (figures.onePatchPerRequest !== undefined) console.log(line("one patch/request  ", figures.onePatchPerRequest, API_RATE_PER_SECOND));
  console.log(`simulator holds ${figures.simulatorMembers.toLocaleString("en-US")} members (sent ${figures.batched.records.toLocaleString("en-US")})`);
}

function parseArgs(argv: readonly string[]): ClientThroughputBenchOptions {
  const options: ClientThroughputBenchOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const value = Number(argv[i + 1]);
    if (argv[i] === "--records" && Number.isInteger(value) && value > 0) options.records = value;
    else if (argv[i] === "--baseline-seconds" && value >= 0) options.baselineSeconds = value;
    else if (argv[i] === "--patch-concurrency" && Number.isInteger(value) && value > 0) options.patchConcurrency = value;
    else continue;
    i++;
  }
  return options;
}

if (require.main === module) {
  runClientThroughputBench({ ...parseArgs(process.argv.slice(2)), log: (line) => console.error(line) })
    .then(printFigures)
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
