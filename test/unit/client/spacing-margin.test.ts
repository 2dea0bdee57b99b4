import assert from "node:assert/strict";
import { SpacingMargin } from "../../../provider/client/spacing-margin";
import { FakeClock } from "../../support/fake-clock";

describe("SpacingMargin", () => {
  const settings = { floorMs: 15, capMs: 400, widenMs: 50, narrowMs: 1 };

  it("starts at its floor", () => {
    assert.equal(new SpacingMargin(settings, new FakeClock({ startMs: 0 })).ms, 15);
  });

  it("widens on each 429 (at least doubling, by at least the step) up to its cap", () => {
    const clock = new FakeClock({ startMs: 0 });
    const margin = new SpacingMargin(settings, clock);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      margin.noteStatus(429, 1000);
      seen.push(margin.ms);
      clock.advance(1000);
    }
    assert.deepEqual(seen, [65, 130, 260, 400, 400, 400]);
  });

  it("widens once for a burst of 429s within the quiet time", () => {
    const clock = new FakeClock({ startMs: 0 });
    const margin = new SpacingMargin(settings, clock);
    margin.noteStatus(429, 1065);
    clock.advance(1064);
    margin.noteStatus(429, 1065);
    assert.equal(margin.ms, 65);
    clock.advance(1);
    margin.noteStatus(429, 1065);
    assert.equal(margin.ms, 130);
  });

  it("narrows by its step per accepted request, never below its floor", () => {
    const clock = new FakeClock({ startMs: 0 });
    const margin = new SpacingMargin(settings, clock);
    margin.noteStatus(429, 1000);
    for (let i = 0; i < 10; i++) margin.noteStatus(i % 2 === 0 ? 200 : 404, 1000);
    assert.equal(margin.ms, 55);
    for (let i = 0; i < 100; i++) margin.noteStatus(201, 1000);
    assert.equal(margin.ms, 15);
  });

  it("ignores 5xx answers and network failures: they say nothing about the rate", () => {
    const clock = new FakeClock({ startMs: 0 });
    const margin = new SpacingMargin(settings, clock);
    margin.noteStatus(429, 1000);
    for (const status of [500, 503, 504]) margin.noteStatus(status, 1000);
    assert.equal(margin.ms, 65);
  });

  it("stays fixed when its cap is its floor", () => {
    const margin = new SpacingMargin({ floorMs: 20, capMs: 20, widenMs: 50, narrowMs: 1 }, new FakeClock({ startMs: 0 }));
    margin.noteStatus(429, 0);
    assert.equal(margin.ms, 20);
  });
});
