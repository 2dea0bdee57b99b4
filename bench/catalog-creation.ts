/**
 * Creating a catalog against the metadata limit: `pulumi up` of a spec with N new audiences (one
 * COOKIE membership of 3 IDs each) against a simulator whose metadata limit is R requests a second,
 * with the client set to the same rate. Creating N audiences cannot take less than N / R seconds
 * (the bound); the figures are the whole up's wall time against it, the span of the creates at the
 * simulator, and when the first membership was sent against when the last audience was created (a
 * membership starts as its own audience exists: provider/program/registration-window.ts), and a
 * second, no-op `up` (every audience then goes through the registration window). At
 * Amazon's 1 request/s, 1,000 audiences take about 17 minutes: `--full` only.
 *
 *   node -r ts-node/register/transpile-only bench/catalog-creation.ts [audiences] [requests/s]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeCookieIdFile } from "./id-files";
import { requestLogMark, startBenchStack } from "./bench-stack";

/** Options of {@link runCatalogCreationBench}. */
export interface CatalogCreationBenchOptions {
  /** Audiences to create. @default 200 */
  readonly audiences?: number;
  /** The metadata limit, the simulator's and the client's, in requests/s. @default 5 */
  readonly requestsPerSecond?: number;
  /** Receives progress lines. @default no output */
  readonly log?: (line: string) => void;
}

/** What {@link runCatalogCreationBench} measured. */
export interface CatalogCreationFigures {
  readonly audiences: number;
  readonly requestsPerSecond: number;
  /** N / R, in seconds. */
  readonly boundSeconds: number;
  /** Wall time of the whole `pulumi up`, in seconds. */
  readonly upSeconds: number;
  /** From the first audience create to the last, at the simulator, in seconds. */
  readonly createSpanSeconds: number;
  /** The first membership patch, in seconds after the first create (at the simulator). */
  readonly firstMembershipSeconds: number;
  /** The last create, in seconds after the first create. */
  readonly lastCreateSeconds: number;
  /** Memberships sent before the last audience was created. */
  readonly membershipsBeforeLastCreate: number;
  /** Wall time of a second `pulumi up` with nothing to change (every audience registered through the window), in seconds. */
  readonly noopUpSeconds: number;
  /** Metadata requests the simulator refused with 429. */
  readonly throttled: number;
  readonly exitCode: number;
}

export async function runCatalogCreationBench(options: CatalogCreationBenchOptions = {}): Promise<CatalogCreationFigures> {
  const audiences = options.audiences ?? 200;
  const rate = options.requestsPerSecond ?? 5;
  const log = options.log ?? (() => undefined);
  const env = await startBenchStack({
    name: "catalog",
    simulatorLimits: { metadataTps: rate },
    ...(rate === 1 ? {} : { config: { "dsp:metadataRequestsPerSecond": String(rate) } }),
  });
  try {
    const lines = ["version: 1", "defaults:", '  advertiserId: "9223372036854775001"', "  dataSourceCountry: [US]", "audiences:"];
    for (let i = 0; i < audiences; i++) {
      const file = `catalog-${i}.txt`;
      await writeCookieIdFile(path.join(env.work, file), { count: 3, seed: 5000 + i });
      lines.push(`  catalog-${String(i).padStart(4, "0")}:`, `    name: Catalog creation audience ${i}`, "    members:", `      COOKIE: { file: ${file} }`);
    }
    const spec = path.join(env.work, "audiences.yaml");
    fs.writeFileSync(spec, lines.join("\n") + "\n");
    await env.stack.setConfig("dsp:spec", spec);
    log(`pulumi up of ${audiences} new audiences at ${rate} metadata requests/s (bound ${audiences / rate} s)…`);
    const mark = requestLogMark(env.sim);
    const up = await env.timed((s) => s.up());
    const requests = env.sim.store.requests(mark);
    const creates = requests.filter((r) => r.method === "POST" && r.path === "/v2/dp/audiencemetadata/" && r.status === 200).map((r) => r.t);
    const patches = requests.filter((r) => r.method === "PATCH" && r.path === "/v2/dp/audience" && r.status === 200).map((r) => r.t);
    const noop = await env.timed((s) => s.up(["--expect-no-changes"]));
    if (noop.result.code !== 0) throw new Error(`the second pulumi up found changes or failed:\n${noop.result.stderr || noop.result.stdout}`);
    const first = Math.min(...creates);
    const last = Math.max(...creates);
    return {
      audiences,
      requestsPerSecond: rate,
      boundSeconds: audiences / rate,
      upSeconds: up.seconds,
      createSpanSeconds: (last - first) / 1000,
      firstMembershipSeconds: (Math.min(...patches) - first) / 1000,
      lastCreateSeconds: (last - first) / 1000,
      membershipsBeforeLastCreate: patches.filter((t) => t < last).length,
      noopUpSeconds: noop.seconds,
      throttled: requests.filter((r) => r.path.startsWith("/v2/dp/audiencemetadata") && r.status === 429).length,
      exitCode: up.result.code,
    };
  } finally {
    await env.close();
  }
}

if (require.main === module) {
  const [n, r] = process.argv.slice(2).map(Number);
  runCatalogCreationBench({ ...(n ? { audiences: n } : {}), ...(r ? { requestsPerSecond: r } : {}), log: (line) => console.error(line) })
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
