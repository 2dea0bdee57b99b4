/**
 * The audience provider after interrupted ups, called as the engine would, against the
 * in-process simulator: metadata PUTs whose answer was lost, and creates the state never recorded.
 */
import { strict as assert } from "node:assert";
import type { AudienceOutputs } from "../../../provider/audience/audience-provider";
import { PartialStateError } from "../../../provider/provider-process/partial-state-error";
import { DspHttpError } from "../../../provider/client";
import { MembershipHarness, audienceInputsMaker, captureLines, noInputs } from "../../support/membership-harness";

describe("audience provider: recovery after interrupted ups", function () {
  this.timeout(30_000);
  const h = new MembershipHarness();
  before(() => h.start());
  after(() => h.stop());
  afterEach(() => h.sim.setFaults({}));

  const inputs = audienceInputsMaker("recovery", "Recovery audience");

  it("a PUT applied and answered 500, then the spec is reverted: the next up sends the reverted values again", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    let held = created.outs as AudienceOutputs;
    const v2 = { ...v1, description: "second", ttl: 2000 };
    h.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["/v2/dp/audiencemetadata/" + created.id], count: 1 });
    await assert.rejects(h.audiences.update!(created.id, held, v2), (e: unknown) => {
      assert.ok(e instanceof PartialStateError);
      assert.match(e.message, /updating description, ttl failed and may or may not have been applied/);
      held = e.properties as AudienceOutputs;
      return true;
    });
    assert.equal(h.sim.store.getAudience(created.id)?.description, "second", "Amazon applied it");
    assert.deepEqual(held.metadataInDoubt, ["description", "ttl"]);
    // Reverted: the spec equals the state's values, yet both fields are sent again.
    const diff = await h.audiences.diff!(created.id, held, v1);
    assert.equal(diff.changes, true);
    held = (await h.audiences.update!(created.id, held, v1)).outs as AudienceOutputs;
    assert.equal(h.sim.store.getAudience(created.id)?.description, "first");
    assert.equal(h.sim.store.getAudience(created.id)?.ttl, 1000);
    assert.equal((await h.audiences.diff!(created.id, held, v1)).changes, false);
  });

  it("a PUT killed in flight (no state written) is found by the next diff through its record", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    const held = created.outs as AudienceOutputs;
    h.sim.setFaults({ dropRate: 1, routes: ["PUT /v2/dp/audiencemetadata/" + created.id], count: 1 });
    // The partial state never reaches Pulumi (as after kill -9): the old state stays.
    await assert.rejects(h.audiences.update!(created.id, held, { ...v1, description: "lost answer" }));
    assert.equal((await h.audiences.diff!(created.id, held, v1)).changes, true);
  });

  it("a create whose answer arrived but whose state was never written is adopted by the next create", async () => {
    const v1 = inputs();
    const first = await h.audiences.create(v1); // then the engine was killed: no state
    const again = await h.audiences.create(v1);
    assert.equal(again.id, first.id);
    assert.equal(h.sim.store.listAudiences().filter((a) => a.externalAudienceId === v1.externalAudienceId).length, 1);
  });

  it("'externalAudienceId already exists' says how to adopt the audience", async () => {
    const v1 = inputs({ name: "Made elsewhere 2026" });
    await h.audiences.create(v1);
    // Another program (no record in this store) creates the same externalAudienceId.
    h.sim.setFaults({});
    const other = { ...v1, description: "x" };
    const { createHash } = await import("node:crypto");
    const name = `audience-create-${createHash("sha256").update(`42\0${v1.externalAudienceId}`).digest("hex").slice(0, 32)}`;
    await h.context.store().writeRecord(name, { v: 1, gone: true }); // an unreadable record counts as none
    await assert.rejects(h.audiences.create(other), (e: unknown) => {
      const text = (e as Error).message;
      assert.match(text, /already exists/);
      assert.match(text, /find the audience named "Made elsewhere 2026" \(externalAudienceId "recovery-\d+"\) in the Amazon DSP console/);
      assert.match(text, /add `adopt: "<that id>"` to this audience in the spec/);
      return true;
    });
  });

  /** What the simulator was sent after request `since`, as `METHOD path -> status [fields]`. */
  const sentSince = (since: number): string[] =>
    h.sim.store
      .requests(since)
      .filter((e) => e.path.startsWith("/v2/"))
      .map((e) => `${e.method} ${e.path} -> ${e.status}${e.fields ? ` [${e.fields.join(",")}]` : ""}`);
  const lastSeq = (): number => h.sim.store.requests().at(-1)?.seq ?? 0;
  const logged = async (fn: () => Promise<unknown>): Promise<string[]> => {
    const lines: string[] = [];
    await captureLines(lines, fn);
    return lines;
  };

  it("after a PUT applied and answered 500, the diff of a changed spec says the PUT re-sends the in-doubt field", async () => {
    const v1 = inputs();
    const created = await h.audiences.create(v1);
    let held = created.outs as AudienceOutputs;
    h.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["PUT /v2/dp/audiencemetadata/" + created.id], count: 1 });
    await assert.rejects(h.audiences.update!(created.id, held, { ...v1, description: "second" }), (e: unknown) => {
      held = (e as PartialStateError).properties as AudienceOutputs;
      return true;
    });
    // The next day's spec keeps the description the failed up sent and changes the ttl.
    const v3 = { ...v1, description: "second", ttl: 2000 };
    const lines = await logged(async () => assert.equal((await h.audiences.diff!(created.id, held, v3)).changes, true));
    assert.deepEqual(lines, [
      `audience "Recovery audience" (${created.id}): PUT description, ttl; description re-sent, as its last PUT may or may not have been applied (a failed or interrupted up)`,
    ]);
    const since = lastSeq();
    held = (await h.audiences.update!(created.id, held, v3)).outs as AudienceOutputs;
    assert.deepEqual(sentSince(since), [`PUT /v2/dp/audiencemetadata/${created.id} -> 200 [description,metadata.ttl]`], "the PUT the line announced");
    assert.deepEqual(await logged(async () => assert.equal((await h.audiences.diff!(created.id, held, v3)).changes, false)), [], "nothing re-sent after");
  });

  it("check says a create adopts the audience an answered but unrecorded create made, and the create sends no POST", async () => {
    const v1 = inputs();
    const first = await h.audiences.create(v1); // then the engine was killed: no state
    assert.deepEqual(await logged(() => h.audiences.check!(noInputs(), v1)), [
      `audience "Recovery audience": adopts audience ${first.id}, which an earlier \`pulumi up\` created for externalAudienceId "${v1.externalAudienceId}" but did not record: ` +
        "reads it, then updates the fields that differ from the spec (no new audience is created)",
    ]);
    const since = lastSeq();
    await logged(() => h.audiences.create(v1));
    assert.deepEqual(sentSince(since), [`GET /v2/dp/audiencemetadata/${first.id} -> 200`]);
    assert.deepEqual(await logged(() => h.audiences.check!(v1, v1)), [], "an existing audience's check says nothing");
  });

  it("a create lost before its answer: check warns of 'already exists' until adopt: takes the audience over, whose id is then recorded", async () => {
    const v1 = inputs();
    h.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: ["POST /v2/dp/audiencemetadata"], count: 1 });
    await assert.rejects(h.audiences.create(v1), /may have been created/);
    const id = h.sim.store.listAudiences().find((a) => a.externalAudienceId === v1.externalAudienceId)!.id;
    const warning = /^audience "Recovery audience": an earlier `pulumi up` sent its create and got no answer, so Amazon may already have it; if so, this up's create fails with "already exists"\. To manage it: /;
    assert.match((await logged(() => h.audiences.check!(noInputs(), v1))).join("\n"), warning);
    await assert.rejects(h.audiences.create(v1), /already exists/);
    assert.match((await logged(() => h.audiences.check!(noInputs(), v1))).join("\n"), warning, "still unresolved after 'already exists'");

    const adopting = { ...v1, adoptId: id, description: "adopted" };
    assert.deepEqual(await logged(() => h.audiences.check!(noInputs(), adopting)), [
      `audience "Recovery audience": adopts audience ${id} instead of creating one: reads it, then updates the fields that differ from the spec`,
    ]);
    const since = lastSeq();
    assert.equal((await h.audiences.create(adopting)).id, id);
    assert.deepEqual(sentSince(since), [`GET /v2/dp/audiencemetadata/${id} -> 200`, `PUT /v2/dp/audiencemetadata/${id} -> 200 [description]`]);
    // The lost create is resolved: were the state lost again, a create without adopt: would adopt it.
    assert.match((await logged(() => h.audiences.check!(noInputs(), v1))).join("\n"), new RegExp(`adopts audience ${id}, which an earlier`));
  });

  it("a create Amazon refuses leaves nothing pending: the next check says nothing", async () => {
    const refused = inputs({ dataSourceCountry: ["XX"] });
    await assert.rejects(h.audiences.create(refused), (e: unknown) => e instanceof DspHttpError && e.status === 400);
    assert.deepEqual(await logged(() => h.audiences.check!(noInputs(), refused)), []);
  });
});
