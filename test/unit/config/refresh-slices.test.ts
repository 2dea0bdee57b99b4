import { strict as assert } from "node:assert";
import { resolveRefreshSlicing } from "../../../provider/config/refresh-slices";

describe("dsp:refreshSlices", () => {
  const lookup = (value: string | undefined) => (key: string) => (key === "dsp:refreshSlices" ? value : undefined);

  it("reads every audience when unset or 1", () => {
    assert.equal(resolveRefreshSlicing(lookup(undefined), {}), undefined);
    assert.equal(resolveRefreshSlicing(lookup("1"), {}), undefined);
  });

  it("takes N slices a day by default, or an hour, config before the environment", () => {
    assert.deepEqual(resolveRefreshSlicing(lookup("7"), { DSP_REFRESH_SLICES: "2" }), { slices: 7, periodMs: 86_400_000, period: "day" });
    assert.deepEqual(resolveRefreshSlicing(lookup(undefined), { DSP_REFRESH_SLICES: "24/hour" }), { slices: 24, periodMs: 3_600_000, period: "hour" });
    assert.deepEqual(resolveRefreshSlicing(lookup("7 / day"), {}), { slices: 7, periodMs: 86_400_000, period: "day" });
  });

  for (const bad of ["0", "-2", "1.5", "seven", "7/week", "367"]) {
    it(`refuses ${JSON.stringify(bad)} with one message naming the setting`, () => {
      assert.throws(() => resolveRefreshSlicing(lookup(bad), {}), /^Error: dsp:refreshSlices must be a whole number of slices from 1 to 366, optionally "\/day" or "\/hour" \(got "/);
    });
  }
});
