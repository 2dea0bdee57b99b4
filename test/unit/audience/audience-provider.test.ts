import { strict as assert } from "assert";
import {
  audienceUpdate,
  checkAudienceInputs,
  createNote,
  diffAudience,
  resendNote,
  type AudienceInputs,
  type AudienceOutputs,
} from "../../../provider/audience/audience-provider";
import type { CreateRecord } from "../../../provider/audience/audience-record";

const base: AudienceInputs = {
  name: "Loyal customers 2026",
  description: "Bought twice",
  advertiserId: "9223372036854775001",
  externalAudienceId: "loyal-2026",
  dataSourceCountry: ["US"],
  ttl: 2592000,
};
const held: AudienceOutputs = { ...base, audienceId: "72057594038053891" };

describe("DataProviderAudience provider logic", () => {
  const cases: Array<{ title: string; change: Partial<AudienceInputs>; replaces: string[]; changes: boolean }> = [
    { title: "no change", change: {}, replaces: [], changes: false },
    { title: "description is updated in place", change: { description: "new" }, replaces: [], changes: true },
    { title: "ttl is updated in place", change: { ttl: 604800 }, replaces: [], changes: true },
    { title: "countries are updated in place", change: { dataSourceCountry: ["US", "CA"] }, replaces: [], changes: true },
    { title: "fees are updated in place", change: { audienceFees: [{ cpmCents: 100, currency: "USD" }] }, replaces: [], changes: true },
    { title: "a new name with a new externalAudienceId replaces", change: { name: "Loyal customers 2027", externalAudienceId: "loyal-2027" }, replaces: ["name", "externalAudienceId"], changes: true },
    { title: "another advertiser replaces", change: { advertiserId: "1" }, replaces: ["advertiserId"], changes: true },
    { title: "a new externalAudienceId replaces", change: { externalAudienceId: "x" }, replaces: ["externalAudienceId"], changes: true },
    { title: "adopting the same audience is no change", change: { adoptId: "72057594038053891" }, replaces: [], changes: false },
    { title: "adopting another audience replaces", change: { adoptId: "72057594038053999" }, replaces: ["adoptId"], changes: true },
  ];
  for (const c of cases) {
    it(`diff: ${c.title}`, () => {
      const d = diffAudience(held, { ...base, ...c.change });
      assert.equal(d.changes, c.changes);
      assert.deepEqual(d.replaces, c.replaces);
    });
  }

  it("an in-place update keeps the audience id stable", () => {
    assert.deepEqual(diffAudience(held, { ...base, description: "new" }).stables, ["audienceId", "name", "advertiserId", "externalAudienceId"]);
    assert.deepEqual(diffAudience(held, { ...base, name: "Loyal customers 2027", externalAudienceId: "loyal-2027" }).stables, []);
  });

  it("refuses a replacement that would reuse the old audience's externalAudienceId, and says what to do", () => {
    assert.throws(
      () => diffAudience(held, { ...base, name: "Loyal customers 2027" }),
      /Changing the name of audience 72057594038053891 needs a new audience.*keeps externalAudienceId "loyal-2026".*give the audience a new externalAudienceId/s,
    );
  });

  it("PUTs only the fields that differ", () => {
    assert.deepEqual(audienceUpdate(held, base), {});
    assert.deepEqual(audienceUpdate(held, { ...base, description: "d", dataSourceCountry: ["CA"] }), { description: "d", dataSourceCountry: ["CA"] });
    assert.deepEqual(audienceUpdate({ ...held, ttl: 1 }, base), { ttl: 2592000 });
  });

  it("checks inputs with one failure per property", () => {
    assert.deepEqual(checkAudienceInputs(base), []);
    const failures = checkAudienceInputs({ ...base, name: "short", advertiserId: "12.5", dataSourceCountry: [], ttl: 34_300_801, adoptId: "x" });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["name", "advertiserId", "dataSourceCountry", "ttl", "adoptId"],
    );
  });

  it("the re-send note names what the PUT carries and which of it is re-sent, and is silent when nothing is", () => {
    const update = audienceUpdate(held, { ...base, ttl: 604800 }, ["description"]);
    assert.deepEqual(Object.keys(update), ["description", "ttl"]);
    assert.equal(
      resendNote(base.name, held.audienceId, update, ["description"]),
      'audience "Loyal customers 2026" (72057594038053891): PUT description, ttl; description re-sent, as its last PUT may or may not have been applied (a failed or interrupted up)',
    );
    assert.equal(resendNote(base.name, held.audienceId, audienceUpdate(held, { ...base, ttl: 604800 }), []), undefined, "a plain update");
    assert.match(resendNote(base.name, held.audienceId, update, ["description", "ttl"])!, /PUT description, ttl; description, ttl re-sent, as their last PUT/);
    // A field in doubt that the spec no longer sets is not sent, so not re-sent either.
    const { ttl: _dropped, ...noTtl } = base;
    assert.equal(resendNote(base.name, held.audienceId, audienceUpdate(held, noTtl, ["ttl"]), ["ttl"]), undefined);
  });

  describe("what the preview says a create does", () => {
    const record = (over: Partial<CreateRecord>): CreateRecord => ({
      v: 1,
      advertiserId: base.advertiserId,
      externalAudienceId: base.externalAudienceId,
      name: base.name,
      attempt: "a1",
      at: "2026-01-01T00:00:00.000Z",
      stage: "sending",
      ...over,
    });
    const cases: Array<{ title: string; inputs: AudienceInputs; earlier?: CreateRecord; severity?: string; says?: RegExp }> = [
      { title: "a plain create says nothing", inputs: base },
      { title: "a create Amazon refused earlier says nothing", inputs: base, earlier: record({ stage: "answered" }) },
      { title: "adopt: says which audience it adopts", inputs: { ...base, adoptId: "72057594038053999" }, earlier: record({}), severity: "info", says: /adopts audience 72057594038053999 instead of creating one/ },
      {
        title: "an answered create the state never recorded is adopted",
        inputs: base,
        earlier: record({ stage: "answered", audienceId: "72057594038053891" }),
        severity: "info",
        says: /adopts audience 72057594038053891, which an earlier `pulumi up` created for externalAudienceId "loyal-2026" but did not record/,
      },
      {
        title: "a create whose answer was lost warns of 'already exists' and says how to adopt",
        inputs: base,
        earlier: record({}),
        severity: "warning",
        says: /sent its create and got no answer, so Amazon may already have it; if so, this up's create fails with "already exists"\. To manage it: .*add `adopt: "<that id>"`/,
      },
    ];
    for (const c of cases) {
      it(c.title, () => {
        const note = createNote(c.inputs, c.earlier);
        assert.equal(note?.severity, c.severity);
        if (c.says) assert.match(note!.message, c.says);
      });
    }
  });
});
