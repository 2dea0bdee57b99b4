import { strict as assert } from "assert";
import { nextReassertAt, reassertPeriod, reassertToken } from "../../../provider/membership/reassert-token";

const DAY = 24 * 60 * 60 * 1000;
const at = (iso: string): number => Date.parse(iso);

describe("reassert token (settings.reassertAfterDays, dsp:reassert)", () => {
  it("is undefined without either source, and a manual token alone passes through unchanged", () => {
    assert.equal(reassertToken({}), undefined);
    assert.equal(reassertToken({ manual: "" }), undefined);
    // Stacks that used dsp:reassert before the schedule existed must not re-assert on upgrade.
    assert.equal(reassertToken({ manual: "2026-11-01", now: at("2026-11-29T00:00:00Z") }), "2026-11-01");
  });

  it("names the N-day period since the epoch, so it changes exactly at period boundaries", () => {
    // 2026-11-29 is day 20,786 since 1970-01-01; 20,786 / 30 = 692.9.
    assert.equal(reassertPeriod(at("2026-11-29T12:00:00Z"), 30), 692);
    assert.equal(reassertToken({ everyDays: 30, now: at("2026-11-29T12:00:00Z") }), "every-30d-692");
    const boundary = 693 * 30 * DAY;
    assert.equal(reassertToken({ everyDays: 30, now: boundary - 1 }), "every-30d-692");
    assert.equal(reassertToken({ everyDays: 30, now: boundary }), "every-30d-693");
    assert.equal(nextReassertAt(boundary - 1, 30).getTime(), boundary);
    assert.equal(nextReassertAt(boundary - 1, 30).toISOString(), "2026-12-03T00:00:00.000Z");
  });

  it("changes once per period over a simulated year with an injected clock", () => {
    const start = at("2026-01-01T00:00:00Z");
    for (const everyDays of [1, 7, 30, 397]) {
      const tokens = new Set<string>();
      let changes = 0;
      let previous: string | undefined;
      for (let hour = 0; hour < 366 * 24; hour += 5) {
        const token = reassertToken({ everyDays, now: start + hour * 60 * 60 * 1000 }) as string;
        if (previous !== undefined && token !== previous) changes++;
        previous = token;
        tokens.add(token);
      }
      assert.equal(tokens.size, changes + 1, "a token never comes back");
      assert.ok(changes >= Math.floor(366 / everyDays) - 1 && changes <= Math.ceil(366 / everyDays), `every ${everyDays} days: ${changes} changes in a year`);
    }
  });

  it("combines a manual token with the schedule, so either one changing re-asserts", () => {
    const now = at("2026-11-29T00:00:00Z");
    assert.equal(reassertToken({ manual: "fix-1", everyDays: 7, now }), "fix-1+every-7d-2969");
    assert.notEqual(reassertToken({ manual: "fix-2", everyDays: 7, now }), reassertToken({ manual: "fix-1", everyDays: 7, now }));
    assert.notEqual(reassertToken({ manual: "fix-1", everyDays: 7, now: now + 7 * DAY }), reassertToken({ manual: "fix-1", everyDays: 7, now }));
    // Changing the interval itself is a change too: it re-asserts once.
    assert.notEqual(reassertToken({ everyDays: 14, now }), reassertToken({ everyDays: 7, now }));
  });

  it("rejects an interval that is not a positive whole number of days", () => {
    for (const everyDays of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => reassertToken({ everyDays, now: 0 }), /reassertAfterDays must be a positive integer/);
    }
  });
});
