import { strict as assert } from "node:assert";

import { parseRfc3339 } from "../../../provider/spec/consent-time";

const ROWS: Array<[string, number | undefined]> = [
  ["2026-01-31T12:00:00Z", Date.UTC(2026, 0, 31, 12)],
  ["2026-01-31T12:00:00.5Z", Date.UTC(2026, 0, 31, 12, 0, 0, 500)],
  ["2026-01-31T12:00:00.123456789Z", Date.UTC(2026, 0, 31, 12, 0, 0, 123)],
  ["2026-01-31T12:00:00+05:30", Date.UTC(2026, 0, 31, 6, 30)],
  ["2026-01-31T00:30:00-01:00", Date.UTC(2026, 0, 31, 1, 30)],
  ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
  // Years below 100 stay themselves (Date.UTC would turn 50 into 1950).
  ["0050-06-01T00:00:00Z", new Date("0050-06-01T00:00:00Z").getTime()],
  ["2026-02-29T00:00:00Z", undefined],
  ["2026-02-30T00:00:00Z", undefined],
  ["2026-04-31T00:00:00Z", undefined],
  ["2026-13-01T00:00:00Z", undefined],
  ["2026-01-31T24:00:00Z", undefined],
  ["2026-01-31T12:00:00", undefined],
  ["2026-01-31", undefined],
  ["yesterday", undefined],
];

describe("parseRfc3339", () => {
  for (const [text, expected] of ROWS) {
    it(`${text} → ${expected ?? "invalid"}`, () => {
      assert.equal(parseRfc3339(text), expected);
    });
  }
});
