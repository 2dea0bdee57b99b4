import { strict as assert } from "node:assert";
import { createMatchModel, matchScore } from "../../../simulator/match-model";

describe("simulator/match-model", () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => `id-${i}`);

  it("matches about the configured share of cookies and MAIDs", () => {
    const model = createMatchModel("seed", { cookie: 0.7, maid: 0.8 });
    const cookies = ids.filter((v) => model.matches("COOKIE", v)).length / ids.length;
    const maids = ids.filter((v) => model.matches("MAID", v)).length / ids.length;
    assert.ok(Math.abs(cookies - 0.7) < 0.015, String(cookies));
    assert.ok(Math.abs(maids - 0.8) < 0.015, String(maids));
  });

  it("is deterministic per seed, differs across seeds, and agrees with the documented score", () => {
    const a = createMatchModel("seed", { cookie: 0.5, maid: 0.5 });
    const b = createMatchModel("other", { cookie: 0.5, maid: 0.5 });
    const pick = (m: typeof a): boolean[] => ids.slice(0, 200).map((v) => m.matches("COOKIE", v));
    assert.deepEqual(pick(a), pick(createMatchModel("seed", { cookie: 0.5, maid: 0.5 })));
    assert.notDeepEqual(pick(a), pick(b));
    for (const v of ["x", "é", "EMpBAI0GRcK4nBNGpPGg5g"]) assert.equal(a.matches("COOKIE", v), matchScore("seed", "COOKIE", v) < 0.5);
  });

  it("scores a value the same from bytes as from a string", () => {
    const m = createMatchModel("s", { cookie: 0.5, maid: 0.5 });
    const body = Buffer.from("xx/MAID-日本-id/xx");
    const start = body.indexOf("日");
    const end = body.indexOf("/xx");
    assert.equal(m.matchesBytes("MAID", body, start, end), m.matches("MAID", "日本-id"));
  });

  it("matches nothing at rate 0 and everything at rate 1", () => {
    const none = createMatchModel("s", { cookie: 0, maid: 0 });
    const all = createMatchModel("s", { cookie: 1, maid: 1 });
    assert.ok(ids.slice(0, 500).every((v) => !none.matches("COOKIE", v) && all.matches("MAID", v)));
  });
});
