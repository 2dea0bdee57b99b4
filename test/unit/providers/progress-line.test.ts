import { strict as assert } from "node:assert";
import type { DspClientEvent } from "../../../provider/client";
import { describeProgress, formatDuration, progressReporter } from "../../../provider/providers/progress-line";

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
});
