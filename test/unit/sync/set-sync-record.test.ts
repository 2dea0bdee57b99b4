import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as fc from "fast-check";
import { idSetFrom, planMembership } from "../../../provider/plan";
import { describePlan } from "../../../provider/membership/membership-provider";
import { planningBase, resolveSet, unionOf, wantedInDoubt } from "../../../provider/sync/set-sync-record";
import { writeMembershipRecord, readMembershipRecord } from "../../../provider/membership/membership-record";
import { FileSnapshotStore } from "../../../provider/snapshots";

describe("membership sync records", () => {
  it("planningBase re-sends every in-doubt ID in the direction the desired set wants, and the rest as a plain diff", () => {
    const universe = Array.from({ length: 12 }, (_, i) => `id${i}`);
    const subset = fc.subarray(universe);
    fc.assert(
      fc.property(subset, subset, subset, (applied, desired, doubt) => {
        const d = idSetFrom(desired);
        const inDoubt = idSetFrom(doubt);
        const plan = planMembership(planningBase(idSetFrom(applied), inDoubt, d), d);
        const adds = new Set(plan.adds.toArray());
        const removes = new Set(plan.removes.toArray());
        for (const id of universe) {
          const wanted = desired.includes(id);
          const expectAdd = doubt.includes(id) ? wanted : wanted && !applied.includes(id);
          const expectRemove = doubt.includes(id) ? !wanted : !wanted && applied.includes(id);
          assert.equal(adds.has(id), expectAdd, `add ${id}`);
          assert.equal(removes.has(id), expectRemove, `remove ${id}`);
        }
        assert.equal(wantedInDoubt(inDoubt, d), doubt.filter((id) => desired.includes(id)).length);
      }),
    );
  });

  it("describePlan states every add and remove the up sends, and which of them are re-sends, by direction", () => {
    assert.equal(describePlan("vip", "COOKIE", { addCount: 1234, removeCount: 56, unchangedCount: 4000 }), "vip COOKIE: +1,234 −56 IDs (4,000 unchanged)");
    assert.equal(
      describePlan("vip", "COOKIE", { addCount: 2234, removeCount: 56, unchangedCount: 4000, inDoubt: { count: 2010, wanted: 2000 } }),
      "vip COOKIE: +2,234 −56 IDs (4,000 unchanged; 2,010 of them re-sent after an interrupted up: +2,000 −10)",
    );
  });

  it("a record the state does not reflect wins: 'sending' puts the whole attempt in doubt, 'answered' gives what was proved", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dsp-records-"));
    try {
      const store = new FileSnapshotStore(dir);
      const base = await store.put(idSetFrom(["a", "b"]));
      const desired = await store.put(idSetFrom(["b", "c"]));
      const prior = await store.put(idSetFrom(["x"]));
      assert.equal(await readMembershipRecord(store, "7", "COOKIE"), undefined);
      const common = { audienceId: "7", idType: "COOKIE" as const, owner: "m" };
      await writeMembershipRecord(store, { ...common, attempt: "A", stage: "sending", baseDigest: base, desiredDigest: desired, priorInDoubtDigest: prior });
      const held = { appliedDigest: base, syncAttempt: "older" };
      const sending = await resolveSet(store, held, await readMembershipRecord(store, "7", "COOKIE"));
      assert.deepEqual(sending.inDoubt.toArray().sort(), ["a", "c", "x"]);
      assert.equal(sending.appliedDigest, base);
      await writeMembershipRecord(store, { ...common, attempt: "A", stage: "answered", appliedDigest: desired, inDoubtCount: 0 });
      const answered = await resolveSet(store, held, await readMembershipRecord(store, "7", "COOKIE"));
      assert.equal(answered.appliedDigest, desired);
      assert.equal(answered.inDoubt.size, 0);
      const settled = await resolveSet(store, { appliedDigest: base, syncAttempt: "A" }, await readMembershipRecord(store, "7", "COOKIE"));
      assert.equal(settled.appliedDigest, base, "the state reflects attempt A: the state wins");
      assert.equal(settled.unsettled, undefined);
      assert.ok(fs.existsSync(path.join(dir, "records", "membership-7-COOKIE.json")));
      await assert.rejects(store.writeRecord("../x", {}), /not a record name/);
      assert.deepEqual(unionOf([idSetFrom(["a"]), planMembership(idSetFrom(["a", "z"]), idSetFrom([])).removes]).toArray().sort(), ["a", "z"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
