import { strict as assert } from "node:assert";
import { TestClient, patchText, rawRequest, useSimulator } from "../../support/sim-http";

describe("simulator: admin API /__sim", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0 } });
  let client: TestClient;
  let id: string;
  before(async () => {
    client = await TestClient.login(ctx.sim);
    id = await client.createAudience({ name: "Admin view audience" });
    await client.patch([patchText("add", "/COOKIE-b/audiences", [id]), patchText("add", "/COOKIE-a/audiences", [id]), patchText("add", "/MAID-m/audiences", [id])].join(","));
  });

  it("GET /__sim/health", async () => {
    const res = await rawRequest(ctx.sim.url, "GET", "/__sim/health");
    assert.equal(res.status, 200);
    assert.equal((res.json as { status: string }).status, "ok");
  });

  it("GET /__sim/audiences lists audiences with string ids, metadata and member counts", async () => {
    const res = await rawRequest(ctx.sim.url, "GET", "/__sim/audiences");
    const [a] = (res.json as { audiences: Array<Record<string, unknown>> }).audiences;
    assert.equal(a?.id, id);
    assert.equal(a?.name, "Admin view audience");
    assert.equal(a?.advertiserId, "5551234567");
    assert.deepEqual(a?.members, { COOKIE: 2, MAID: 1, EXTERNAL_USER_ID: 0, total: 3 });
    assert.equal((a?.audienceSize as { receivedRecordSize: number }).receivedRecordSize, 3);
  });

  it("GET /__sim/audiences/{id}/members lists sorted members by type; 404 for unknown ids", async () => {
    const res = await rawRequest(ctx.sim.url, "GET", `/__sim/audiences/${id}/members`);
    assert.deepEqual(res.json, { COOKIE: ["a", "b"], MAID: ["m"], EXTERNAL_USER_ID: [] });
    assert.equal((await rawRequest(ctx.sim.url, "GET", "/__sim/audiences/1/members")).status, 404);
  });

  it("GET /__sim/requests?since=<seq> returns the request log after a cursor", async () => {
    const all = (await rawRequest(ctx.sim.url, "GET", "/__sim/requests")).json as { requests: Array<Record<string, unknown>> };
    const patch = all.requests.find((r) => r.method === "PATCH");
    assert.ok(patch);
    assert.equal(patch.path, "/v2/dp/audience");
    assert.equal(patch.status, 200);
    assert.equal(patch.patches, 3);
    assert.equal(patch.clientId, client.clientId);
    assert.equal(typeof patch.t, "number");
    assert.ok((patch.bytes as number) > 100);
    assert.match(String(patch.requestId), /^[0-9a-f-]{36}$/);
    const since = (await rawRequest(ctx.sim.url, "GET", `/__sim/requests?since=${patch.seq as number}`)).json as { requests: Array<{ seq: number }> };
    assert.ok(since.requests.length > 0);
    assert.ok(since.requests.every((r) => r.seq > (patch.seq as number)));
    assert.equal((await rawRequest(ctx.sim.url, "GET", "/__sim/requests?since=x")).status, 400);
  });

  it("GET /__sim/deletions lists user-deletion requests", async () => {
    const res = await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [{ userId: { type: "MAID", value: "m" } }] });
    const { requestId } = res.json as { requestId: string };
    const list = (await rawRequest(ctx.sim.url, "GET", "/__sim/deletions")).json as { deletions: Array<{ requestId: string; users: unknown }> };
    assert.deepEqual(list.deletions.find((d) => d.requestId === requestId)?.users, [{ type: "MAID", value: "m" }]);
  });

  it("answers 501 naming the route for anything the simulator does not implement", async () => {
    for (const [method, path] of [["GET", "/v2/dp/audiences"], ["DELETE", `/v2/dp/audiencemetadata/${id}`], ["PATCH", "/v2/dp/audience/"]]) {
      const res = await rawRequest(ctx.sim.url, method as string, path as string);
      assert.equal(res.status, 501);
      assert.equal((res.json as { route: string }).route, `${method} ${path}`);
    }
  });

  it("POST /__sim/reset forgets state but keeps request numbering", async () => {
    const lastSeq = ctx.sim.store.requests().at(-1)?.seq ?? 0;
    assert.equal((await rawRequest(ctx.sim.url, "POST", "/__sim/reset")).status, 200);
    assert.deepEqual(ctx.sim.store.listAudiences(), []);
    assert.deepEqual(ctx.sim.store.deletions(), []);
    await rawRequest(ctx.sim.url, "GET", "/__sim/health");
    assert.ok((ctx.sim.store.requests().at(-1)?.seq ?? 0) > lastSeq);
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 404);
  });
});
