import assert from "node:assert/strict";
import { ConcurrencyLimiter, DEFAULT_LANE_LIMITS, Lane, TokenBucket, createLanes, resolveLaneLimits } from "../../../provider/client/throttle";
import { FakeClock, seededRandom } from "../../support/fake-clock";

describe("throttling", () => {
  describe("TokenBucket", () => {
    it("spaces requests exactly 1/rate apart with burst 1", () => {
      const bucket = new TokenBucket(100, 1, new FakeClock());
      const starts = Array.from({ length: 5 }, () => bucket.reserve(0));
      assert.deepEqual(starts, [0, 10, 20, 30, 40]);
    });

    it("lets `burst` requests start together, then spaces the rest", () => {
      const bucket = new TokenBucket(1, 3, new FakeClock());
      assert.deepEqual(
        Array.from({ length: 5 }, () => bucket.reserve(0)),
        [0, 0, 0, 1000, 2000],
      );
    });

    it("refills while idle but never above the burst", () => {
      const bucket = new TokenBucket(1, 2, new FakeClock());
      assert.deepEqual([bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)], [0, 0, 1000]);
      // 10 s idle: only 2 back-to-back starts, not 10.
      assert.deepEqual([bucket.reserve(12_000), bucket.reserve(12_000), bucket.reserve(12_000)], [12_000, 12_000, 13_000]);
    });

    it("holds every start until the hold ends, then resumes spacing", () => {
      const bucket = new TokenBucket(10, 1, new FakeClock());
      bucket.reserve(0);
      bucket.holdUntil(5000);
      assert.deepEqual([bucket.reserve(100), bucket.reserve(100)], [5000, 5100]);
    });

    it("take() waits in virtual time and reports the wait", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const bucket = new TokenBucket(2, 1, clock);
      const waits = await Promise.all([bucket.take(), bucket.take(), bucket.take()]);
      assert.deepEqual(waits, [0, 500, 1000]);
      assert.equal(clock.now(), 1000);
    });

    it("late timers delay requests instead of bunching them (≤ rate in any 1 s window), without losing pace", async () => {
      const fake = new FakeClock({ startMs: 0 });
      const lateWakes = seededRandom(9);
      let sleeps = 0;
      // Every sleep wakes 0–3 ms late, and every 50th one 40 ms late (a GC pause, say).
      const lateClock = { ...fake, now: () => fake.now(), random: () => fake.random(), sleep: (ms: number) => fake.sleep(ms + lateWakes() * 3 + (++sleeps % 50 === 0 ? 40 : 0)) };
      const bucket = new TokenBucket(100, 1, lateClock);
      const starts: number[] = [];
      await Promise.all(Array.from({ length: 500 }, () => bucket.take().then(() => starts.push(fake.now()))));
      starts.sort((a, b) => a - b);
      let maxInWindow = 0;
      for (let end = 0, start = 0; end < starts.length; end++) {
        while ((starts[end] ?? 0) - (starts[start] ?? 0) >= 1000) start++;
        maxInWindow = Math.max(maxInWindow, end - start + 1);
      }
      assert.ok(maxInWindow <= 100, `${maxInWindow} starts within 1 s`);
      assert.ok((starts.at(-1) ?? 0) < 5100, `500 requests took ${starts.at(-1)} ms at 100 req/s`);
    });

    it("take() honours a hold that arrives while sleeping", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const bucket = new TokenBucket(1, 1, clock);
      await bucket.take();
      const second = bucket.take(); // reserved for t=1000
      bucket.holdUntil(4000);
      await second;
      assert.equal(clock.now(), 4000);
    });
  });

  describe("ConcurrencyLimiter", () => {
    it("admits at most N at once, FIFO", async () => {
      const limiter = new ConcurrencyLimiter(2);
      const order: string[] = [];
      await limiter.acquire();
      await limiter.acquire();
      const third = limiter.acquire().then(() => order.push("third"));
      const fourth = limiter.acquire().then(() => order.push("fourth"));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(order, []);
      assert.equal(limiter.active, 2);
      limiter.release();
      await third;
      limiter.release();
      await fourth;
      assert.deepEqual(order, ["third", "fourth"]);
      limiter.release();
      limiter.release();
      assert.equal(limiter.active, 0);
    });
  });

  describe("Lane", () => {
    it("never exceeds its rate nor its concurrency", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const lane = new Lane("audienceMembership", { ratePerSecond: 100, burst: 1, maxConcurrency: 3, spacingMarginMs: 0 }, clock);
      let inFlight = 0;
      let maxInFlight = 0;
      const starts: number[] = [];
      await Promise.all(
        Array.from({ length: 50 }, () =>
          lane.run(async () => {
            starts.push(clock.now());
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            await clock.sleep(25); // each request takes 25 ms
            inFlight--;
          }),
        ),
      );
      assert.equal(maxInFlight, 3);
      for (let i = 1; i < starts.length; i++) assert.ok((starts[i] ?? 0) - (starts[i - 1] ?? 0) >= 10, `starts ${i - 1},${i} closer than 10 ms`);
    });

    it("reports how long a call queued", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const lane = new Lane("metadata", { ratePerSecond: 1, burst: 1, maxConcurrency: 2, spacingMarginMs: 0 }, clock);
      const waits: number[] = [];
      await Promise.all([1, 2, 3].map(() => lane.run(async () => undefined, { onWait: (ms) => waits.push(ms) })));
      assert.deepEqual(waits, [1000, 2000]);
    });

    it("adds the spacing margin to every interval", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const lane = new Lane("users", { ratePerSecond: 1, burst: 1, maxConcurrency: 1, spacingMarginMs: 25 }, clock);
      const starts: number[] = [];
      await Promise.all([1, 2, 3].map(() => lane.run(async () => starts.push(clock.now()))));
      assert.deepEqual(starts, [0, 1025, 2050]);
    });

    it("widens its spacing after a 429 and narrows it back after accepted requests", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const lane = new Lane("metadata", resolveLaneLimits().metadata, clock);
      const starts: number[] = [];
      // The server refuses the second request; the lane hears every answer.
      const send = (status: number) => lane.run(async () => { starts.push(clock.now()); lane.noteStatus(status); });
      for (const status of [200, 429, 200, 200]) await send(status);
      // The widened margin applies from the next start on: 1000 + 65, then 1000 + 64.
      assert.deepEqual(starts, [0, 1015, 2080, 3144]);
      assert.equal(lane.spacingMarginMs, 63); // 15 → 65 on the 429, −1 per accepted request since
      for (let i = 0; i < 100; i++) await send(200);
      assert.equal(lane.spacingMarginMs, 15);
      assert.equal((starts.at(-1) ?? 0) - (starts.at(-2) ?? 0), 1015);
    });

    it("prepares (e.g. fetches a token) before taking the rate slot, so preparation does not shrink the spacing", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const lane = new Lane("metadata", { ratePerSecond: 1, burst: 1, maxConcurrency: 2, spacingMarginMs: 0 }, clock);
      const starts: number[] = [];
      let prepared = 0;
      const slowFirstPreparation = async (): Promise<void> => {
        if (prepared++ === 0) await clock.sleep(300); // the first token fetch takes 300 ms
      };
      await Promise.all([1, 2].map(() => lane.run(async () => starts.push(clock.now()), { beforeRateSlot: slowFirstPreparation })));
      assert.ok((starts[1] ?? 0) - (starts[0] ?? 0) >= 1000, `sends ${starts.join(", ")} closer than 1 s`);
    });
  });

  describe("lane configuration", () => {
    it("defaults to Amazon's documented TPS and enough patch concurrency", () => {
      assert.equal(DEFAULT_LANE_LIMITS.metadata.ratePerSecond, 1);
      assert.equal(DEFAULT_LANE_LIMITS.users.ratePerSecond, 1);
      assert.equal(DEFAULT_LANE_LIMITS.audienceMembership.ratePerSecond, 100);
      assert.equal(DEFAULT_LANE_LIMITS.hashedRecords.ratePerSecond, 5);
      assert.ok(DEFAULT_LANE_LIMITS.audienceMembership.maxConcurrency >= 16);
    });

    it("merges overrides and rejects invalid limits", () => {
      const limits = resolveLaneLimits({ audienceMembership: { ratePerSecond: 50 } });
      assert.deepEqual(limits.audienceMembership, { ...DEFAULT_LANE_LIMITS.audienceMembership, ratePerSecond: 50 });
      assert.throws(() => resolveLaneLimits({ users: { ratePerSecond: 0 } }), /throttle.users.ratePerSecond/);
      assert.throws(() => resolveLaneLimits({ users: { maxConcurrency: 1.5 } }), /throttle.users.maxConcurrency/);
      assert.throws(() => resolveLaneLimits({ metadata: { burst: 0 } }), /throttle.metadata.burst/);
      assert.throws(() => resolveLaneLimits({ metadata: { spacingMarginNarrowMs: -1 } }), /throttle.metadata.spacingMarginNarrowMs/);
      assert.throws(() => resolveLaneLimits({ metadata: { spacingMarginMs: 50, maxSpacingMarginMs: 20 } }), /throttle.metadata.maxSpacingMarginMs must be at least spacingMarginMs/);
    });

    it("starts the 1 req/s lanes with a small adaptive margin, and lifts the default cap over a raised start", () => {
      assert.equal(DEFAULT_LANE_LIMITS.metadata.spacingMarginMs, 15);
      assert.equal(DEFAULT_LANE_LIMITS.metadata.maxSpacingMarginMs, 400);
      assert.equal(resolveLaneLimits({ users: { spacingMarginMs: 500 } }).users.maxSpacingMarginMs, 500);
      assert.equal(resolveLaneLimits({ users: { spacingMarginMs: 0 } }).users.maxSpacingMarginMs, 400);
    });

    it("gives every client its own lanes (no module-level state)", async () => {
      const clock = new FakeClock({ startMs: 0 });
      const first = createLanes(resolveLaneLimits(), clock);
      const second = createLanes(resolveLaneLimits(), clock);
      await first.metadata.run(async () => undefined);
      const waits: number[] = [];
      await second.metadata.run(async () => undefined, { onWait: (ms) => waits.push(ms) });
      assert.deepEqual(waits, []); // the first client's request did not use the second's token
    });
  });
});
