import { strict as assert } from "node:assert";
import { FaultInjector, checkFaultOptions, mulberry32 } from "../../../simulator/faults";

describe("simulator/faults", () => {
  it("mulberry32 is deterministic per seed and uniform enough", () => {
    const a = mulberry32(5);
    const b = mulberry32(5);
    const xs = Array.from({ length: 10_000 }, () => a());
    assert.deepEqual(Array.from({ length: 10_000 }, () => b()), xs);
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - 0.5) < 0.02, String(mean));
    assert.notDeepEqual(Array.from({ length: 10 }, mulberry32(6)), xs.slice(0, 10));
  });

  it("decides faults at the configured shares, reproducibly", () => {
    const run = (seed: number): string[] => {
      const f = new FaultInjector({ seed, dropRate: 0.1, rate429: 0.2, rate5xx: 0.1 });
      return Array.from({ length: 10_000 }, () => f.decide("/v2/dp/audience").kind);
    };
    const kinds = run(9);
    const share = (k: string): number => kinds.filter((x) => x === k).length / kinds.length;
    assert.ok(Math.abs(share("drop") - 0.1) < 0.015);
    assert.ok(Math.abs(share("429") - 0.2) < 0.02);
    assert.ok(Math.abs(share("500") + share("503") - 0.1) < 0.015);
    assert.ok(share("500") > 0.03 && share("503") > 0.03);
    assert.deepEqual(run(9), kinds);
  });

  it("only faults the configured path prefixes, and set() restarts the sequence", () => {
    const f = new FaultInjector({ rate429: 1, paths: ["/dp/records"] });
    assert.equal(f.decide("/v2/dp/audience").kind, "none");
    assert.equal(f.decide("/dp/records/hashed").kind, "429");
    f.set({ seed: 3, rate429: 0.5 });
    const first = Array.from({ length: 20 }, () => f.decide("/x").kind);
    f.set({ seed: 3, rate429: 0.5 });
    assert.deepEqual(Array.from({ length: 20 }, () => f.decide("/x").kind), first);
  });

  it("marks 5xx decisions applyThenFail only when asked", () => {
    assert.equal(new FaultInjector({ rate5xx: 1, applyThenFail: true }).decide("/x").applyThenFail, true);
    assert.equal(new FaultInjector({ rate5xx: 1 }).decide("/x").applyThenFail, false);
    assert.equal(new FaultInjector({ rate429: 1, applyThenFail: true }).decide("/x").applyThenFail, false);
  });

  it("routes target one route exactly: /v2/dp/audience is not /v2/dp/audiencemetadata", () => {
    const f = new FaultInjector({ rate5xx: 1, routes: ["PATCH /v2/dp/audience"] });
    assert.equal(f.decide("/v2/dp/audiencemetadata", "POST").kind, "none");
    assert.equal(f.decide("/v2/dp/audiencemetadata/7", "PUT").kind, "none");
    assert.equal(f.decide("/v2/dp/audience", "GET").kind, "none", "another method");
    assert.match(f.decide("/v2/dp/audience", "PATCH").kind, /^50[03]$/);
    const anyMethod = new FaultInjector({ rate429: 1, routes: ["/v2/dp/audiencemetadata/"] });
    assert.equal(anyMethod.decide("/v2/dp/audiencemetadata", "POST").kind, "429", "a trailing slash does not count");
    assert.equal(anyMethod.decide("/v2/dp/audiencemetadata/7", "GET").kind, "none");
    // The prefix rule (paths) still matches both, as before.
    assert.equal(new FaultInjector({ rate429: 1, paths: ["/v2/dp/audience"] }).decide("/v2/dp/audiencemetadata", "POST").kind, "429");
  });

  it("count: faults exactly the next n matching requests, then the rule is spent", () => {
    const f = new FaultInjector({ rate5xx: 1, applyThenFail: true, count: 3, routes: ["PATCH /v2/dp/audience"] });
    assert.equal(f.remaining, 3);
    assert.equal(f.decide("/v2/dp/audiencemetadata", "POST").kind, "none", "not counted: another route");
    const kinds = Array.from({ length: 5 }, () => f.decide("/v2/dp/audience", "PATCH"));
    assert.deepEqual(kinds.map((k) => k.applyThenFail), [true, true, true, false, false]);
    assert.deepEqual(kinds.slice(3).map((k) => k.kind), ["none", "none"]);
    assert.equal(f.remaining, 0);
    f.set({ rate5xx: 1 });
    assert.equal(f.remaining, undefined, "no count, no limit");
    // With a share below 1, only requests that get a fault count.
    const half = new FaultInjector({ seed: 4, rate429: 0.5, count: 10 });
    const seen = Array.from({ length: 200 }, () => half.decide("/x", "GET").kind);
    assert.equal(seen.filter((k) => k === "429").length, 10);
    // A latency-only rule counts delayed requests.
    const slow = new FaultInjector({ latencyMs: 50, count: 2 });
    assert.deepEqual(Array.from({ length: 3 }, () => slow.decide("/x", "GET").latencyMs), [50, 50, 0]);
  });

  const problems: Array<[unknown, RegExp | undefined]> = [
    [{}, undefined],
    [{ seed: 1, rate429: 0.5, rate5xx: 0.5, latencyMs: 10, dropRate: 0, paths: ["/v2"], applyThenFail: true }, undefined],
    [{ rate429: 1.5 }, /rate429/],
    [{ rate5xx: -0.1 }, /rate5xx/],
    [{ rate429: 0.5, dropRate: 0.6 }, /must not exceed 1/],
    [{ seed: 1.5 }, /seed/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ paths: [1] }, /paths/],
    [{ applyThenFail: "yes" }, /applyThenFail/],
    [{ routes: ["PATCH /v2/dp/audience", "/v2/dp/users"], count: 0 }, undefined],
    [{ routes: ["v2/dp/audience"] }, /routes must be/],
    [{ routes: "PATCH /v2/dp/audience" }, /routes must be/],
    [{ count: -1 }, /count must be/],
    [{ count: 1.5 }, /count must be/],
    [{ rate: 1 }, /unknown fault option 'rate'/],
    [[], /object/],
  ];
  for (const [input, problem] of problems) {
    it(`checkFaultOptions(${JSON.stringify(input)})`, () => {
      const result = checkFaultOptions(input);
      if (problem) assert.match(result ?? "", problem);
      else assert.equal(result, undefined);
    });
  }
});
