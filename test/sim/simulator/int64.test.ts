import { strict as assert } from "node:assert";
import { TestClient, expectDpError, idFromText, patchText, useSimulator, validAudience } from "../../support/sim-http";

/**
 * Audience ids are above 2^53. A client that lets one pass through a JS number sends a rounded
 * id, which the simulator must treat as a different (unknown) audience.
 */
describe("simulator: int64 audience ids", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0, usersTps: 0 } });
  let client: TestClient;
  let id: string;
  before(async () => {
    client = await TestClient.login(ctx.sim);
    const res = await client.send("POST", "/v2/dp/audiencemetadata/", {
      name: "int64 audience", description: "", advertiserId: 1, metadata: { type: "DATA_PROVIDER", externalAudienceId: "int64", dataSourceCountry: ["US"] },
    });
    id = idFromText(res.text);
  });

  it("hands out ids above 2^53 that a JS number cannot hold", () => {
    assert.ok(BigInt(id) > 2n ** 53n);
    assert.notEqual(String(Number(id)), id, "the id must not survive a round trip through a JS number");
  });

  it("emits the id as an exact bare JSON number", async () => {
    const res = await client.send("GET", `/v2/dp/audiencemetadata/${id}`);
    assert.ok(res.text.includes(`"id":${id},`), res.text);
    // What a naive JSON.parse client sees: a different number.
    assert.notEqual(String((res.json as { audience: { id: number } }).audience.id), id);
  });

  it("matches an exact id sent as a JSON number", async () => {
    assert.equal((await client.patch(patchText("add", "/COOKIE-exact-number/audiences", [id]))).status, 200);
    assert.ok(ctx.sim.store.isMember(id, "COOKIE", "exact-number"));
  });

  it("does not match an id that went through a JS number (rounded), and 404s a GET of it", async () => {
    const rounded = JSON.stringify(Number(id));
    assert.notEqual(rounded, id);
    const body = JSON.stringify({ patches: [{ op: "add", path: "/COOKIE-rounded/audiences", value: [Number(id)] }] });
    assert.equal((await client.send("PATCH", "/v2/dp/audience", body)).status, 200);
    assert.deepEqual(ctx.sim.store.audiencesOf("COOKIE", "rounded"), []);
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${rounded}`)).status, 404);
  });

  it("keeps advertiserId exact too", async () => {
    const res = await client.send(
      "POST",
      "/v2/dp/audiencemetadata/",
      `{"name":"int64 advertiser","description":"","advertiserId":9007199254740993,"metadata":{"type":"DATA_PROVIDER","externalAudienceId":"adv","dataSourceCountry":["US"]}}`,
    );
    assert.equal(res.status, 200, res.text);
    assert.ok(res.text.includes(`"advertiserId":9007199254740993,`));
    assert.equal(ctx.sim.store.getAudience(idFromText(res.text))?.advertiserId, "9007199254740993");
  });

  // The documents type these fields `integer` (format int64): a quoted number is not one, even an
  // exact one, so a client that starts quoting ids fails here rather than against Amazon.
  const quoted: Array<{ name: string; path: string; method: string; body: () => string; field: string }> = [
    {
      name: "create: advertiserId",
      method: "POST",
      path: "/v2/dp/audiencemetadata/",
      body: () => JSON.stringify(validAudience({ advertiserId: "5840142710901" })),
      field: "advertiserId",
    },
    {
      name: "patch: an audience id among exact ones",
      method: "PATCH",
      path: "/v2/dp/audience",
      body: () => `{"patches":[${patchText("add", "/COOKIE-quoted/audiences", [id, `"${id}"`])}]}`,
      field: "patches[0].value[1]",
    },
    {
      name: "patch: the second patch's only audience id",
      method: "PATCH",
      path: "/v2/dp/audience",
      body: () => `{"patches":[${patchText("add", "/COOKIE-quoted/audiences", [id])},${patchText("remove", "/MAID-quoted/audiences", ['"72057594038053891"'])}]}`,
      field: "patches[1].value[0]",
    },
    {
      name: "users: consentTime",
      method: "PATCH",
      path: "/v2/dp/users",
      body: () => '{"operation":"DELETE","users":[{"userId":{"type":"COOKIE","value":"quoted"},"consentTime":"1700000000000"}]}',
      field: "users[0].consentTime",
    },
  ];
  for (const c of quoted) {
    it(`refuses a quoted int64 (${c.name}) with a 400 naming ${c.field}, changing nothing`, async () => {
      const audiences = ctx.sim.store.listAudiences().length;
      const deletions = ctx.sim.store.deletions().length;
      const res = await client.send(c.method, c.path, c.body());
      const body = expectDpError(res, 400, "INVALID_INPUT");
      const issue = body.error.errors.find((e) => e.fieldName === c.field);
      assert.ok(issue, res.text);
      assert.equal(issue.message, `The input field '${c.field}' must be a JSON integer, not a string`);
      assert.equal(ctx.sim.store.listAudiences().length, audiences);
      assert.equal(ctx.sim.store.deletions().length, deletions);
      assert.deepEqual(ctx.sim.store.audiencesOf("COOKIE", "quoted"), []);
    });
  }

  it("takes users[].advertiserId as the string the document types it as, and refuses a number", async () => {
    const user = (advertiserId: string): string => `{"operation":"DELETE","users":[{"userId":{"type":"COOKIE","value":"adv"},"advertiserId":${advertiserId}}]}`;
    assert.equal((await client.send("PATCH", "/v2/dp/users", user('"1"'))).status, 202);
    const res = await client.send("PATCH", "/v2/dp/users", user("1"));
    const body = expectDpError(res, 400, "INVALID_INPUT");
    assert.equal(body.error.errors[0]?.fieldName, "users[0].advertiserId");
  });
});
