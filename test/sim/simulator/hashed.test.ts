import { strict as assert } from "node:assert";
import { HASHED_V3, HASHED_V3_1, TestClient, expectHashedError, patchText, rawRequest, useSimulator } from "../../support/sim-http";

const H1 = "0123456789abcdef".repeat(4);
const H2 = "fedcba9876543210".repeat(4);
const V3_REQUEST = "application/vnd.dpuploadhashedrecordsrequest.v3+json";

describe("simulator: POST /dp/records/hashed", () => {
  const ctx = useSimulator({ limits: { hashedTps: 0, metadataTps: 0, hashedMaxBytes: 10_000 } });
  let client: TestClient;
  before(async () => {
    client = await TestClient.login(ctx.sim);
  });

  const upload = (records: unknown, headers: Record<string, string> = {}, path = "/dp/records/hashed"): ReturnType<TestClient["send"]> =>
    client.send("POST", path, { records }, headers);

  it("accepts v3 and plain JSON, with and without trailing slash, and answers {requestId} as v3", async () => {
    const v3 = await upload([{ externalId: "user_1", hashedRecords: [{ email: H1, phone: H2 }] }], { "Content-Type": V3_REQUEST, Accept: HASHED_V3 });
    assert.equal(v3.status, 200, v3.text);
    assert.equal(v3.headers["content-type"], HASHED_V3);
    assert.deepEqual(Object.keys(v3.json as object), ["requestId"]);
    assert.equal((v3.json as { requestId: string }).requestId, v3.headers["x-amzn-requestid"]);
    const plain = await upload([{ externalId: "user-2", hashedRecords: [{ firstName: H1 }, { email: H2 }] }], {}, "/dp/records/hashed/");
    assert.equal(plain.status, 200, plain.text);
    assert.equal(plain.headers["content-type"], HASHED_V3, "the document has no application/json answer");
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
    { name: "Accept application/json (no JSON answer is documented)", headers: { Accept: "application/json" }, message: /`accept` header/ },
    { name: "Accept of the v3.1 type alone (the 200 exists only as v3)", headers: { Accept: HASHED_V3_1 }, message: /`accept` header/ },
    { name: "Accept of a v2 response type", headers: { Accept: "application/vnd.dpuploadhashedrecordsresponse.v2+json" }, message: /`accept` header/ },
    { name: "Accept that refuses v3 with q=0", headers: { Accept: `${HASHED_V3};q=0, application/json` }, message: /`accept` header/ },
    { name: "Accept with a malformed q", headers: { Accept: `${HASHED_V3};q=high` }, message: /`accept` header/ },
  ];
  for (const c of badHeaders) {
    it(`answers 415 {errorMessage} as v3 for ${c.name}, storing nothing`, async () => {
      const res = await upload([{ externalId: "refused415", hashedRecords: [{ email: H1 }] }], c.headers);
      assert.match(expectHashedError(res, 415), c.message);
      assert.equal(ctx.sim.store.records().has("refused415"), false);
    });
  }

  it("serves any Accept that allows v3: none, */*, application/*, v3, and v3 beside others", async () => {
    for (const accept of [undefined, "", "*/*", "application/*", HASHED_V3, `${HASHED_V3}; charset=utf-8`, `text/html, ${HASHED_V3_1};q=0.9, */*;q=0.1`, "application/json, text/plain, */*"]) {
      const res = await upload([{ externalId: "acc", hashedRecords: [{ email: H1 }] }], accept === undefined ? {} : { Accept: accept });
      assert.equal(res.status, 200, `${accept}: ${res.text}`);
      assert.equal(res.headers["content-type"], HASHED_V3, String(accept));
    }
  });

  it("answers a 400 as v3.1 only when the Accept prefers v3.1 to v3, else as v3", async () => {
    const bad = { records: [{ externalId: "u", hashedRecords: [{ email: "raw@example.com" }] }] };
    const cases: Array<[string | undefined, string]> = [
      [undefined, HASHED_V3],
      ["*/*", HASHED_V3],
      [HASHED_V3, HASHED_V3],
      [`${HASHED_V3}, ${HASHED_V3_1}`, HASHED_V3],
      [`${HASHED_V3_1}, ${HASHED_V3};q=0.5`, HASHED_V3_1],
      [`${HASHED_V3_1}, */*`, HASHED_V3_1],
      [`${HASHED_V3};q=0.9, ${HASHED_V3_1}`, HASHED_V3_1],
    ];
    for (const [accept, type] of cases) {
      const res = await client.send("POST", "/dp/records/hashed", bad, accept === undefined ? {} : { Accept: accept });
      assert.match(expectHashedError(res, 400, type), /invalid hashed attributes \[email\]/, String(accept));
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
      assert.match(expectHashedError(res, 400), c.message);
      assert.equal(ctx.sim.store.records().size, before);
    });
  }

  it("answers 413 {errorMessage} over hashedMaxBytes", async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({ externalId: `big${i}`, hashedRecords: [{ email: H1 }] }));
    const res = await upload(records);
    assert.equal(expectHashedError(res, 413), "Max request size is 10000 bytes");
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
