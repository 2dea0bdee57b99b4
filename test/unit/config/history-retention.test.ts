import { strict as assert } from "node:assert";
import { DEFAULT_HISTORY_RETENTION_DAYS, MAX_HISTORY_RETENTION_DAYS, resolveHistoryRetentionMs } from "../../../provider/config/history-retention";
import { SPEC_SCHEMA } from "../../../provider/spec";

describe("history retention (settings.historyRetentionDays, dsp:historyRetentionDays)", () => {
  const lookup = (value: string | undefined) => (key: string) => (key === "dsp:historyRetentionDays" ? value : undefined);
  const DAY = 86_400_000;

  it("defaults to 90 days, and takes stack config before the environment", () => {
    assert.equal(DEFAULT_HISTORY_RETENTION_DAYS, 90);
    assert.equal(resolveHistoryRetentionMs(lookup(undefined), {}), 90 * DAY);
    assert.equal(resolveHistoryRetentionMs(lookup(undefined), { DSP_HISTORY_RETENTION_DAYS: "30" }), 30 * DAY);
    assert.equal(resolveHistoryRetentionMs(lookup("365"), { DSP_HISTORY_RETENTION_DAYS: "30" }), 365 * DAY);
  });

  it("the spec's value wins over stack config and the environment", () => {
    assert.equal(resolveHistoryRetentionMs(lookup("365"), { DSP_HISTORY_RETENTION_DAYS: "30" }, 7), 7 * DAY);
    assert.equal(resolveHistoryRetentionMs(lookup(undefined), {}, 3650), 3650 * DAY);
    // An unusable stack value does not matter when the spec sets one.
    assert.equal(resolveHistoryRetentionMs(lookup("lots"), {}, 14), 14 * DAY);
  });

  it("the schema states the same default and bounds", () => {
    const settings = (SPEC_SCHEMA as { $defs: { Settings: { properties: Record<string, { default?: unknown; minimum?: number; maximum?: number }> } } }).$defs.Settings;
    const days = settings.properties.historyRetentionDays;
    assert.deepEqual([days?.default, days?.minimum, days?.maximum], [DEFAULT_HISTORY_RETENTION_DAYS, 1, MAX_HISTORY_RETENTION_DAYS]);
  });

  for (const bad of ["0", "-5", "1.5", "lots", "3651", "90d", "1e3"]) {
    it(`refuses ${JSON.stringify(bad)} with one message naming the setting`, () => {
      assert.throws(() => resolveHistoryRetentionMs(lookup(bad), {}), (error: unknown) => error instanceof Error && /^dsp:historyRetentionDays must be a whole number of days from 1 to 3650 \(got "/.test(error.message));
    });
  }

  for (const bad of [0, 1.5, 3651, Number.NaN]) {
    it(`refuses ${bad} from a resource's inputs, naming the spec setting`, () => {
      assert.throws(() => resolveHistoryRetentionMs(lookup(undefined), {}, bad), /^Error: settings\.historyRetentionDays must be a whole number of days from 1 to 3650/);
    });
  }
});
