import { strict as assert } from "node:assert";
import { TestClient, patchText, useSimulator, type DpErrorBody } from "../../support/sim-http";

const HASH = "a".repeat(64);

describe("simulator: PATCH /v2/dp/users", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0, usersTps: 0, usersMaxUsers: 3 } });
  let client: TestClient;
  let a1: string; // advertiser 100
  let a2: string; // advertiser 100
  let b1: string; // advertiser 200
  before(async () => {
    client = await TestClient.login(ctx.sim);
    a1 = await client.createAudience({ advertiserId: 100 });
    a2 = await client.createAudience({ advertiserId: 100 });
    b1 = await client.createAudience({ advertiserId: 200 });
  });

  const user = (type: string, value: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ userId: { type, value }, ...extra });

  it("answers 202 {requestId}, records the request and removes the user from the client's audiences", async () => {
    await client.patch(patchText("add", "/COOKIE-gone/audiences", [a1, a2, b1]));
    const res = await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [user("COOKIE", "gone", { consentTime: 1700000000000 })] });
    assert.equal(res.status, 202);
    const { requestId } = res.json as { requestId: string };
    assert.deepEqual(Object.keys(res.json as object), ["requestId"]);
    assert.deepEqual(ctx.sim.store.audiencesOf("COOKIE", "gone"), []);
    const deletion = ctx.sim.store.deletions().find((d) => d.requestId === requestId);
    assert.deepEqual(deletion?.users, [{ type: "COOKIE", value: "gone", consentTime: "1700000000000" }]);
  });

  it("scopes the deletion to one advertiser when advertiserId is given (a string, as documented)", async () => {
    await client.patch(patchText("add", "/MAID-scoped/audiences", [a1, b1]));
    const res = await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [user("MAID", "scoped", { advertiserId: "100" })] });
    assert.equal(res.status, 202);
    assert.deepEqual(ctx.sim.store.audiencesOf("MAID", "scoped"), [b1]);
    assert.equal((await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [user("MAID", "scoped", { advertiserId: "200" })] })).status, 202);
    assert.deepEqual(ctx.sim.store.audiencesOf("MAID", "scoped"), []);
  });

  it("forgets the hashed record of an EXTERNAL_USER_ID deleted without advertiser scope", async () => {
    const up = await client.send("POST", "/dp/records/hashed", { records: [{ externalId: "ext-del", hashedRecords: [{ email: HASH }] }] });
    assert.equal(up.status, 200);
    await client.patch(patchText("add", "/EXTERNAL_USER_ID-ext-del/audiences", [a1]));
    await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [user("EXTERNAL_USER_ID", "ext-del", { advertiserId: "100" })] });
    assert.ok(ctx.sim.store.records().has("ext-del"), "advertiser-scoped deletion keeps the record");
    await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [user("EXTERNAL_USER_ID", "ext-del")] });
    assert.equal(ctx.sim.store.records().has("ext-del"), false);
    assert.deepEqual(ctx.sim.store.audiencesOf("EXTERNAL_USER_ID", "ext-del"), []);
  });

  const invalid: Array<{ name: string; body: unknown; field: string | undefined }> = [
    { name: "operation other than DELETE", body: { operation: "REMOVE", users: [user("COOKIE", "x")] }, field: "operation" },
    { name: "missing operation", body: { users: [user("COOKIE", "x")] }, field: "operation" },
    { name: "missing users", body: { operation: "DELETE" }, field: "users" },
    { name: "empty users", body: { operation: "DELETE", users: [] }, field: "users" },
    { name: "unknown user type", body: { operation: "DELETE", users: [user("EMAIL", "x")] }, field: "users[0].userId.type" },
    { name: "empty user value", body: { operation: "DELETE", users: [user("COOKIE", "")] }, field: "users[0].userId.value" },
    { name: "guide shape (userId array of {type,id})", body: { users: [{ userId: [{ type: "COOKIE", id: "x" }] }] }, field: "users[0].userId" },
    { name: "non-numeric advertiserId", body: { operation: "DELETE", users: [user("COOKIE", "x", { advertiserId: "adv" })] }, field: "users[0].advertiserId" },
    { name: "negative consentTime", body: { operation: "DELETE", users: [user("COOKIE", "x", { consentTime: -1 })] }, field: "users[0].consentTime" },
    { name: "unknown user field", body: { operation: "DELETE", users: [user("COOKIE", "x", { reason: "gdpr" })] }, field: "users[0].reason" },
  ];
  for (const c of invalid) {
    it(`answers 400 INVALID_INPUT for ${c.name}`, async () => {
      const before = ctx.sim.store.deletions().length;
      const res = await client.send("PATCH", "/v2/dp/users", c.body);
      assert.equal(res.status, 400, res.text);
      const body = res.json as DpErrorBody;
      assert.equal(body.error.httpStatusCode, "400");
      assert.equal(body.error.errors.find((e) => e.fieldName === c.field)?.errorType, "INVALID_INPUT", res.text);
      assert.equal(ctx.sim.store.deletions().length, before);
    });
  }

  it("answers 413 INPUT_TOO_LARGE for more than usersMaxUsers users", async () => {
    const res = await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: ["a", "b", "c", "d"].map((v) => user("COOKIE", v)) });
    assert.equal(res.status, 413);
    assert.equal((res.json as DpErrorBody).error.errors[0]?.errorType, "INPUT_TOO_LARGE");
    assert.equal((await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: ["a", "b", "c"].map((v) => user("COOKIE", v)) })).status, 202);
  });
});
