import { strict as assert } from "node:assert";
import type { DspClientEvent, DspEventListener } from "../../../provider/client";
import { describeProgress, formatDuration, progressReporter, progressTicker } from "../../../provider/provider-process/progress-line";

const IDS = { label: "loyal COOKIE", unit: "IDs", verb: "sent" } as const;
const accepted = (ops: number): DspClientEvent => ({ type: "ids-accepted", operation: "patch", ops, totalOps: ops });
const throttled = (delayMs: number): DspClientEvent => ({ type: "retry", operation: "patch", reason: "THROTTLED", delayMs, attempt: 0, status: 429 });

describe("providers/progress-line", () => {
  it("says done of total, share, rate, ETA and the time waited on 429s", () => {
    assert.equal(
      describeProgress(IDS, { done: 120_000, total: 1_000_000, elapsedMs: 5_000, throttledMs: 1_250 }),
      "loyal COOKIE: 120,000 of 1,000,000 IDs sent (12.0 %), 24,000 IDs/s, ETA 37 s, 1.3 s waiting on 429s",
    );
  });

  it("leaves out the 429 wait when there was none, and the share and ETA without a total (hash-csv's shape)", () => {
    assert.equal(describeProgress(IDS, { done: 10, total: 10, elapsedMs: 1_000 }), "loyal COOKIE: 10 of 10 IDs sent (100.0 %), 10 IDs/s, ETA 0 s");
    assert.equal(describeProgress({ label: "hash-csv", unit: "rows" }, { done: 1_200_000, elapsedMs: 12_000 }), "hash-csv: 1,200,000 rows, 100,000 rows/s");
    assert.match(describeProgress(IDS, { done: 0, total: 5, elapsedMs: 9_000 }), /ETA unknown$/);
  });

  it("formats durations in s, min and h", () => {
    assert.deepEqual([formatDuration(0), formatDuration(59_400), formatDuration(500_000), formatDuration(3_900_000)], ["0 s", "59 s", "8 min 20 s", "1 h 05 min"]);
  });

  it("emits at most one line per interval, counting accepted IDs and throttled waits only", () => {
    let now = 1_000;
    const lines: string[] = [];
    const { listener, figures } = progressReporter({ wording: IDS, total: 100_000, intervalMs: 5_000, now: () => now, emit: (l) => lines.push(l) });
    listener(accepted(2_000));
    now += 4_999;
    listener(throttled(3_000));
    listener({ type: "throttled-wait", lane: "audienceMembership", waitedMs: 7_000 });
    assert.deepEqual(lines, [], "nothing before the first interval has passed");
    now += 1;
    listener(accepted(8_000));
    assert.deepEqual(lines, ["loyal COOKIE: 10,000 of 100,000 IDs sent (10.0 %), 2,000 IDs/s, ETA 45 s, 3.0 s waiting on 429s"]);
    now += 4_000;
    listener(accepted(10_000));
    assert.equal(lines.length, 1, "within the interval of the last line");
    now += 1_000;
    listener({ type: "request-sent", operation: "patch", lane: "audienceMembership", attempt: 0, bytes: 1, ops: 1 });
    assert.equal(lines.length, 1, "other events neither count nor print");
    listener(accepted(0));
    assert.equal(lines.length, 2);
    assert.deepEqual(figures(), { done: 20_000, total: 100_000, elapsedMs: 10_000, throttledMs: 3_000 });
  });

  it("counts 429 waits as wall time: requests throttled together wait once", () => {
    let now = 0;
    const { listener, figures } = progressReporter({ wording: IDS, total: 100_000, now: () => now, emit: () => undefined });
    for (let i = 0; i < 16; i++) listener(throttled(1_000));
    assert.equal(figures().throttledMs, 1_000, "16 requests throttled at the same moment");
    now = 500;
    listener(throttled(1_000));
    assert.equal(figures().throttledMs, 1_500, "overlapping the first wait by half of it");
    now = 5_000;
    listener(throttled(2_000));
    listener(throttled(500));
    assert.equal(figures().throttledMs, 3_500, "a later, separate wait adds whole; a shorter one inside it adds nothing");
  });

  it("prints one more line, at once, when the work completes after a line was printed; short work prints none", () => {
    let now = 0;
    const lines: string[] = [];
    const reporter = (total: number): DspEventListener => progressReporter({ wording: IDS, total, intervalMs: 5_000, now: () => now, emit: (l) => lines.push(l) }).listener;
    const short = reporter(4_000);
    short(accepted(2_000));
    now = 1_000;
    short(accepted(2_000));
    assert.deepEqual(lines, [], "done within the first interval");
    now = 0;
    const long = reporter(10_000);
    now = 5_000;
    long(accepted(4_000));
    now = 6_000;
    long(accepted(4_000));
    assert.equal(lines.length, 1, "within the interval, and not yet done");
    now = 7_000;
    long(accepted(2_000));
    assert.deepEqual(lines, [
      "loyal COOKIE: 4,000 of 10,000 IDs sent (40.0 %), 800 IDs/s, ETA 8 s",
      "loyal COOKIE: 10,000 of 10,000 IDs sent (100.0 %), 1,429 IDs/s, ETA 0 s",
    ]);
    now = 8_000;
    long(accepted(0));
    assert.equal(lines.length, 2, "done already: no third line within the interval");
  });
});

describe("progress ticker", () => {
  const wording = { label: "audiences", unit: "audiences", verb: "ready" };

  it("prints at most one line an interval, with an ETA, and the last at 100 % at once", () => {
    let now = 0;
    const lines: string[] = [];
    const ticker = progressTicker({ wording, total: 10, intervalMs: 5000, now: () => now, emit: (l) => lines.push(l) });
    for (let i = 1; i <= 10; i++) {
      now = i * 1000;
      ticker.tick();
    }
    assert.deepEqual(lines, [
      "audiences: 5 of 10 audiences ready (50.0 %), 1 audiences/s, ETA 5 s",
      "audiences: 10 of 10 audiences ready (100.0 %), 1 audiences/s, ETA 0 s",
    ]);
    assert.equal(ticker.done, 10);
  });

  it("prints nothing for work shorter than the interval", () => {
    const lines: string[] = [];
    const ticker = progressTicker({ wording, total: 2, intervalMs: 5000, now: () => 10, emit: (l) => lines.push(l) });
    ticker.tick();
    ticker.tick();
    assert.deepEqual(lines, []);
  });

  it("without a total, counts and rates only; past its total, raises it", () => {
    let now = 0;
    const lines: string[] = [];
    const open = progressTicker({ wording, total: undefined, intervalMs: 1000, now: () => now, emit: (l) => lines.push(l) });
    now = 2000;
    open.tick(4);
    const over = progressTicker({ wording, total: 1, intervalMs: 1000, now: () => now, emit: (l) => lines.push(l) });
    now = 4000;
    over.tick(3);
    assert.deepEqual(lines, ["audiences: 4 audiences ready, 2 audiences/s", "audiences: 3 of 3 audiences ready (100.0 %), 2 audiences/s, ETA 0 s"]);
  });
});
