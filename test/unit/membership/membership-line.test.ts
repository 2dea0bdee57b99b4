import { strict as assert } from "assert";
import { parseMembershipLine } from "../../../provider/membership/membership-line";
import { describePlan } from "../../../provider/membership/membership-line";

describe("membership plan lines", () => {
  it("reads back exactly what the provider logs (describePlan), including thousands separators", () => {
    const cases = [
      { addCount: 0, removeCount: 0, unchangedCount: 0 },
      { addCount: 1_000_000, removeCount: 12, unchangedCount: 4_321_987 },
      { addCount: 50, removeCount: 101, unchangedCount: 1_399 },
    ];
    for (const plan of cases) {
      for (const idType of ["COOKIE", "MAID", "EXTERNAL_USER_ID"]) {
        const line = describePlan("loyal-customers-2026", idType, plan);
        assert.deepEqual(parseMembershipLine(line + "\n"), {
          label: "loyal-customers-2026",
          idType,
          adds: plan.addCount,
          removes: plan.removeCount,
          unchanged: plan.unchangedCount,
          reassert: false,
          resentAdds: 0,
          resentRemoves: 0,
        });
      }
    }
  });

  it("reads what the up sends, and the re-sends among it by direction", () => {
    const line = describePlan("vip", "COOKIE", { addCount: 2010, removeCount: 48_005, unchangedCount: 20_000, inDoubt: { count: 50_000, wanted: 2000 } });
    assert.equal(line, "vip COOKIE: +2,010 −48,005 IDs (20,000 unchanged; 50,000 of them re-sent after an interrupted up: +2,000 −48,000)");
    assert.deepEqual(parseMembershipLine(line), { label: "vip", idType: "COOKIE", adds: 2010, removes: 48_005, unchanged: 20_000, reassert: false, resentAdds: 2000, resentRemoves: 48_000 });
    const withSources = describePlan("vip", "MAID", { addCount: 7, removeCount: 0, unchangedCount: 1, inDoubt: { count: 3, wanted: 3 }, suppressed: 2, skipped: 1 }, true);
    assert.deepEqual(parseMembershipLine(withSources), { label: "vip", idType: "MAID", adds: 7, removes: 0, unchanged: 1, reassert: true, resentAdds: 3, resentRemoves: 0, suppressed: 2, skipped: 1 });
  });

  it("reads the suppressed and skipped counts of sources (issue 15)", () => {
    const line = describePlan("vip", "MAID", { addCount: 12, removeCount: 3, unchangedCount: 4000, suppressed: 1234, skipped: 2 });
    assert.equal(line, "vip MAID: +12 −3 IDs (4,000 unchanged; 1,234 suppressed; 2 invalid rows skipped)");
    assert.deepEqual(parseMembershipLine(line), { label: "vip", idType: "MAID", adds: 12, removes: 3, unchanged: 4000, reassert: false, resentAdds: 0, resentRemoves: 0, suppressed: 1234, skipped: 2 });
  });

  it("marks a re-assert, as the provider words it", () => {
    const line = describePlan("vip", "MAID", { addCount: 5, removeCount: 0, unchangedCount: 0 }) + " (re-assert: every desired ID is sent again)";
    assert.equal(parseMembershipLine(line)?.reassert, true);
  });

  it("ignores every other message", () => {
    for (const message of [
      "vip COOKIE: sent +5 −0 in 1 requests",
      "vip COOKIE: cannot plan: Applied-set snapshot abc not found",
      "vip COOKI: +1 −0 IDs (0 unchanged)",
      "Applied-set snapshots are kept in /x, which does not follow the state backend",
      "",
    ]) {
      assert.equal(parseMembershipLine(message), undefined, message);
    }
  });
});
