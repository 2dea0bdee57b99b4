import { strict as assert } from "node:assert";
import { startSimulator, type FaultOptions, type RunningSimulator } from "../../../simulator";
import { TestClient, patchText, rawRequest, useSimulator, type DpErrorBody } from "../../support/sim-http";
import { within } from "../../support/wait-for";

const UNTHROTTLED = { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0 };

/** Sends n sequential GETs and returns the status of each. */
async function statuses(client: TestClient, id: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status);
  return out;
}

describe("simulator: seeded faults", () => {
  const ctx = useSimulator({ limits: UNTHROTTLED });
  let client: TestClient;
  let id: string;
  before(async () => {
    client = await TestClient.login(ctx.sim);
    id = await client.createAudience();
  });
  afterEach(() => ctx.sim.setFaults({}));

  it("answers about rate429 of 1,000 requests 429 with Retry-After, reproducibly for a seed", async () => {
    ctx.sim.setFaults({ seed: 42, rate429: 0.2 });
    const first = await statuses(client, id, 1000);
    const n429 = first.filter((s) => s === 429).length;
    assert.ok(n429 >= 150 && n429 <= 250, `${n429} 429s`);
    assert.equal(first.filter((s) => s === 200).length, 1000 - n429);

    ctx.sim.setFaults({ seed: 42, rate429: 0.2 });
    assert.deepEqual(await statuses(client, id, 1000), first, "same seed, same faults");
    ctx.sim.setFaults({ seed: 43, rate429: 0.2 });
    assert.notDeepEqual(await statuses(client, id, 100), first.slice(0, 100), "another seed, other faults");
  });

  it("sends Retry-After and the family's body shape with a fault 429", async () => {
    ctx.sim.setFaults({ rate429: 1 });
    const res = await client.send("GET", `/v2/dp/audiencemetadata/${id}`);
    assert.equal(res.status, 429);
    assert.equal(res.headers["retry-after"], "1");
    assert.equal((res.json as DpErrorBody).error.errors[0]?.errorType, "TOO_MANY_REQUESTS");
    const hashed = await client.send("POST", "/dp/records/hashed", { records: [] });
    assert.equal(hashed.status, 429);
    assert.deepEqual(Object.keys(hashed.json as object), ["errorMessage"]);
  });

  it("answers 500 and 503 with proper bodies at rate5xx", async () => {
    ctx.sim.setFaults({ seed: 7, rate5xx: 0.3 });
    const seen = await statuses(client, id, 300);
    const n5xx = seen.filter((s) => s === 500 || s === 503).length;
    assert.ok(n5xx >= 60 && n5xx <= 120, `${n5xx} 5xx`);
    assert.ok(seen.includes(500) && seen.includes(503));
    ctx.sim.setFaults({ rate5xx: 1, seed: 1 });
    const res = await client.send("GET", `/v2/dp/audiencemetadata/${id}`);
    const body = res.json as DpErrorBody;
    assert.equal(body.error.httpStatusCode, String(res.status));
    assert.ok(["INTERNAL_ERROR", "SERVICE_UNAVAILABLE"].includes(body.error.errors[0]?.errorType ?? ""));
  });

  it("drops connections without a response at dropRate", async () => {
    ctx.sim.setFaults({ dropRate: 1 });
    await assert.rejects(client.send("GET", `/v2/dp/audiencemetadata/${id}`), /socket hang up|ECONNRESET/);
    const log = ctx.sim.store.requests().at(-1);
    assert.equal(log?.status, 0);
    assert.equal(log?.fault, "drop");
  });

  it("adds latencyMs to faultable requests only", async () => {
    // The simulator waits out the latency with its `sleep`; this one holds each wait until released.
    const waits: Array<{ ms: number; release: () => void }> = [];
    let waited: () => void = () => undefined;
    const firstWait = new Promise<void>((resolve) => (waited = resolve));
    const sleep = (ms: number): Promise<void> =>
      new Promise<void>((release) => {
        waits.push({ ms, release });
        waited();
      });
    const sim = await startSimulator({ limits: UNTHROTTLED, sleep });
    try {
      const held = await TestClient.login(sim);
      const audience = await held.createAudience();
      sim.setFaults({ latencyMs: 120 });
      let answered = false;
      const get = held.send("GET", `/v2/dp/audiencemetadata/${audience}`).finally(() => (answered = true));
      await within(firstWait, "the simulator to wait out the latency");
      assert.deepEqual(waits.map((w) => w.ms), [120], "the faultable request waits latencyMs");
      assert.equal((await rawRequest(sim.url, "GET", "/__sim/health")).status, 200);
      assert.equal(answered, false, "the admin API answered while the faultable request was still held");
      assert.equal(waits.length, 1, "the admin API did not wait");
      waits[0]!.release();
      assert.equal((await get).status, 200);
    } finally {
      await sim.stop();
    }
  });

  it("waits out latencyMs on a real timer by default (a lower bound only)", async () => {
    ctx.sim.setFaults({ latencyMs: 120 });
    const t = performance.now();
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200);
    assert.ok(performance.now() - t >= 110);
  });

  it("never faults the token endpoint or the admin API, and honours `paths`", async () => {
    ctx.sim.setFaults({ rate5xx: 1 });
    assert.equal((await TestClient.login(ctx.sim)).token.startsWith("Atza|"), true);
    assert.equal((await rawRequest(ctx.sim.url, "GET", "/__sim/health")).status, 200);
    ctx.sim.setFaults({ rate5xx: 1, paths: ["/dp/records/hashed"] });
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200);
    const hashed = await client.send("POST", "/dp/records/hashed", { records: [{ externalId: "x", hashedRecords: [{ email: "a".repeat(64) }] }] });
    assert.ok(hashed.status === 500 || hashed.status === 503);
  });

  it("can be changed at run time over POST /__sim/faults, which validates the body", async () => {
    const set = await rawRequest(ctx.sim.url, "POST", "/__sim/faults", { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ rate429: 1 }) });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json, { faults: { rate429: 1 } });
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 429);
    for (const bad of [{ rate429: 2 }, { rate429: 0.6, rate5xx: 0.6 }, { latency: 5 }, { paths: "/v2" }]) {
      const res = await rawRequest(ctx.sim.url, "POST", "/__sim/faults", { body: JSON.stringify(bad) });
      assert.equal(res.status, 400, JSON.stringify(bad));
    }
    await rawRequest(ctx.sim.url, "POST", "/__sim/faults", { body: "{}" });
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200);
  });
});

describe("simulator: faulted requests leave state unchanged", () => {
  let sim: RunningSimulator;
  let client: TestClient;
  let id: string;
  beforeEach(async () => {
    sim = await startSimulator({ limits: UNTHROTTLED });
    client = await TestClient.login(sim);
    id = await client.createAudience();
  });
  afterEach(() => sim.stop());

  const faults: Array<{ name: string; faults: FaultOptions }> = [
    { name: "429", faults: { rate429: 1 } },
    { name: "5xx", faults: { rate5xx: 1 } },
    { name: "drop", faults: { dropRate: 1 } },
  ];
  for (const f of faults) {
    it(`${f.name}: no audience, membership, record or deletion change; a retry then succeeds`, async () => {
      await client.patch(patchText("add", "/COOKIE-before/audiences", [id]));
      const snapshot = (): unknown => ({
        audiences: sim.store.listAudiences(),
        members: sim.store.members(id),
        records: [...sim.store.records()],
        deletions: sim.store.deletions(),
      });
      const before = snapshot();
      sim.setFaults(f.faults);
      const attempts = [
        () => client.send("POST", "/v2/dp/audiencemetadata/", { name: "Faulted audience", description: "", advertiserId: 1, metadata: { type: "DATA_PROVIDER", externalAudienceId: "f", dataSourceCountry: ["US"] } }),
        () => client.send("PUT", `/v2/dp/audiencemetadata/${id}`, { description: "faulted" }),
        () => client.patch(patchText("add", "/COOKIE-faulted/audiences", [id])),
        () => client.send("PATCH", "/v2/dp/users", { operation: "DELETE", users: [{ userId: { type: "COOKIE", value: "before" } }] }),
        () => client.send("POST", "/dp/records/hashed", { records: [{ externalId: "faulted", hashedRecords: [{ email: "b".repeat(64) }] }] }),
      ];
      for (const attempt of attempts) {
        const outcome = await attempt().then((r) => r.status, () => "dropped");
        assert.notEqual(outcome, 200);
        assert.notEqual(outcome, 202);
      }
      assert.deepEqual(snapshot(), before);
      sim.setFaults({});
      assert.equal((await attempts[2]!()).status, 200);
      assert.ok(sim.store.isMember(id, "COOKIE", "faulted"));
    });
  }

  it("applyThenFail: the 5xx comes after the state changed", async () => {
    sim.setFaults({ rate5xx: 1, applyThenFail: true });
    const res = await client.patch(patchText("add", "/COOKIE-applied/audiences", [id]));
    assert.ok(res.status === 500 || res.status === 503);
    assert.ok(sim.store.isMember(id, "COOKIE", "applied"));
    assert.match(sim.store.requests().at(-1)?.fault ?? "", /^applyThenFail:50[03]$/);
  });
});

describe("simulator: exact routes, counts and out-of-band member changes", () => {
  let sim: RunningSimulator;
  let client: TestClient;
  let id: string;
  beforeEach(async () => {
    sim = await startSimulator({ limits: UNTHROTTLED });
    client = await TestClient.login(sim);
    id = await client.createAudience();
  });
  afterEach(() => sim.stop());

  it("applies the next 2 membership patches, answers them 5xx, and leaves metadata calls alone", async () => {
    const set = await rawRequest(sim.url, "POST", "/__sim/faults", {
      body: JSON.stringify({ rate5xx: 1, applyThenFail: true, count: 2, routes: ["PATCH /v2/dp/audience"] }),
    });
    assert.equal(set.status, 200);
    assert.equal((set.json as { remaining: number }).remaining, 2);
    assert.equal((await client.send("GET", `/v2/dp/audiencemetadata/${id}`)).status, 200, "audiencemetadata is another route");
    const statuses: number[] = [];
    for (const value of ["a", "b", "c"]) statuses.push((await client.patch(patchText("add", `/COOKIE-${value}/audiences`, [id]))).status);
    assert.ok(statuses.slice(0, 2).every((s) => s === 500 || s === 503), String(statuses));
    assert.equal(statuses[2], 200, "the rule is spent after 2");
    assert.deepEqual(sim.store.members(id)?.COOKIE, ["a", "b", "c"], "all three were applied");
    assert.equal(sim.faultsRemaining(), 0);
  });

  it("POST /__sim/audiences/{id}/members changes members like a console user, and validates the body", async () => {
    await client.patch(patchText("add", "/COOKIE-keep/audiences", [id]));
    await client.patch(patchText("add", "/COOKIE-gone/audiences", [id]));
    const before = sim.store.requests().filter((r) => r.path === "/v2/dp/audience").length;
    const res = await rawRequest(sim.url, "POST", `/__sim/audiences/${id}/members`, {
      body: JSON.stringify({ add: { COOKIE: ["console-added"], MAID: ["6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6"] }, remove: { COOKIE: ["gone"] } }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(sim.store.members(id), { COOKIE: ["console-added", "keep"], MAID: ["6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6"], EXTERNAL_USER_ID: [] });
    assert.equal(sim.store.requests().filter((r) => r.path === "/v2/dp/audience").length, before, "no Amazon request was made");
    sim.changeMembers(id, { remove: { MAID: ["6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6"] } });
    assert.deepEqual(sim.store.members(id)?.MAID, []);
    const bad = await rawRequest(sim.url, "POST", `/__sim/audiences/${id}/members`, { body: JSON.stringify({ add: { COOKI: ["x"] } }) });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /add\.COOKI: not one of COOKIE, MAID, EXTERNAL_USER_ID/);
    assert.equal((await rawRequest(sim.url, "POST", "/__sim/audiences/1/members", { body: "{}" })).status, 404);
    assert.throws(() => sim.changeMembers("1", { add: { COOKIE: ["x"] } }), /no audience with id 1/);
  });
});

describe("simulator: faults given at start", () => {
  const ctx = useSimulator({ faults: { rate429: 1, paths: ["/v2/dp/audiencemetadata"] } });

  it("applies options.faults from the first request", async () => {
    const client = await TestClient.login(ctx.sim);
    const res = await client.send("GET", "/v2/dp/audiencemetadata/1");
    assert.equal(res.status, 429);
    assert.equal(ctx.sim.store.requests().at(-1)?.fault, "429");
  });
});
