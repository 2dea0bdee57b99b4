import { strict as assert } from "node:assert";
import { idSetFrom, membershipOps, planMembership } from "../../../provider/plan";

describe("membershipOps", () => {
  const plan = planMembership(idSetFrom(["keep", "old1", "old2"]), idSetFrom(["keep", "new1"]));

  it("yields the adds, then the removes, with type and audiences", () => {
    const ops = [...membershipOps(plan, { type: "MAID", audienceIds: ["72057594038053890", "2"] })];
    const removed = plan.removes.toArray();
    assert.deepEqual([...removed].sort(), ["old1", "old2"]);
    assert.deepEqual(
      ops.map(({ op, type, value }) => ({ op, type, value })),
      [
        { op: "add", type: "MAID", value: "new1" },
        ...removed.map((value) => ({ op: "remove", type: "MAID", value })),
      ],
    );
    assert.equal(ops.length, plan.addCount + plan.removeCount);
    for (const op of ops) assert.deepEqual(op.audienceIds, ["72057594038053890", "2"]);
  });

  it("shares one frozen audience list between ops instead of copying it per op", () => {
    const audienceIds = ["1"];
    const [first, second] = [...membershipOps(plan, { type: "COOKIE", audienceIds })];
    assert.ok(first && second);
    assert.equal(first.audienceIds, second.audienceIds);
    assert.notEqual(first.audienceIds, audienceIds);
    assert.ok(Object.isFrozen(first.audienceIds));
  });

  it("needs at least one audience", () => {
    assert.throws(() => membershipOps(plan, { type: "COOKIE", audienceIds: [] }), /at least one audience/);
  });
});
