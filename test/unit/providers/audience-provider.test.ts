import { strict as assert } from "assert";
import { audienceUpdate, checkAudienceInputs, diffAudience, type AudienceInputs, type AudienceOutputs } from "../../../provider/providers/audience-provider";

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
});
