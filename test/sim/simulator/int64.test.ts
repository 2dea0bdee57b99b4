import { strict as assert } from "node:assert";
import { TestClient, idFromText, patchText, useSimulator } from "../../support/sim-http";

/**
 * Audience ids are above 2^53. A client that lets one pass through a JS number sends a rounded
 * id, which the simulator must treat as a different (unknown) audience.
 */
describe("simulator: int64 audience ids", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0 } });
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

  it("matches an exact id sent as a JSON number, and as a numeric string", async () => {
    assert.equal((await client.patch(patchText("add", "/COOKIE-exact-number/audiences", [id]))).status, 200);
    assert.equal((await client.patch(patchText("add", "/COOKIE-exact-string/audiences", [`"${id}"`]))).status, 200);
    assert.ok(ctx.sim.store.isMember(id, "COOKIE", "exact-number"));
    assert.ok(ctx.sim.store.isMember(id, "COOKIE", "exact-string"));
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
});
