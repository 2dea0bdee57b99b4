/**
 * A catalog of 300 audiences against the metadata limit (issue 25), through the real CLI: creating
 * them is paced at the limit, with no 429; memberships start as their own audience exists, not after
 * the last one; the stack's row shows progress with an ETA; a refresh reads each audience once,
 * and with `dsp:refreshSlices` (here from the refresh's environment) only its slice, saying which
 * and leaving the others' state as it was.
 * The simulator's metadata limit is raised (and the client's `dsp:metadataRequestsPerSecond` with
 * it) so that this takes seconds rather than Amazon's five minutes; nothing waits on the wall clock.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { cookieIds } from "../support/synthetic-ids";
import { infoLines, parseEngineEvents, type EngineEvent } from "../support/engine-events";
import { requestLog, startSimulatedStack, type LogEntry, type SimulatedStack } from "../support/simulated-stack";
import { scenario } from "../support/checkpoints";
import { etaSeconds, shownCount } from "../support/progress-text";
import { PROGRESS_INTERVAL_MS } from "../../provider/provider-process/progress-line";
import { keysOfTurn, sliceOfAudience } from "../../provider/audience/refresh-slice";
import { ensurePulumiEngine, PulumiStack } from "../../tools/pulumi-cli";

const AUDIENCES = 300;
/** Metadata requests a second, the simulator's and the client's. */
const RATE = 20;
const SLICES = 3;
const METADATA = "/v2/dp/audiencemetadata";

const keyOf = (i: number): string => `segment-${String(i).padStart(4, "0")}`;

function writeCatalogSpec(dir: string): string {
  const ids = cookieIds(3 * AUDIENCES, 25);
  const lines = ["version: 1", "defaults:", '  advertiserId: "42"', "  dataSourceCountry: [US]", "audiences:"];
  for (let i = 0; i < AUDIENCES; i++) {
    fs.writeFileSync(path.join(dir, `${keyOf(i)}.txt`), `${ids.slice(3 * i, 3 * i + 3).join("\n")}\n`);
    lines.push(`  ${keyOf(i)}:`, `    name: Catalog segment number ${i}`, "    members:", `      COOKIE: { file: ${keyOf(i)}.txt }`);
  }
  fs.writeFileSync(path.join(dir, "audiences.yaml"), `${lines.join("\n")}\n`);
  return path.join(dir, "audiences.yaml");
}

/** One stack-row progress line: `<label>: N of M audiences <verb> (x %), r audiences/s, ETA …`. */
interface CountLine {
  done: number;
  total: number;
  etaS: number | undefined;
}

const count = shownCount;

/** The stack row's lines (no URN, or the stack's) of `label`, and that they are on the stack's row. */
function stackProgress(events: readonly EngineEvent[], label: string, verb: string): CountLine[] {
  const pattern = new RegExp(`^${label}: ([\\d,]+) of ([\\d,]+) audiences ${verb} \\((\\d+\\.\\d) %\\), ([\\d,]+) audiences/s, ETA (.+)$`);
  return infoLines(events).flatMap(({ message, urn }) => {
    const m = pattern.exec(message);
    if (!m) return [];
    assert.ok(urn === undefined || urn === "" || urn.includes("::pulumi:pulumi:Stack::"), `on the stack's row: ${urn}`);
    return [{ done: count(m[1]!), total: count(m[2]!), etaS: etaSeconds(m[5]!) }];
  });
}

/** Progress lines: one on the way with an ETA, totals as expected, the last one at 100 %. */
function assertProgress(lines: readonly CountLine[], total: number, what: string): void {
  assert.ok(lines.length >= 2, `${what}: a line on the way and the last one: ${JSON.stringify(lines)}`);
  for (const l of lines) assert.equal(l.total, total, `${what}: ${JSON.stringify(l)}`);
  assert.ok(lines.some((l) => l.done < total && l.etaS !== undefined && l.etaS > 0), `${what}: a line with an ETA: ${JSON.stringify(lines)}`);
  assert.equal(lines.at(-1)?.done, total, `${what}: the last line says all`);
  assert.equal(lines.at(-1)?.etaS, 0);
}

/**
 * The metadata lane kept to RATE at the simulator: nothing refused (its bucket holds RATE requests),
 * and no 5 s' worth of requests in less than 5 s (the client spaces them 1/RATE s apart plus a 10 %
 * margin). The log's times are taken as handlers run, so on a busy machine a second's requests can
 * bunch; over five seconds that jitter is allowed 5 %.
 */
function assertPaced(requests: readonly LogEntry[], what: string): void {
  assert.deepEqual(requests.filter((r) => r.status !== 200).map((r) => `${r.method} ${r.status}`), [], `${what}: every metadata request answered 200`);
  const t = requests.map((r) => r.t).sort((a, b) => a - b);
  const k = 5 * RATE;
  for (let i = k; i < t.length; i++) assert.ok(t[i]! - t[i - k]! >= 0.95 * 5000, `${what}: requests ${i - k}…${i} within ${t[i]! - t[i - k]!} ms`);
}

/** Seconds from the first to the last request, against the bound N / RATE. */
function span(requests: readonly LogEntry[]): { seconds: number; ratio: number } {
  const t = requests.map((r) => r.t);
  const seconds = (Math.max(...t) - Math.min(...t)) / 1000;
  return { seconds, ratio: seconds / (requests.length / RATE) };
}

describe(`a catalog of ${AUDIENCES} audiences against the metadata limit (real CLI)`, function () {
  this.timeout(10 * 60 * 1000);
  const checkpoint = scenario();
  let env: SimulatedStack;
  let ids: Map<string, string>;
  let since = 0;
  const sinceLast = async (): Promise<LogEntry[]> => {
    const log = (await requestLog(env)).filter((r) => r.seq > since);
    since = Math.max(since, ...log.map((r) => r.seq));
    return log;
  };

  before(async function () {
    env = await startSimulatedStack("", "catalog", { simulatorLimits: { metadataTps: RATE } });
    const specDir = path.join(env.work, "spec");
    fs.mkdirSync(specDir, { recursive: true });
    await env.run((s) => s.setConfig("dsp:spec", writeCatalogSpec(specDir)));
    await env.run((s) => s.setConfig("dsp:metadataRequestsPerSecond", String(RATE)));
  });

  after(async function () {
    await env?.close();
  });

  checkpoint("up: audiences created at the limit, memberships as their audience exists, progress on the stack's row", async function () {
    const up = await env.run((s) => s.up(["--json"]));
    const log = await sinceLast();
    const creates = log.filter((r) => r.method === "POST" && r.path === `${METADATA}/`);
    assert.equal(creates.length, AUDIENCES, "one create per audience");
    const patches = log.filter((r) => r.method === "PATCH" && r.path === "/v2/dp/audience" && r.status === 200);
    assert.equal(patches.length, AUDIENCES, "one membership patch per audience (3 IDs each)");
    // Before the fix every membership waited for the last audience; now the first follows the first audiences.
    const createTimes = creates.map((r) => r.t).sort((a, b) => a - b);
    const firstPatch = Math.min(...patches.map((r) => r.t));
    const lastCreate = createTimes.at(-1)!;
    const patchedBeforeLast = patches.filter((r) => r.t < lastCreate).length;
    const { seconds, ratio } = span(creates);
    console.log(
      `      ${AUDIENCES} creates in ${seconds.toFixed(1)} s at ${RATE}/s (bound ${AUDIENCES / RATE} s: ${ratio.toFixed(2)}×); ` +
        `first membership ${((firstPatch - createTimes[0]!) / 1000).toFixed(1)} s after the first create, ${((lastCreate - firstPatch) / 1000).toFixed(1)} s before the last; ` +
        `${patchedBeforeLast} of ${AUDIENCES} memberships sent before the last audience existed`,
    );
    assertPaced(creates, "creates");
    assert.ok(firstPatch < createTimes[AUDIENCES / 10]!, `the first membership (at ${firstPatch}) started before a tenth of the audiences existed (${createTimes[AUDIENCES / 10]})`);

    const events = parseEngineEvents(up.stdout);
    assertProgress(stackProgress(events, "audiences", "ready"), AUDIENCES, "up");
    const outputs = JSON.parse((await env.run((s) => s.run(["stack", "output", "audiences", "--json"]))).stdout) as Record<string, { audienceId: string }>;
    ids = new Map(Object.entries(outputs).map(([key, a]) => [key, a.audienceId]));
    assert.equal(ids.size, AUDIENCES);
  });

  checkpoint("refresh: each audience read once, at the limit, with progress on the stack's row", async function () {
    const refresh = await env.run((s) => s.refresh(["--json"]));
    const reads = (await sinceLast()).filter((r) => r.method === "GET" && r.path.startsWith(`${METADATA}/`));
    assert.deepEqual(reads.map((r) => r.path.slice(METADATA.length + 1)).sort(), [...ids.values()].sort(), "each audience read once");
    assertPaced(reads, "reads");
    const { seconds, ratio } = span(reads);
    console.log(`      ${reads.length} reads in ${seconds.toFixed(1)} s at ${RATE}/s (${ratio.toFixed(2)}× the bound)`);
    const events = parseEngineEvents(refresh.stdout);
    assert.ok(infoLines(events).some((l) => l.message === `refresh: reads all ${AUDIENCES} audiences (one metadata GET each)`), "says what it reads");
    assertProgress(stackProgress(events, "refresh", "read"), AUDIENCES, "refresh");
    assert.ok(seconds * 1000 > PROGRESS_INTERVAL_MS, "long enough for a line on the way");
  });

  checkpoint(`DSP_REFRESH_SLICES=${SLICES}: a refresh reads one slice, names it, and leaves the others' state as it was`, async function () {
    // A refresh runs without the program, with the provider's config of the last up: the setting in
    // stack config would wait for the next up; from the refresh's environment it applies at once.
    const sliced = new PulumiStack({
      projectDir: path.join(__dirname, "..", ".."),
      backendDir: path.join(env.work, "backend"),
      binDir: await ensurePulumiEngine(),
      stack: env.stack.stack,
      env: { DSP_REFRESH_SLICES: String(SLICES) },
    });
    const before = JSON.parse(await env.stack.exportState()) as { deployment: { resources: Array<{ urn: string; outputs?: Record<string, unknown> }> } };
    const refresh = await env.run(() => sliced.refresh(["--json"]));
    const reads = (await sinceLast()).filter((r) => r.method === "GET" && r.path.startsWith(`${METADATA}/`));
    const events = parseEngineEvents(refresh.stdout);
    const lines = infoLines(events);
    const said = lines.map((l) => /^refresh: reads (\d+) of (\d+) audiences \(slice (\d) of 3, this day's; the others keep their state\): (.+)$/.exec(l.message)).find((m) => m !== null);
    assert.ok(said, `names the slice it reads: ${JSON.stringify(lines.filter((l) => l.message.startsWith("refresh")))}`);
    const named = said[4]!.split(", ");
    const slice = Number(said[3]) - 1;
    // The slice is the keys' own (a hash of each key), and it is what was read: each of them once.
    assert.deepEqual(named, [...ids.keys()].filter((k) => sliceOfAudience(k, SLICES) === slice));
    assert.equal(Number(said[1]), named.length);
    assert.ok(named.length > AUDIENCES / SLICES / 2 && named.length < (2 * AUDIENCES) / SLICES, `about a third: ${named.length}`);
    assert.deepEqual(reads.map((r) => r.path.slice(METADATA.length + 1)).sort(), named.map((k) => ids.get(k)!).sort());
    assertPaced(reads, "sliced reads");
    // The slices of three successive days are three different slices, which cover every audience.
    const day = 86_400_000;
    const covered = [0, 1, 2].flatMap((d) => keysOfTurn([...ids.keys()], Date.now() + d * day, { slices: SLICES, periodMs: day, period: "day" }));
    assert.deepEqual(covered.sort(), [...ids.keys()].sort());

    const skipped = lines.filter((l) => /^audience segment-\d+ \(\d+\): skipped this run, its state unchanged: it is in slice \d of 3, read in [12] days? \(dsp:refreshSlices\)$/.test(l.message));
    assert.equal(skipped.length, AUDIENCES - named.length, "every other audience says it was skipped, on its own row");
    for (const l of skipped) assert.ok(l.urn?.endsWith(`::${/^audience (\S+)/.exec(l.message)![1]}`), `on its row: ${l.urn}`);
    const after = JSON.parse(await env.stack.exportState()) as typeof before;
    const outputsOf = (state: typeof before, key: string): unknown =>
      state.deployment.resources.find((r) => r.urn.endsWith(`:DataProviderAudience::${key}`))?.outputs;
    for (const key of ids.keys()) {
      if (!named.includes(key)) assert.deepEqual(outputsOf(after, key), outputsOf(before, key), `${key}: state as it was`);
    }
  });
});
