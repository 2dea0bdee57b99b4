import { strict as assert } from "node:assert";
import { progressTicker } from "../../../provider/provider-process/progress-ticker";

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
