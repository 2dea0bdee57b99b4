import { strict as assert } from "node:assert";
import { TestClient, patchText, rawRequest, useSimulator } from "../../support/sim-http";

const H1 = "0123456789abcdef".repeat(4);
const H2 = "fedcba9876543210".repeat(4);
const V3_REQUEST = "application/vnd.dpuploadhashedrecordsrequest.v3+json";
const V3_RESPONSE = "application/vnd.dpuploadhashedrecordsresponse.v3+json";

describe("simulator: POST /dp/records/hashed", () => {
  const ctx = useSimulator({ limits: { hashedTps: 0, metadataTps: 0, hashedMaxBytes: 10_000 } });
  let client: TestClient;
  before(async () => {
    client = await TestClient.login(ctx.sim);
  });

  const upload = (records: unknown, headers: Record<string, string> = {}, path = "/dp/records/hashed"): ReturnType<TestClient["send"]> =>
    client.send("POST", path, { records }, headers);

  it("accepts v3 and plain JSON, with and without trailing slash, and answers {requestId}", async () => {
    const v3 = await upload([{ externalId: "user_1", hashedRecords: [{ email: H1, phone: H2 }] }], { "Content-Type": V3_REQUEST, Accept: V3_RESPONSE });
    assert.equal(v3.status, 200, v3.text);
    assert.equal(v3.headers["content-type"], V3_RESPONSE);
    assert.deepEqual(Object.keys(v3.json as object), ["requestId"]);
    const plain = await upload([{ externalId: "user-2", hashedRecords: [{ firstName: H1 }, { email: H2 }] }], {}, "/dp/records/hashed/");
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.headers["content-type"], "application/json");
  });

  it("keeps a digest per PII set and the field names, never the hashes, and overwrites per externalId", async () => {
    await upload([{ externalId: "over", hashedRecords: [{ email: H1 }, { phone: H2, city: H1 }] }]);
    let rec = ctx.sim.store.records().get("over");
    assert.equal(rec?.digests.length, 2);
    assert.deepEqual(rec?.fields, ["city", "email", "phone"]);
    assert.ok(!JSON.stringify(rec).includes(H1) && !JSON.stringify(rec).includes(H2));
    await upload([{ externalId: "over", hashedRecords: [{ lastName: H2 }] }]);
    rec = ctx.sim.store.records().get("over");
    assert.equal(rec?.digests.length, 1);
    assert.deepEqual(rec?.fields, ["lastName"]);
  });

  it("exposes summaries in the admin API, digests only with ?full=1", async () => {
    await upload([{ externalId: "admin_view", hashedRecords: [{ email: H1 }, { email: H2 }] }]);
    const summary = await rawRequest(ctx.sim.url, "GET", "/__sim/records");
    assert.deepEqual((summary.json as Record<string, unknown>).admin_view, { sets: 2, fields: ["email"] });
    const full = await rawRequest(ctx.sim.url, "GET", "/__sim/records?full=1");
    const digests = ((full.json as Record<string, { digests: string[] }>).admin_view as { digests: string[] }).digests;
    assert.equal(digests.length, 2);
    assert.ok(digests.every((d) => /^[0-9a-f]{32}$/.test(d)));
    assert.notEqual(digests[0], digests[1]);
  });

  const badHeaders: Array<{ name: string; headers: Record<string, string>; message: RegExp }> = [
    { name: "text/plain content type", headers: { "Content-Type": "text/plain" }, message: /content-type/ },
    { name: "a v2 request type", headers: { "Content-Type": "application/vnd.dpuploadhashedrecordsrequest.v2+json" }, message: /content-type/ },
    { name: "an XML Accept", headers: { Accept: "application/xml" }, message: /`accept` header/ },
  ];
  for (const c of badHeaders) {
    it(`answers 415 {errorMessage} for ${c.name}`, async () => {
      const res = await upload([{ externalId: "x", hashedRecords: [{ email: H1 }] }], c.headers);
      assert.equal(res.status, 415);
      assert.deepEqual(Object.keys(res.json as object), ["errorMessage"]);
      assert.match((res.json as { errorMessage: string }).errorMessage, c.message);
    });
  }

  it("accepts Accept */*, application/json and the v3.1 response type", async () => {
    for (const accept of ["*/*", "application/json", "application/vnd.dpuploadhashedrecordsresponse.v3.1+json"]) {
      assert.equal((await upload([{ externalId: "acc", hashedRecords: [{ email: H1 }] }], { Accept: accept })).status, 200, accept);
    }
  });

  const invalid: Array<{ name: string; body: unknown; message: RegExp }> = [
    { name: "uppercase hex", body: { records: [{ externalId: "u", hashedRecords: [{ email: H1.toUpperCase() }] }] }, message: /^Hashed records associated with \[externalId:u\] contains invalid hashed attributes \[email\]$/ },
    { name: "63 hex chars", body: { records: [{ externalId: "u", hashedRecords: [{ phone: H1.slice(1) }] }] }, message: /invalid hashed attributes \[phone\]/ },
    { name: "a raw email", body: { records: [{ externalId: "u", hashedRecords: [{ email: "a@b.com" }] }] }, message: /invalid hashed attributes \[email\]/ },
    { name: "an unknown attribute", body: { records: [{ externalId: "u", hashedRecords: [{ email: H1, country: H2 }] }] }, message: /invalid hashed attributes \[country\]/ },
    { name: "an empty PII set", body: { records: [{ externalId: "u", hashedRecords: [{}] }] }, message: /contains no hashed attributes/ },
    { name: "externalId with a space", body: { records: [{ externalId: "a b", hashedRecords: [{ email: H1 }] }] }, message: /^Failed to parse request data: records\[0\]\.externalId/ },
    { name: "externalId of 129 chars", body: { records: [{ externalId: "x".repeat(129), hashedRecords: [{ email: H1 }] }] }, message: /externalId/ },
    { name: "missing hashedRecords", body: { records: [{ externalId: "u" }] }, message: /hashedRecords/ },
    { name: "empty records", body: { records: [] }, message: /records/ },
    { name: "an unknown top-level field", body: { records: [{ externalId: "u", hashedRecords: [{ email: H1 }] }], version: 3 }, message: /version/ },
    { name: "malformed JSON", body: '{"records": [', message: /^Failed to parse request data/ },
  ];
  for (const c of invalid) {
    it(`answers 400 {errorMessage} for ${c.name}, storing nothing`, async () => {
      const before = ctx.sim.store.records().size;
      const res = await client.send("POST", "/dp/records/hashed", c.body);
      assert.equal(res.status, 400, res.text);
      assert.deepEqual(Object.keys(res.json as object), ["errorMessage"]);
      assert.match((res.json as { errorMessage: string }).errorMessage, c.message);
      assert.equal(ctx.sim.store.records().size, before);
    });
  }

  it("answers 413 {errorMessage} over hashedMaxBytes", async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ externalId: `big${i}`, hashedRecords: [{ email: H1 }] }));
    const res = await upload(records);
    assert.equal(res.status, 413);
    assert.deepEqual(res.json, { errorMessage: "Max request size is 10000 bytes" });
    assert.equal(ctx.sim.store.records().has("big0"), false);
  });

  it("makes uploaded externalIds with an email or phone count as matched EXTERNAL_USER_ID members", async () => {
    const id = await client.createAudience();
    await upload([
      { externalId: "m_email", hashedRecords: [{ email: H1 }] },
      { externalId: "m_phone", hashedRecords: [{ phone: H1 }] },
      { externalId: "m_name", hashedRecords: [{ firstName: H1, lastName: H2 }] },
    ]);
    await client.patch(["m_email", "m_phone", "m_name", "m_none"].map((x) => patchText("add", `/EXTERNAL_USER_ID-${x}/audiences`, [id])).join(","));
    const size = ctx.sim.store.audienceSize(id);
    assert.deepEqual(size, { receivedRecordSize: 4, matchedRecordSize: 2, matchRate: 0.5 });
    const res = await client.send("GET", `/v2/dp/audiencemetadata/${id}`);
    assert.ok(res.text.includes(`"audienceSize":{"receivedRecordSize":4,"matchedRecordSize":2,"matchRate":0.5}`), res.text);
  });
});
