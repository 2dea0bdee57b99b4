/**
 * Progress of long sends in `pulumi up` (issue 14), through the real CLI: a send that lasts longer
 * than the progress interval (5 s) shows "N of M … sent (x %), r …/s, ETA …, … waiting on 429s"
 * on the row of the resource that sends, and its last line says 100 %. The simulator's latency and
 * 429 faults make the sends slow; nothing here waits on the wall clock itself.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { cookieIds } from "../support/synthetic-ids";
import { infoLines, parseEngineEvents, stepUrn, type EngineEvent } from "../support/engine-events";
import { requestLog, startSimulatedStack, type SimulatedStack } from "../support/simulated-stack";
import { writeSpecFiles, type Spec } from "../support/spec-files";
import { personCsvLine, syntheticPeople, TEMPLATE_HEADER } from "../support/synthetic-people";
import { PROGRESS_INTERVAL_MS } from "../../provider/provider-process/progress-line";
import { scenario } from "../support/checkpoints";
import { etaSeconds, shownCount } from "../support/progress-text";

const KEY_CONFIG = "dsp-audiences:externalIdKey";
const INTERVAL_S = PROGRESS_INTERVAL_MS / 1000;

/** One progress line, as provider/providers/progress-line.ts writes it. */
interface ProgressLine {
  label: string;
  done: number;
  total: number;
  share: string;
  rate: number;
  /** undefined for "unknown" */
  etaS: number | undefined;
  waitedS: number;
  urn: string | undefined;
  timestamp: number;
}

const count = shownCount;

const PROGRESS = /^(.+): ([\d,]+) of ([\d,]+) (\w+) (sent|uploaded) \((\d+\.\d) %\), ([\d,]+) \4\/s, ETA (.+?)(?:, (\d+\.\d) s waiting on 429s)?$/;

function progressLines(events: readonly EngineEvent[]): ProgressLine[] {
  return infoLines(events).flatMap(({ message, urn, timestamp }) => {
    const m = PROGRESS.exec(message);
    if (!m) return [];
    return [{ label: m[1]!, done: count(m[2]!), total: count(m[3]!), share: m[6]!, rate: count(m[7]!), etaS: etaSeconds(m[8]!), waitedS: Number(m[9] ?? 0), urn, timestamp }];
  });
}

/** What every progress line must hold: its figures agree with each other and with the plan's total. */
function assertConsistent(lines: readonly ProgressLine[], total: number): void {
  for (const l of lines) {
    const text = JSON.stringify(l);
    assert.equal(l.total, total, `the plan's total: ${text}`);
    assert.ok(l.done <= l.total, text);
    assert.equal(l.share, ((100 * l.done) / l.total).toFixed(1), text);
    // Shown rates are whole: the elapsed time they imply is as exact as that rounding allows.
    assert.ok(l.rate <= l.done / INTERVAL_S + 0.5, `no line before the interval has passed: ${text}`);
    if (l.done < l.total && l.rate > 0) assert.ok(Math.abs((l.etaS ?? NaN) - (l.total - l.done) / l.rate) <= 1, `ETA = the rest at this rate: ${text}`);
    if (l.done === l.total) assert.equal(l.etaS, 0, text);
  }
  // At most one line per interval (timestamps are whole seconds), but the last one, which says 100 %.
  for (let i = 1; i < lines.length - 1; i++) assert.ok(lines[i]!.timestamp - lines[i - 1]!.timestamp >= INTERVAL_S - 1, JSON.stringify(lines));
  assert.equal(lines.at(-1)?.done, total, "the last line says everything is done");
}

/** Length of the union of the intervals [t, t + ms), in ms. */
function unionMs(starts: readonly number[], ms: number): number {
  let covered = 0;
  let end = -Infinity;
  for (const t of [...starts].sort((a, b) => a - b)) {
    covered += Math.max(0, t + ms - Math.max(t, end));
    end = Math.max(end, t + ms);
  }
  return covered;
}

describe("progress lines of long sends, on the sending resource's own row (real CLI)", function () {
  this.timeout(10 * 60 * 1000);
  const checkpoint = scenario();
  const cookies = cookieIds(60_000, 14);
  const people = syntheticPeople(40, 14);
  let env: SimulatedStack;
  let specDir: string;

  const writeSpec = (withRecords: boolean): string => {
    const spec: Spec = {
      version: 1,
      defaults: { advertiserId: "42", dataSourceCountry: ["US"] },
      // minRows: a small test file; Amazon's template wants 10,000.
      ...(withRecords ? { records: { customers: { csv: "customers.csv", externalIdSecretConfig: KEY_CONFIG, minRows: 1 } } } : {}),
      audiences: {
        slow: { name: "An audience sent slowly", members: { COOKIE: { file: "cookies.txt" } } },
        ...(withRecords ? { "loyal-customers": { name: "Loyal customers, uploaded slowly", members: { EXTERNAL_USER_ID: { records: "customers" } } } } : {}),
      },
    };
    return writeSpecFiles(specDir, spec, { "cookies.txt": cookies, "customers.csv": `${TEMPLATE_HEADER}\n${people.map(personCsvLine).join("\n")}\n` });
  };

  before(async function () {
    env = await startSimulatedStack("", "progress");
    specDir = path.join(env.work, "spec");
    await env.run((s) => s.setConfig("dsp:spec", writeSpec(false)));
    await env.run((s) => s.setConfig(KEY_CONFIG, `e2e-external-id-key-${Math.random().toString(36).slice(2)}`, true));
  });

  after(async function () {
    await env?.close();
  });

  checkpoint("a membership's send: IDs sent of the plan's total, rate, ETA and the wall time waited on 429s", async function () {
    // 30 patches of 2,000 IDs, 16 in flight, each answered after 2.5 s; with seed 1, three of the
    // first 16 are 429s (Retry-After: 1 s): about 10 s in all.
    env.sim.setFaults({ latencyMs: 2500, rate429: 0.2, seed: 1, routes: ["PATCH /v2/dp/audience"] });
    const up = await env.run((s) => s.up(["--json"])).finally(() => env.sim.setFaults({}));
    const events = parseEngineEvents(up.stdout);
    const urn = stepUrn(events, "AudienceMembership");
    const plan = infoLines(events).find((l) => /^slow COOKIE: \+[\d,]+ −[\d,]+ IDs/.test(l.message));
    assert.equal(plan?.urn, urn, JSON.stringify(infoLines(events)));
    const [, adds, removes] = /\+([\d,]+) −([\d,]+)/.exec(plan.message)!;
    const total = count(adds!) + count(removes!);
    assert.equal(total, cookies.length);

    const lines = progressLines(events);
    assert.ok(lines.length >= 2, `a line on the way and the last one: ${JSON.stringify(infoLines(events))}`);
    for (const l of lines) assert.equal(l.urn, urn, "on the membership's own row");
    assert.ok(lines.every((l) => l.label === "slow COOKIE"));
    assertConsistent(lines, total);
    assert.ok(lines[0]!.done < total && lines[0]!.etaS !== undefined && lines[0]!.etaS > 0, `a line on the way, with an ETA: ${JSON.stringify(lines[0])}`);

    // The wait on 429s is wall time: the 429s the simulator answered held the sending for the
    // union of their Retry-After seconds, however many came at once.
    const throttled = (await requestLog(env)).filter((e) => e.method === "PATCH" && e.path === "/v2/dp/audience" && e.status === 429);
    assert.ok(throttled.length >= 3, `the seed's 429s: ${throttled.length}`);
    const heldS = unionMs(throttled.map((e) => e.t), 1000) / 1000;
    assert.ok(heldS < throttled.length, "some 429s came together");
    assert.ok(Math.abs(lines.at(-1)!.waitedS - heldS) <= 0.5, `waited ${lines.at(-1)!.waitedS} s on 429s, the simulator held ${heldS} s`);
  });

  checkpoint("a records upload: records uploaded of the plan's total, on the upload's own row", async function () {
    await env.run((s) => s.setConfig("dsp:spec", writeSpec(true)));
    // One body of 40 records, answered 429 twice after 1.8 s each: the upload lasts over 5.6 s.
    env.sim.setFaults({ latencyMs: 1800, rate429: 1, count: 2, routes: ["POST /dp/records/hashed"] });
    const up = await env.run((s) => s.up(["--json"])).finally(() => env.sim.setFaults({}));
    const events = parseEngineEvents(up.stdout);
    const urn = stepUrn(events, "HashedRecordUpload");
    const plan = infoLines(events).find((l) => /^records customers: [\d,]+ new or changed/.test(l.message));
    assert.equal(plan?.urn, urn, JSON.stringify(infoLines(events)));
    const total = count(/: ([\d,]+) new or changed/.exec(plan.message)![1]!);
    assert.equal(total, people.length);

    const lines = progressLines(events);
    assert.ok(lines.length >= 1, JSON.stringify(infoLines(events)));
    for (const l of lines) assert.equal(l.urn, urn, "on the upload's own row; the short membership send prints none");
    assert.ok(lines.every((l) => l.label === "records customers"));
    assertConsistent(lines, total);
    assert.equal(lines.at(-1)!.waitedS, 2, "two 429s, one after the other, 1 s each");
  });
});
