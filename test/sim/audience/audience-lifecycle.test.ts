/**
 * The audience provider's lifecycle, called as the engine would, against the in-process
 * simulator (seconds, no Pulumi CLI): create, no-op diff, update, refresh of drift, a rejected
 * update, a failure whose outcome is unknown, delete.
 */
import { strict as assert } from "node:assert";
import { DspHttpError } from "../../../provider/client";
import { DESCRIPTION_MAX_LENGTH } from "../../../simulator/validation";
import type { AudienceOutputs } from "../../../provider/audience/audience-provider";
import { PartialStateError } from "../../../provider/provider-process/partial-state-error";
import { MembershipHarness, audienceInputsMaker, captureLines, noInputs } from "../../support/membership-harness";

describe("audience provider: lifecycle against the simulator", function () {
  this.timeout(30_000);
  const h = new MembershipHarness();
  before(() => h.start());
  after(() => h.stop());
  afterEach(() => h.sim.setFaults({}));

  const inputs = audienceInputsMaker("lifecycle", "Lifecycle audience");

  it("creates the audience, then diffs the same inputs as no change", async () => {
    const v1 = inputs();
    const checked = await h.audiences.check!(noInputs(), v1);
    assert.equal(checked.failures, undefined);
    const created = await h.audiences.create(checked.inputs ?? v1);
    const remote = h.sim.store.getAudience(created.id);
    assert.equal(remote?.name, "Lifecycle audience");
    assert.equal(remote?.description, "first");
    assert.equal(remote?.ttl, 1000);
    assert.equal((await h.audiences.diff!(created.id, created.outs as AudienceOutputs, checked.inputs ?? v1)).changes, false);
  });

  it("refuses inputs the API would refuse before any request (check)", async () => {
    const before = h.sim.store.requests().length;
    const checked = await h.audiences.check!(noInputs(), inputs({ ttl: 99_999_999 }));
    assert.deepEqual(
      checked.failures?.map((f) => f.property),
      ["ttl"],
    );
    assert.equal(h.sim.store.requests().length, before, "nothing sent");
  });

  it("updates a changed description and ttl in place, and the next diff is empty", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    const v2 = { ...v1, description: "second", ttl: 2000 };
    const diff = await h.audiences.diff!(created.id, created.outs as AudienceOutputs, v2);
    assert.equal(diff.changes, true);
    assert.deepEqual(diff.replaces ?? [], []);
    const updated = (await h.audiences.update!(created.id, created.outs as AudienceOutputs, v2)).outs as AudienceOutputs;
    assert.equal(h.sim.store.getAudience(created.id)?.description, "second");
    assert.equal(h.sim.store.getAudience(created.id)?.ttl, 2000);
    assert.equal((await h.audiences.diff!(created.id, updated, v2)).changes, false);
  });

  it("refresh takes a description changed outside Pulumi, so the next diff puts the spec's back", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    await h.context.client().updateAudience(created.id, { description: "changed in the console" });
    const read = await h.audiences.read!(created.id, created.outs);
    const refreshed = read.props as AudienceOutputs;
    assert.equal(refreshed.description, "changed in the console");
    assert.equal((await h.audiences.diff!(created.id, refreshed, v1)).changes, true);
  });

  it("an update Amazon refuses (400) fails without partial state or fields in doubt", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    const held = created.outs as AudienceOutputs;
    const refused = { ...v1, description: "x".repeat(DESCRIPTION_MAX_LENGTH + 1) };
    await assert.rejects(h.audiences.update!(created.id, held, refused), (e: unknown) => e instanceof DspHttpError && e.status === 400);
    assert.equal(h.sim.store.getAudience(created.id)?.description, "first");
    const v2 = { ...v1, description: "accepted" };
    assert.equal((await h.audiences.diff!(created.id, held, v2)).changes, true);
    const updated = (await h.audiences.update!(created.id, held, v2)).outs as AudienceOutputs;
    assert.equal(h.sim.store.getAudience(created.id)?.description, "accepted");
    assert.deepEqual(updated.metadataInDoubt, []);
  });

  it("an update whose outcome is unknown (5xx) records the fields in doubt as partial state", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    h.sim.setFaults({ rate5xx: 1, routes: ["PUT /v2/dp/audiencemetadata/" + created.id], count: 1 });
    await assert.rejects(h.audiences.update!(created.id, created.outs as AudienceOutputs, { ...v1, ttl: 3000 }), (e: unknown) => {
      assert.ok(e instanceof PartialStateError);
      assert.deepEqual((e.properties as AudienceOutputs).metadataInDoubt, ["ttl"]);
      return true;
    });
  });

  it("delete leaves the audience in Amazon (no DELETE in the API) and says so", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    const lines: string[] = [];
    await captureLines(lines, () => h.audiences.delete!(created.id, created.outs as AudienceOutputs));
    assert.ok(h.sim.store.getAudience(created.id), "still there");
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /is left in Amazon DSP: the Data Provider API has no DELETE/);
  });
});
