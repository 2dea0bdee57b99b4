import { strict as assert } from "node:assert";
import { startSimulator, type RunningSimulator } from "../../../simulator";
import { ManualClock, OTHER_CREDS, TestClient, patchText, type DpErrorBody } from "../../support/sim-http";

/** Throttles run on an injected clock: no test waits for a bucket to refill. */
describe("simulator: throttling (token buckets per endpoint and client id)", () => {
  let clock: ManualClock;
  let sim: RunningSimulator;
  let client: TestClient;
  let id: string;

  beforeEach(async () => {
    clock = new ManualClock();
    sim = await startSimulator({ clock: clock.read, additionalCredentials: [OTHER_CREDS] });
    client = await TestClient.login(sim);
    id = await client.createAudience(); // takes the metadata token
    clock.advance(1000);
  });
  afterEach(async () => {
    await sim.stop();
  });

  function assertThrottled(res: { status: number; headers: Record<string, unknown>; json: unknown }, retryAfter: string): void {
    assert.equal(res.status, 429);
    assert.equal(res.headers["retry-after"], retryAfter);
    const body = res.json as DpErrorBody;
    assert.equal(body.error.httpStatusCode, "429");
    assert.equal(body.error.errors[0]?.errorType, "TOO_MANY_REQUESTS");
  }

  it("allows 1 metadata request per second, shared by POST, GET and PUT, with Retry-After in whole seconds", async () => {
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200);
    assertThrottled(await client.send("PUT", `/v2/dp/audiencemetadata/${id}`, { description: "x" }), "1");
    clock.advance(999);
    assertThrottled(await client.send("POST", "/v2/dp/audiencemetadata/", {}), "1");
    clock.advance(1);
    assert.equal((await client.send("PUT", `/v2/dp/audiencemetadata/${id}`, { description: "x" })).status, 200);
    assert.equal(sim.store.getAudience(id)?.description, "x");
  });

  it("never admits two metadata requests within any 1 s window", async () => {
    const admitted: number[] = [];
    for (let step = 0; step < 40; step++) {
      const res = await client.send("GET", `/v2/dp/audiencemetadata/${id}`);
      if (res.status === 200) admitted.push(clock.now);
      else assert.equal(res.status, 429);
      clock.advance(137);
    }
    assert.ok(admitted.length >= 4);
    for (let i = 1; i < admitted.length; i++) assert.ok((admitted[i] as number) - (admitted[i - 1] as number) >= 1000);
  });

  it("keeps separate buckets per client id", async () => {
    const other = await TestClient.login(sim, OTHER_CREDS);
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200);
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 429);
    assert.equal((await other.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 403, "other's own bucket still had a token");
  });

  it("keeps separate buckets per endpoint family", async () => {
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200);
    assert.equal((await client.patch(patchText("add", "/COOKIE-x/audiences", [id]))).status, 200);
    assert.equal((await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [{ userId: { type: "COOKIE", value: "x" } }] })).status, 202);
  });

  it("allows 100 audience patches per second, then 429", async () => {
    for (let i = 0; i < 100; i++) assert.equal((await client.patch(patchText("add", `/COOKIE-t${i}/audiences`, [id]))).status, 200);
    const throttled = await client.patch(patchText("add", "/COOKIE-t100/audiences", [id]));
    assertThrottled(throttled, "1");
    assert.equal(sim.store.isMember(id, "COOKIE", "t100"), false, "a throttled patch changes nothing");
    clock.advance(10);
    assert.equal((await client.patch(patchText("add", "/COOKIE-t101/audiences", [id]))).status, 200);
  });

  it("allows 1 users request per second and answers Retry-After 1", async () => {
    const body = { operation: "DELETE", users: [{ userId: { type: "COOKIE", value: "x" } }] };
    assert.equal((await client.send("PATCH", "/v2/dp/users", body)).status, 202);
    assertThrottled(await client.send("PATCH", "/v2/dp/users", body), "1");
    assert.equal(sim.store.deletions().length, 1);
  });

  it("throttles hashed uploads at 10 TPS with an {errorMessage} body", async () => {
    const body = { records: [{ externalId: "t", hashedRecords: [{ email: "a".repeat(64) }] }] };
    for (let i = 0; i < 10; i++) assert.equal((await client.send("POST", "/dp/records/hashed", body)).status, 200);
    const res = await client.send("POST", "/dp/records/hashed", body);
    assert.equal(res.status, 429);
    assert.equal(res.headers["retry-after"], "1");
    assert.deepEqual(res.json, { errorMessage: "Too Many Requests" });
  });
});

describe("simulator: configurable limits", () => {
  it("rounds Retry-After up to whole seconds for slow buckets, and honours throttleBurst", async () => {
    const clock = new ManualClock();
    const sim = await startSimulator({ clock: clock.read, limits: { usersTps: 0.25, throttleBurst: 2 } });
    try {
      const client = await TestClient.login(sim);
      const body = { operation: "DELETE", users: [{ userId: { type: "COOKIE", value: "x" } }] };
      assert.equal((await client.send("PATCH", "/v2/dp/users", body)).status, 202);
      assert.equal((await client.send("PATCH", "/v2/dp/users", body)).status, 202, "burst of 2");
      const third = await client.send("PATCH", "/v2/dp/users", body);
      assert.equal(third.status, 429);
      assert.equal(third.headers["retry-after"], "4");
      clock.advance(3500);
      assert.equal((await client.send("PATCH", "/v2/dp/users", body)).headers["retry-after"], "1");
      clock.advance(500);
      assert.equal((await client.send("PATCH", "/v2/dp/users", body)).status, 202);
    } finally {
      await sim.stop();
    }
  });

  it("disables a throttle with a rate of 0", async () => {
    const sim = await startSimulator({ limits: { metadataTps: 0 } });
    try {
      const client = await TestClient.login(sim);
      for (let i = 0; i < 5; i++) await client.createAudience();
      assert.equal(sim.store.listAudiences().length, 5);
    } finally {
      await sim.stop();
    }
  });

  it("answers 413 over usersMaxBytes before parsing", async () => {
    const sim = await startSimulator({ limits: { usersMaxBytes: 200 } });
    try {
      const client = await TestClient.login(sim);
      const res = await client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [{ userId: { type: "COOKIE", value: "x".repeat(300) } }] });
      assert.equal(res.status, 413);
      assert.equal((res.json as DpErrorBody).error.errors[0]?.errorType, "INPUT_TOO_LARGE");
    } finally {
      await sim.stop();
    }
  });
});
