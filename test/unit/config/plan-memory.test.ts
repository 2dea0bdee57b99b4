import { strict as assert } from "node:assert";
import { DEFAULT_PLAN_MEMORY_MB, resolvePlanMemoryBytes } from "../../../provider/config/plan-memory";

describe("dsp:planMemoryMB", () => {
  const lookup = (value: string | undefined) => (key: string) => (key === "dsp:planMemoryMB" ? value : undefined);

  it("defaults to 768 MB, and takes stack config before the environment", () => {
    assert.equal(resolvePlanMemoryBytes(lookup(undefined), {}), DEFAULT_PLAN_MEMORY_MB * 1e6);
    assert.equal(resolvePlanMemoryBytes(lookup(undefined), { DSP_PLAN_MEMORY_MB: "64" }), 64e6);
    assert.equal(resolvePlanMemoryBytes(lookup("2048"), { DSP_PLAN_MEMORY_MB: "64" }), 2048e6);
  });

  for (const bad of ["0", "-5", "1.5", "lots", "1e3", "768MB", "99999999999999999999"]) {
    it(`refuses ${JSON.stringify(bad)} with one message naming the setting, never a silently changed value`, () => {
      assert.throws(() => resolvePlanMemoryBytes(lookup(bad), {}), (error: unknown) => error instanceof Error && /^dsp:planMemoryMB must be a whole number of megabytes, at least 1 \(got "/.test(error.message));
    });
  }
});
