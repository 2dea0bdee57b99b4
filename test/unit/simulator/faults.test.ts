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
