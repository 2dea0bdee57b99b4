import { strict as assert } from "node:assert";
import { parseJsonLossless } from "../../../simulator/int64-json";
import { OTHER_CREDS, TestClient, idFromText, useSimulator, validAudience, type DpErrorBody } from "../../support/sim-http";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertDpError(res: { status: number; json: unknown }, status: number, errorType: string, fieldName?: string): DpErrorBody {
  assert.equal(res.status, status);
  const body = res.json as DpErrorBody;
  assert.match(body.requestId, UUID);
  assert.equal(body.error.httpStatusCode, String(status));
  assert.equal(typeof body.error.description, "string");
  const issue = body.error.errors.find((e) => e.fieldName === fieldName);
  assert.ok(issue, `expected an issue for field ${fieldName} in ${JSON.stringify(body.error.errors)}`);
  assert.equal(issue.errorType, errorType);
  assert.ok(issue.message.length > 0);
  return body;
}

/** A valid create body whose advertiserId is the given JSON text, written exactly. */
function withAdvertiserText(json: string): string {
  return JSON.stringify(validAudience({ advertiserId: 1 })).replace('"advertiserId":1,', `"advertiserId":${json},`);
}

describe("simulator: POST /v2/dp/audiencemetadata/", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0 }, additionalCredentials: [OTHER_CREDS] });
  let client: TestClient;
  before(async () => {
    client = await TestClient.login(ctx.sim);
  });

  it("creates an audience: int64 id as a bare JSON number counting up from the base, ttl defaulted", async () => {
    const res = await client.send("POST", "/v2/dp/audiencemetadata/", validAudience({ name: "Ten chars!", description: "" }, { externalAudienceId: "first" }));
    assert.equal(res.status, 200);
    const id = idFromText(res.text);
    assert.ok(BigInt(id) > 72057594038053890n);
    assert.match(res.text, new RegExp(`"audience":\\{"id":${id},`));
    assert.match(res.text, /"advertiserId":5551234567,/);
    const body = parseJsonLossless(res.text) as { requestId: string; audience: Record<string, unknown> };
    assert.match(body.requestId, UUID);
    assert.deepEqual(body.audience, {
      id: BigInt(id),
      name: "Ten chars!",
      description: "",
      advertiserId: 5551234567,
      metadata: { type: "DATA_PROVIDER", externalAudienceId: "first", ttl: 34_300_800, audienceFees: [], dataSourceCountry: ["US"] },
    });
    const next = await client.createAudience();
    assert.equal(BigInt(next), BigInt(id) + 1n);
  });

  it("accepts the path without trailing slash, the largest int64 advertiserId, fees and UNKNOWN country", async () => {
    const body = JSON.stringify(validAudience({ advertiserId: 1 }, { ttl: 0, audienceFees: [{ cpmCents: 150, currency: "EUR" }], dataSourceCountry: ["UNKNOWN", "GB"] }));
    const res = await client.send("POST", "/v2/dp/audiencemetadata", body.replace('"advertiserId":1,', '"advertiserId":9223372036854775807,'));
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /"advertiserId":9223372036854775807,/);
    assert.match(res.text, /"ttl":0,"audienceFees":\[\{"cpmCents":150,"currency":"EUR"\}\],"dataSourceCountry":\["UNKNOWN","GB"\]/);
  });

  const invalid: Array<{ name: string; body: () => unknown; field: string | undefined }> = [
    { name: "name of 9 characters", body: () => validAudience({ name: "123456789" }), field: "name" },
    { name: "name of 129 characters", body: () => validAudience({ name: "x".repeat(129) }), field: "name" },
    { name: "name not a string", body: () => validAudience({ name: 1234567890 }), field: "name" },
    { name: "missing name", body: () => validAudience({ name: undefined }), field: "name" },
    { name: "description of 1001 characters", body: () => validAudience({ description: "d".repeat(1001) }), field: "description" },
    { name: "missing description", body: () => validAudience({ description: undefined }), field: "description" },
    { name: "null description", body: () => validAudience({ description: null }), field: "description" },
    { name: "advertiserId not numeric", body: () => validAudience({ advertiserId: "abc" }), field: "advertiserId" },
    { name: "advertiserId fractional", body: () => validAudience({ advertiserId: 1.5 }), field: "advertiserId" },
    { name: "advertiserId beyond int64", body: () => withAdvertiserText("9223372036854775808"), field: "advertiserId" },
    { name: "advertiserId quoted as a JSON string", body: () => validAudience({ advertiserId: "5551234567" }), field: "advertiserId" },
    { name: "advertiserId above 2^53 quoted as a JSON string", body: () => withAdvertiserText('"72057594038053891"'), field: "advertiserId" },
    { name: "advertiserId zero", body: () => validAudience({ advertiserId: 0 }), field: "advertiserId" },
    { name: "missing advertiserId", body: () => validAudience({ advertiserId: undefined }), field: "advertiserId" },
    { name: "missing metadata", body: () => validAudience({ metadata: undefined }), field: "metadata" },
    { name: "type other than DATA_PROVIDER", body: () => validAudience({}, { type: "FIRST_PARTY" }), field: "metadata.type" },
    { name: "missing type", body: () => validAudience({}, { type: undefined }), field: "metadata.type" },
    { name: "missing externalAudienceId", body: () => validAudience({}, { externalAudienceId: undefined }), field: "metadata.externalAudienceId" },
    { name: "empty externalAudienceId", body: () => validAudience({}, { externalAudienceId: "" }), field: "metadata.externalAudienceId" },
    { name: "ttl negative", body: () => validAudience({}, { ttl: -1 }), field: "metadata.ttl" },
    { name: "ttl above 34,300,800", body: () => validAudience({}, { ttl: 34_300_801 }), field: "metadata.ttl" },
    { name: "ttl fractional", body: () => validAudience({}, { ttl: 1.5 }), field: "metadata.ttl" },
    { name: "ttl as a string", body: () => validAudience({}, { ttl: "60" }), field: "metadata.ttl" },
    { name: "missing dataSourceCountry", body: () => validAudience({}, { dataSourceCountry: undefined }), field: "metadata.dataSourceCountry" },
    { name: "empty dataSourceCountry", body: () => validAudience({}, { dataSourceCountry: [] }), field: "metadata.dataSourceCountry" },
    { name: "country 'UK' (not ISO 3166-1)", body: () => validAudience({}, { dataSourceCountry: ["UK"] }), field: "metadata.dataSourceCountry[0]" },
    { name: "lowercase country", body: () => validAudience({}, { dataSourceCountry: ["US", "de"] }), field: "metadata.dataSourceCountry[1]" },
    { name: "alpha-3 country", body: () => validAudience({}, { dataSourceCountry: ["USA"] }), field: "metadata.dataSourceCountry[0]" },
    { name: "fees not an array", body: () => validAudience({}, { audienceFees: { cpmCents: 1, currency: "USD" } }), field: "metadata.audienceFees" },
    { name: "negative cpmCents", body: () => validAudience({}, { audienceFees: [{ cpmCents: -1, currency: "USD" }] }), field: "metadata.audienceFees[0].cpmCents" },
    { name: "fractional cpmCents", body: () => validAudience({}, { audienceFees: [{ cpmCents: 1.5, currency: "USD" }] }), field: "metadata.audienceFees[0].cpmCents" },
    { name: "unknown currency", body: () => validAudience({}, { audienceFees: [{ cpmCents: 1, currency: "CHF" }] }), field: "metadata.audienceFees[0].currency" },
    { name: "unknown fee field", body: () => validAudience({}, { audienceFees: [{ cpmCents: 1, currency: "USD", cpm: 1 }] }), field: "metadata.audienceFees[0].cpm" },
    { name: "unknown top-level field", body: () => validAudience({ id: 1 }), field: "id" },
    { name: "unknown metadata field", body: () => validAudience({}, { audienceSize: {} }), field: "metadata.audienceSize" },
    { name: "a JSON array body", body: () => [], field: undefined },
    { name: "malformed JSON", body: () => '{"name": ', field: undefined },
  ];
  for (const c of invalid) {
    it(`answers 400 INVALID_INPUT for ${c.name}`, async () => {
      const before = ctx.sim.store.listAudiences().length;
      const res = await client.send("POST", "/v2/dp/audiencemetadata/", c.body());
      assertDpError(res, 400, "INVALID_INPUT", c.field);
      assert.equal(ctx.sim.store.listAudiences().length, before);
    });
  }

  it("lists every issue of a body at once", async () => {
    const res = await client.send("POST", "/v2/dp/audiencemetadata/", validAudience({ name: "short" }, { ttl: -5, type: "X" }));
    const fields = (res.json as DpErrorBody).error.errors.map((e) => e.fieldName).sort();
    assert.deepEqual(fields, ["metadata.ttl", "metadata.type", "name"]);
  });

  it("rejects a duplicate externalAudienceId of the same advertiser, allows it for another advertiser", async () => {
    const before = ctx.sim.store.listAudiences().length;
    await client.createAudience({ advertiserId: 42 }, { externalAudienceId: "dup" });
    const dup = await client.send("POST", "/v2/dp/audiencemetadata/", validAudience({ advertiserId: 42 }, { externalAudienceId: "dup" }));
    assertDpError(dup, 400, "INVALID_INPUT", "externalAudienceId");
    await client.createAudience({ advertiserId: 43 }, { externalAudienceId: "dup" });
    assert.equal(ctx.sim.store.listAudiences().length, before + 2);
  });

  it("answers 415 for a non-JSON content type", async () => {
    const res = await client.send("POST", "/v2/dp/audiencemetadata/", validAudience(), { "Content-Type": "text/plain" });
    assertDpError(res, 415, "UNSUPPORTED_MEDIA_TYPE", undefined);
  });
});

describe("simulator: GET and PUT /v2/dp/audiencemetadata/{id}", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0 }, additionalCredentials: [OTHER_CREDS] });
  let client: TestClient;
  let other: TestClient;
  let id: string;
  before(async () => {
    client = await TestClient.login(ctx.sim);
    other = await TestClient.login(ctx.sim, OTHER_CREDS);
    id = await client.createAudience({ name: "Audience to read", description: "original" }, { ttl: 86400, audienceFees: [{ cpmCents: 100, currency: "USD" }], dataSourceCountry: ["US"] });
  });

  it("GET returns the audience with metadata.audienceSize", async () => {
    const res = await client.send("GET", `/v2/dp/audiencemetadata/${id}`);
    assert.equal(res.status, 200);
    const body = parseJsonLossless(res.text) as { audience: { id: bigint; metadata: Record<string, unknown> } };
    assert.equal(body.audience.id, BigInt(id));
    assert.deepEqual(body.audience.metadata.audienceSize, { receivedRecordSize: 0, matchedRecordSize: 0, matchRate: 0 });
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}/`)).status, 200);
  });

  it("PUT merges description and metadata partially and returns the audience without audienceSize", async () => {
    const res = await client.send("PUT", `/v2/dp/audiencemetadata/${id}`, { metadata: { ttl: 3600 } });
    assert.equal(res.status, 200, res.text);
    const a = (parseJsonLossless(res.text) as { audience: { description: string; metadata: Record<string, unknown> } }).audience;
    assert.equal(a.description, "original");
    assert.deepEqual(a.metadata, { type: "DATA_PROVIDER", externalAudienceId: a.metadata.externalAudienceId, ttl: 3600, audienceFees: [{ cpmCents: 100, currency: "USD" }], dataSourceCountry: ["US"] });

    const res2 = await client.send("PUT", `/v2/dp/audiencemetadata/${id}`, { description: "", metadata: { dataSourceCountry: ["DE", "FR"], audienceFees: [] } });
    assert.equal(res2.status, 200, res2.text);
    const stored = ctx.sim.store.getAudience(id);
    assert.equal(stored?.description, "");
    assert.equal(stored?.ttl, 3600);
    assert.deepEqual(stored?.dataSourceCountry, ["DE", "FR"]);
    assert.deepEqual(stored?.audienceFees, []);
    assert.equal(stored?.name, "Audience to read");
  });

  const notUpdatable: Array<{ body: Record<string, unknown>; field: string }> = [
    { body: { name: "A brand new name" }, field: "name" },
    { body: { advertiserId: 1 }, field: "advertiserId" },
    { body: { externalAudienceId: "x" }, field: "externalAudienceId" },
    { body: { metadata: { externalAudienceId: "x" } }, field: "externalAudienceId" },
    { body: { metadata: { type: "DATA_PROVIDER" } }, field: "type" },
  ];
  for (const c of notUpdatable) {
    it(`PUT answers 400 "cannot be updated" for ${JSON.stringify(c.body)}`, async () => {
      const before = ctx.sim.store.getAudience(id);
      const res = await client.send("PUT", `/v2/dp/audiencemetadata/${id}`, c.body);
      const body = assertDpError(res, 400, "INVALID_INPUT", c.field);
      assert.equal(body.error.errors[0]?.message, `The input field '${c.field}' cannot be updated`);
      assert.deepEqual(ctx.sim.store.getAudience(id), before);
    });
  }

  const invalidPut: Array<{ body: unknown; field: string }> = [
    { body: { metadata: { ttl: 34_300_801 } }, field: "metadata.ttl" },
    { body: { metadata: { dataSourceCountry: [] } }, field: "metadata.dataSourceCountry" },
    { body: { metadata: { audienceFees: [{ cpmCents: 1, currency: "XXX" }] } }, field: "metadata.audienceFees[0].currency" },
    { body: { description: "x".repeat(1001) }, field: "description" },
    { body: { metadata: { color: "red" } }, field: "metadata.color" },
    { body: { metadata: "ttl" }, field: "metadata" },
  ];
  for (const c of invalidPut) {
    it(`PUT answers 400 for ${JSON.stringify(c.body).slice(0, 60)}`, async () => {
      assertDpError(await client.send("PUT", `/v2/dp/audiencemetadata/${id}`, c.body), 400, "INVALID_INPUT", c.field);
    });
  }

  const lookups: Array<{ name: string; path: () => string; status: number; errorType: string }> = [
    { name: "an unknown id", path: () => `/v2/dp/audiencemetadata/${BigInt(id) + 1000n}`, status: 404, errorType: "NOT_FOUND" },
    { name: "a non-numeric id", path: () => "/v2/dp/audiencemetadata/abc", status: 400, errorType: "INVALID_INPUT" },
    { name: "an id beyond int64", path: () => "/v2/dp/audiencemetadata/9223372036854775808", status: 400, errorType: "INVALID_INPUT" },
  ];
  for (const c of lookups) {
    for (const method of ["GET", "PUT"]) {
      it(`${method} answers ${c.status} for ${c.name}`, async () => {
        assertDpError(await client.send(method, c.path(), method === "PUT" ? { description: "x" } : undefined), c.status, c.errorType, "audienceId");
      });
    }
  }

  it("GET and PUT of another client's audience answer 403 and change nothing", async () => {
    const before = ctx.sim.store.getAudience(id);
    assertDpError(await other.send("GET", `/v2/dp/audiencemetadata/${id}`), 403, "FORBIDDEN", "audienceId");
    assertDpError(await other.send("PUT", `/v2/dp/audiencemetadata/${id}`, { description: "hijacked" }), 403, "FORBIDDEN", "audienceId");
    assert.deepEqual(ctx.sim.store.getAudience(id), before);
  });
});
