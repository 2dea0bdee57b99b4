import { strict as assert } from "node:assert";
import { Throttle, TokenBucket } from "../../../simulator/throttle";

describe("simulator/throttle", () => {
  it("TokenBucket starts full, refills continuously and reports the wait", () => {
    const bucket = new TokenBucket(2, 2, 0);
    assert.equal(bucket.take(0), 0);
    assert.equal(bucket.take(0), 0);
    assert.equal(bucket.take(0), 500);
    assert.equal(bucket.take(250), 250);
    assert.equal(bucket.take(500), 0);
    assert.equal(bucket.take(10_000), 0);
    assert.equal(bucket.take(10_000), 0);
    assert.equal(bucket.take(10_000), 500, "capacity caps the refill");
  });

  it("1 TPS with the default burst admits at most one request in any 1 s window", () => {
    let now = 0;
    const throttle = new Throttle(() => now);
    const admitted: number[] = [];
    for (now = 0; now < 10_000; now += 7) if (throttle.check("m", "c", 1, 0).ok) admitted.push(now);
    assert.equal(admitted.length, 10);
    admitted.forEach((t, i) => i > 0 && assert.ok(t - (admitted[i - 1] as number) >= 1000));
  });

  it("answers Retry-After in whole seconds, at least 1", () => {
    let now = 0;
    const throttle = new Throttle(() => now);
    throttle.check("u", "c", 0.1, 0);
    assert.deepEqual(throttle.check("u", "c", 0.1, 0), { ok: false, retryAfterSeconds: 10 });
    now = 9_001;
    assert.deepEqual(throttle.check("u", "c", 0.1, 0), { ok: false, retryAfterSeconds: 1 });
    const fast = new Throttle(() => 0);
    for (let i = 0; i < 100; i++) assert.ok(fast.check("a", "c", 100, 0).ok);
    assert.deepEqual(fast.check("a", "c", 100, 0), { ok: false, retryAfterSeconds: 1 });
  });

  it("keys buckets by family and client id; a rate of 0 or Infinity is unlimited", () => {
    const throttle = new Throttle(() => 0);
    assert.ok(throttle.check("m", "a", 1, 0).ok);
    assert.ok(!throttle.check("m", "a", 1, 0).ok);
    assert.ok(throttle.check("m", "b", 1, 0).ok);
    assert.ok(throttle.check("u", "a", 1, 0).ok);
    for (let i = 0; i < 1000; i++) assert.ok(throttle.check("z", "a", 0, 0).ok && throttle.check("y", "a", Infinity, 0).ok);
  });
});
