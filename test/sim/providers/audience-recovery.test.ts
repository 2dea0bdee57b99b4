/**
 * The audience provider after interrupted ups, called as the engine would, against the
 * in-process simulator: metadata PUTs whose answer was lost, and creates the state never recorded.
 */
import { strict as assert } from "node:assert";
import { audienceProvider, type AudienceOutputs } from "../../../provider/providers/audience-provider";
import { PartialStateError } from "../../../provider/providers/partial-state-error";
import { MembershipHarness, audienceInputsMaker } from "../../support/membership-harness";

describe("audience provider: recovery after interrupted ups", function () {
  this.timeout(30_000);
  const h = new MembershipHarness();
  before(() => h.start());
  after(() => h.stop());
  afterEach(() => h.sim.setFaults({}));

  const inputs = audienceInputsMaker("recovery", "Recovery audience");

  it("a PUT applied and answered 500, then the spec is reverted: the next up sends the reverted values again", async () => {
    const v1 = inputs();
    const created = await audienceProvider.create(v1);
    let held = created.outs as AudienceOutputs;
    const v2 = { ...v1, description: "second", ttl: 2000 };
    h.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["/v2/dp/audiencemetadata/" + created.id], count: 1 });
    await assert.rejects(audienceProvider.update!(created.id, held, v2), (e: unknown) => {
      assert.ok(e instanceof PartialStateError);
      assert.match(e.message, /updating description, ttl failed and may or may not have been applied/);
      held = e.properties as AudienceOutputs;
      return true;
    });
    assert.equal(h.sim.store.getAudience(created.id)?.description, "second", "Amazon applied it");
    assert.deepEqual(held.metadataInDoubt, ["description", "ttl"]);
    // Reverted: the spec equals the state's values, yet both fields are sent again.
    const diff = await audienceProvider.diff!(created.id, held, v1);
    assert.equal(diff.changes, true);
    held = (await audienceProvider.update!(created.id, held, v1)).outs as AudienceOutputs;
    assert.equal(h.sim.store.getAudience(created.id)?.description, "first");
    assert.equal(h.sim.store.getAudience(created.id)?.ttl, 1000);
    assert.equal((await audienceProvider.diff!(created.id, held, v1)).changes, false);
  });

  it("a PUT killed in flight (no state written) is found by the next diff through its record", async () => {
    const v1 = inputs();
    const created = await audienceProvider.create(v1);
    const held = created.outs as AudienceOutputs;
    h.sim.setFaults({ dropRate: 1, routes: ["PUT /v2/dp/audiencemetadata/" + created.id], count: 1 });
    // The partial state never reaches Pulumi (as after kill -9): the old state stays.
    await assert.rejects(audienceProvider.update!(created.id, held, { ...v1, description: "lost answer" }));
    assert.equal((await audienceProvider.diff!(created.id, held, v1)).changes, true);
  });

  it("a create whose answer arrived but whose state was never written is adopted by the next create", async () => {
    const v1 = inputs();
    const first = await audienceProvider.create(v1); // then the engine was killed: no state
    const again = await audienceProvider.create(v1);
    assert.equal(again.id, first.id);
    assert.equal(h.sim.store.listAudiences().filter((a) => a.externalAudienceId === v1.externalAudienceId).length, 1);
  });

  it("'externalAudienceId already exists' says how to adopt the audience", async () => {
    const v1 = inputs({ name: "Made elsewhere 2026" });
    await audienceProvider.create(v1);
    // Another program (no record in this store) creates the same externalAudienceId.
    h.sim.setFaults({});
    const other = { ...v1, description: "x" };
    const { snapshotStore } = await import("../../../provider/providers/provider-context");
    const { createHash } = await import("node:crypto");
    const name = `audience-create-${createHash("sha256").update(`42\0${v1.externalAudienceId}`).digest("hex").slice(0, 32)}`;
    await snapshotStore().writeRecord(name, { v: 1, gone: true }); // an unreadable record counts as none
    await assert.rejects(audienceProvider.create(other), (e: unknown) => {
      const text = (e as Error).message;
      assert.match(text, /already exists/);
      assert.match(text, /find the audience named "Made elsewhere 2026" \(externalAudienceId "recovery-\d+"\) in the Amazon DSP console/);
      assert.match(text, /add `adopt: "<that id>"` to this audience in the spec/);
      return true;
    });
  });
});
