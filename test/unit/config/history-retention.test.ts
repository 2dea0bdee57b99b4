import { strict as assert } from "node:assert";
import { DEFAULT_HISTORY_RETENTION_DAYS, resolveHistoryRetentionMs } from "../../../provider/config/history-retention";

describe("dsp:historyRetentionDays", () => {
  const lookup = (value: string | undefined) => (key: string) => (key === "dsp:historyRetentionDays" ? value : undefined);
  const DAY = 86_400_000;

  it("defaults to 90 days, and takes stack config before the environment", () => {
    assert.equal(DEFAULT_HISTORY_RETENTION_DAYS, 90);
    assert.equal(resolveHistoryRetentionMs(lookup(undefined), {}), 90 * DAY);
    assert.equal(resolveHistoryRetentionMs(lookup(undefined), { DSP_HISTORY_RETENTION_DAYS: "30" }), 30 * DAY);
    assert.equal(resolveHistoryRetentionMs(lookup("365"), { DSP_HISTORY_RETENTION_DAYS: "30" }), 365 * DAY);
  });

  for (const bad of ["0", "-5", "1.5", "lots", "3651", "90d", "1e3"]) {
    it(`refuses ${JSON.stringify(bad)} with one message naming the setting`, () => {
      assert.throws(() => resolveHistoryRetentionMs(lookup(bad), {}), (error: unknown) => error instanceof Error && /^dsp:historyRetentionDays must be a whole number of days from 1 to 3650 \(got "/.test(error.message));
    });
  }
});
