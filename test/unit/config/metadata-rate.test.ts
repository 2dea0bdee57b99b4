import { strict as assert } from "node:assert";
import { resolveMetadataLane } from "../../../provider/config/metadata-rate";

describe("dsp:metadataRequestsPerSecond", () => {
  const lookup = (value: string | undefined) => (key: string) => (key === "dsp:metadataRequestsPerSecond" ? value : undefined);

  it("leaves the client's lane (Amazon's 1 request/s) alone when unset", () => {
    assert.equal(resolveMetadataLane(lookup(undefined), {}), undefined);
  });

  it("takes stack config before the environment, and scales the adaptive margin with the interval", () => {
    const margins = (share: number) => ({ spacingMarginMs: 15 * share, maxSpacingMarginMs: 400 * share, spacingMarginWidenMs: 50 * share, spacingMarginNarrowMs: share });
    assert.deepEqual(resolveMetadataLane(lookup(undefined), { DSP_METADATA_REQUESTS_PER_SECOND: "1" }), { ratePerSecond: 1, ...margins(1), maxConcurrency: 2 });
    assert.deepEqual(resolveMetadataLane(lookup("50"), { DSP_METADATA_REQUESTS_PER_SECOND: "1" }), { ratePerSecond: 50, ...margins(1 / 50), maxConcurrency: 32 });
    assert.deepEqual(resolveMetadataLane(lookup("2.5"), {}), { ratePerSecond: 2.5, ...margins(1 / 2.5), maxConcurrency: 3 });
  });

  for (const bad of ["0", "-1", "fast", "1e3", "Infinity", "10/s"]) {
    it(`refuses ${JSON.stringify(bad)} with one message naming the setting`, () => {
      assert.throws(() => resolveMetadataLane(lookup(bad), {}), /^Error: dsp:metadataRequestsPerSecond must be a number of requests per second above 0 \(got "/);
    });
  }
});
