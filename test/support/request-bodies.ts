/** Checks every packed body the way a server would see it: its byte count, its limit, valid JSON. */
import assert from "node:assert/strict";
import type { RequestBatch } from "../../provider/client";

export function assertWithinLimits(batches: readonly RequestBatch[], maxBodyBytes: number): void {
  for (const batch of batches) {
    assert.equal(batch.body.length, batch.bytes, "bytes must match the body");
    assert.ok(batch.bytes <= maxBodyBytes, `body of ${batch.bytes} bytes exceeds ${maxBodyBytes}`);
    JSON.parse(batch.body.toString("utf8")); // always valid JSON
  }
}
