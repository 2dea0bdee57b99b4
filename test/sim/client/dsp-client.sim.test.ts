/**
 * DspClient against the simulator over real HTTP: throttles, faults, token
 * expiry and int64 ids, checked against the simulator's own request log and
 * membership store rather than against what the client believes it did.
 */
import assert from "node:assert/strict";
import { SIMULATOR_CREDENTIALS, startSimulator, type FaultOptions } from "../../../simulator";
import {
  DEFAULT_LANE_LIMITS,
  DspClient,
  DspCreateMayHaveSucceededError,
  DspHttpError,
  DspRateLimitError,
  DspRetryBudgetExhaustedError,
  simulatorEndpoint,
  type CreateAudienceInput,
  type DspClientEvent,
  type DspClientOptions,
  type MembershipOp,
} from "../../../provider/client";
import { audiences, deletions, lastSeq, maxInWindow, members, records, requestLog } from "../../support/sim-admin";
import { startSimulatorProcess } from "../../support/simulator-process";

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

const MAX_INT64 = "9223372036854775807";
const TWO_POW_53 = 2n ** 53n;

let externalIdCounter = 0;
const audienceInput = (name = "Simulator test audience"): CreateAudienceInput => ({
  name,
  description: "created by the client sim tests",
  advertiserId: MAX_INT64,
  externalAudienceId: `ext-${process.pid}-${++externalIdCounter}`,
  dataSourceCountry: ["US"],
  ttl: 2_592_000,
});

const cookies = (count: number, prefix = "ck"): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(7, "0")}-AbCdEfGhIj`);

describe("DspClient against the simulator", function () {
  this.timeout(30_000);

  let sim: Simulator;
  let simClockOffsetMs = 0;
  const clients: DspClient[] = [];

  // Metadata runs at 5 req/s here (simulator and client alike) to keep the suite fast; the
  // spacing test below uses the real limits.
  const newClient = (options: Partial<DspClientOptions> = {}): DspClient => {
    const client = new DspClient({
      endpoint: simulatorEndpoint(sim.url),
      credentials: SIMULATOR_CREDENTIALS,
      throttle: { metadata: { ratePerSecond: 5, spacingMarginMs: 20 } },
      ...options,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    sim = await startSimulator({ port: 0, limits: { metadataTps: 5 }, clock: () => Date.now() + simClockOffsetMs });
  });
  afterEach(() => {
    sim.setFaults({});
    for (const client of clients.splice(0)) client.close();
  });
  after(async () => {
    await sim.stop();
  });

  it("round-trips ids above 2^53 through create, get, put and patch", async () => {
    const client = newClient();
    const created = await client.createAudience(audienceInput());
    assert.ok(BigInt(created.audienceId) > TWO_POW_53, `audience id ${created.audienceId} should exceed 2^53`);
    assert.equal(created.advertiserId, MAX_INT64);

    const fetched = await client.getAudience(created.audienceId);
    assert.equal(fetched.audienceId, created.audienceId);
    assert.equal(fetched.advertiserId, MAX_INT64);

    const updated = await client.updateAudience(created.audienceId, { description: "updated", ttl: 86_400 });
    assert.equal(updated.audienceId, created.audienceId);
    assert.equal(updated.description, "updated");

    await client.patchAudienceMembership({
      ops: [
        { op: "add", type: "COOKIE", value: "cookie-1", audienceIds: [created.audienceId] },
        { op: "add", type: "MAID", value: "c3b9a1f2-0000-4000-8000-000000000001", audienceIds: [created.audienceId] },
        { op: "add", type: "EXTERNAL_USER_ID", value: "user_42", audienceIds: [created.audienceId] },
      ],
    });
    assert.deepEqual(await members(sim.url, created.audienceId), {
      COOKIE: ["cookie-1"],
      MAID: ["c3b9a1f2-0000-4000-8000-000000000001"],
      EXTERNAL_USER_ID: ["user_42"],
    });
    const stored = (await audiences(sim.url)).find((a) => a.id === created.audienceId);
    assert.ok(stored, "the simulator knows the audience under the exact id the client holds");
  });

  it("reports Amazon's field on a 400 and sends the create once", async () => {
    const client = newClient();
    const since = await lastSeq(sim.url);
    await assert.rejects(client.createAudience({ ...audienceInput(), name: "short" }), (error: unknown) => {
      assert.ok(error instanceof DspHttpError);
      assert.equal(error.status, 400);
      assert.equal(error.fieldName, "name");
      assert.ok(error.requestId !== undefined && error.message.includes(error.requestId));
      assert.match(error.message, /^POST \/v2\/dp\/audiencemetadata: request failed \(HTTP 400/);
      return true;
    });
    // A 429 (the previous test's client used the same per-client-id limit) is rejected before processing and may be retried.
    const posts = (await requestLog(sim.url, since)).filter((e) => e.method === "POST" && e.path.startsWith("/v2/dp/audiencemetadata") && e.status !== 429);
    assert.deepEqual(posts.map((e) => e.status), [400]);
  });

  it("spaces requests within each lane's limits (read from the simulator's log)", async () => {
    const separate = await startSimulatorProcess();
    const patchSendTimes: number[] = [];
    const metadataSendTimes: number[] = [];
    const client = new DspClient({
      endpoint: simulatorEndpoint(separate.url),
      credentials: SIMULATOR_CREDENTIALS,
      batchLimits: { patches: { maxPatches: 5 } },
      onEvent: (event) => {
        if (event.type === "request-sent" && event.lane === "audienceMembership") patchSendTimes.push(Date.now());
        if (event.type === "request-sent" && event.lane === "metadata") metadataSendTimes.push(Date.now());
      },
    });
    try {
      const audience = await client.createAudience(audienceInput());
      const since = await lastSeq(separate.url);
      const gets = Promise.all([1, 2, 3].map(() => client.getAudience(audience.audienceId)));
      const patches = client.patchAudienceMembership({ columns: [{ op: "add", type: "COOKIE", values: cookies(1500), audienceIds: [audience.audienceId] }] });
      await Promise.all([gets, patches]);

      const log = await requestLog(separate.url, since);
      assert.deepEqual(log.filter((e) => e.status === 429), [], "the simulator never had to throttle");
      const metadata = log.filter((e) => e.path.startsWith("/v2/dp/audiencemetadata"));
      assert.equal(metadata.length, 3);
      for (let i = 1; i < metadata.length; i++) {
        const gap = (metadata[i]?.t ?? 0) - (metadata[i - 1]?.t ?? 0);
        assert.ok(gap >= 1000, `metadata requests arrived ${gap} ms apart`);
      }
      // Sent 1 s + at least the starting margin apart (create included; the margin only widens
      // after a 429), ±5 ms for timestamps taken just after the limiter's decision.
      const leastGapMs = 1000 + DEFAULT_LANE_LIMITS.metadata.spacingMarginMs - 5;
      for (let i = 1; i < metadataSendTimes.length; i++) {
        const gap = (metadataSendTimes[i] ?? 0) - (metadataSendTimes[i - 1] ?? 0);
        assert.ok(gap >= leastGapMs, `metadata requests sent ${gap} ms apart (at least ${leastGapMs} expected)`);
      }
      const patchEntries = log.filter((e) => e.path === "/v2/dp/audience");
      assert.equal(patchEntries.length, 300);
      // The simulator's verdict (no 429 above) is the authority on arrival. Its log times are taken
      // when a handler runs, so on a busy machine they bunch requests the client spaced; count the
      // client's send times instead (±1 for timestamps taken just after the limiter's decision; the
      // exact bound of ≤ 100 starts in any 1 s is unit-tested on a fake clock).
      const sent = patchSendTimes.map((t) => ({ t }));
      assert.ok(maxInWindow(sent, 1000) <= 101, `${maxInWindow(sent, 1000)} patch requests sent within 1 s`);
      const spanMs = (patchEntries.at(-1)?.t ?? 0) - (patchEntries[0]?.t ?? 0);
      assert.ok(spanMs >= 2900, `300 patch requests took ${spanMs} ms; at ≤ 100 req/s they need ≥ 2990 ms`);
    } finally {
      client.close();
      await separate.stop();
    }
  });

  it("survives a 429 storm, 5xx bursts and dropped connections: nothing lost, each patch accepted once", async () => {
    const events: DspClientEvent[] = [];
    // Retry-After is clamped to 50 ms: these 429s are injected faults, not real throttling, and the suite must stay fast.
    const client = newClient({
      batchLimits: { patches: { maxPatches: 200 } },
      retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetryAfterMs: 50, maxAttempts: 30 },
      onEvent: (event) => events.push(event),
    });
    const first = await client.createAudience(audienceInput());
    const second = await client.createAudience(audienceInput());
    const faults: FaultOptions = { seed: 7, rate429: 0.25, rate5xx: 0.2, dropRate: 0.05, paths: ["/v2/dp/audience"] };
    sim.setFaults(faults);
    const since = await lastSeq(sim.url);

    const cookieValues = cookies(6000, "storm");
    const maids = Array.from({ length: 4000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const ops: MembershipOp[] = [
      ...cookieValues.map((value) => ({ op: "add" as const, type: "COOKIE" as const, value, audienceIds: [first.audienceId] })),
      // The same MAIDs for both audiences, given as separate rows: merged into one patch per MAID.
      ...maids.map((value) => ({ op: "add" as const, type: "MAID" as const, value, audienceIds: [first.audienceId] })),
      ...maids.map((value) => ({ op: "add" as const, type: "MAID" as const, value, audienceIds: [second.audienceId] })),
    ];
    const result = await client.patchAudienceMembership({ ops });
    assert.equal(result.patches, 10_000);
    assert.equal(result.ops, 14_000);

    const log = (await requestLog(sim.url, since)).filter((e) => e.path === "/v2/dp/audience");
    const accepted = log.filter((e) => e.status === 200);
    const faulted = log.filter((e) => e.status !== 200);
    assert.ok(faulted.some((e) => e.status === 429) && faulted.some((e) => e.status >= 500) && faulted.some((e) => e.status === 0), "all fault kinds happened");
    assert.equal(accepted.length, result.requests);
    assert.equal(
      accepted.reduce((sum, e) => sum + (e.patches ?? 0), 0),
      10_000,
      "every patch was accepted exactly once (faulted requests change nothing)",
    );
    const firstMembers = await members(sim.url, first.audienceId);
    const secondMembers = await members(sim.url, second.audienceId);
    assert.deepEqual([...firstMembers.COOKIE].sort(), [...cookieValues].sort());
    assert.deepEqual([...firstMembers.MAID].sort(), [...maids].sort());
    assert.deepEqual([...secondMembers.MAID].sort(), [...maids].sort());
    assert.deepEqual(secondMembers.COOKIE, []);
    const retryReasons = new Set(events.flatMap((e) => (e.type === "retry" ? [e.reason] : [])));
    assert.deepEqual([...retryReasons].sort(), ["THROTTLED", "TRANSIENT"]);

    // And removal under the same storm.
    const removed = cookieValues.slice(0, 2500);
    await client.patchAudienceMembership({ columns: [{ op: "remove", type: "COOKIE", values: removed, audienceIds: [first.audienceId] }] });
    assert.deepEqual([...(await members(sim.url, first.audienceId)).COOKIE].sort(), cookieValues.slice(2500).sort());
  });

  it("never re-sends a create that may have been processed; the audience can then be adopted by id", async () => {
    const client = newClient();
    const input = audienceInput();
    sim.setFaults({ rate5xx: 1, applyThenFail: true, paths: ["/v2/dp/audiencemetadata"] });
    const since = await lastSeq(sim.url);
    await assert.rejects(client.createAudience(input), (error: unknown) => {
      assert.ok(error instanceof DspCreateMayHaveSucceededError, String(error));
      assert.ok(error.status === 500 || error.status === 503);
      assert.match(error.message, /the audience may exist/);
      return true;
    });
    const posts = (await requestLog(sim.url, since)).filter((e) => e.method === "POST" && e.path.startsWith("/v2/dp/audiencemetadata"));
    assert.equal(posts.length, 1, "sent exactly once");
    sim.setFaults({});
    const existing = (await audiences(sim.url)).find((a) => JSON.stringify(a).includes(input.externalAudienceId));
    assert.ok(existing, "the audience was in fact created");
    assert.equal((await client.getAudience(existing.id)).externalAudienceId, input.externalAudienceId);
  });

  it("retries a create rejected with 429 and creates it exactly once", async () => {
    const client = newClient({ retry: { maxRetryAfterMs: 100 } });
    const input = audienceInput();
    // With seed 7 the fault PRNG draws 0.01, 0.06, 0.98: two 429s, then a pass.
    sim.setFaults({ seed: 7, rate429: 0.6, paths: ["/v2/dp/audiencemetadata"] });
    const since = await lastSeq(sim.url);
    const created = await client.createAudience(input);
    const posts = (await requestLog(sim.url, since)).filter((e) => e.method === "POST" && e.path.startsWith("/v2/dp/audiencemetadata"));
    assert.deepEqual(posts.map((e) => e.status), [429, 429, 200]);
    const matching = (await audiences(sim.url)).filter((a) => JSON.stringify(a).includes(input.externalAudienceId));
    assert.deepEqual(matching.map((a) => a.id), [created.audienceId]);
  });

  it("refreshes a token the server no longer accepts exactly once", async () => {
    const client = newClient();
    const audience = await client.createAudience(audienceInput());
    const since = await lastSeq(sim.url);
    simClockOffsetMs += 2 * 3_600_000; // the simulator's clock jumps past the token's expiry; the client does not know
    try {
      assert.equal((await client.getAudience(audience.audienceId)).audienceId, audience.audienceId);
    } finally {
      simClockOffsetMs -= 2 * 3_600_000;
    }
    const log = await requestLog(sim.url, since);
    assert.deepEqual(
      log.map((e) => `${e.method} ${e.path.startsWith("/v2/dp/audiencemetadata") ? "/v2/dp/audiencemetadata/{id}" : e.path} ${e.status}`),
      ["GET /v2/dp/audiencemetadata/{id} 401", "POST /auth/o2/token 200", "GET /v2/dp/audiencemetadata/{id} 200"],
    );
  });

  it("renews a short-lived token before it expires, without a 401", async () => {
    const shortLived = await startSimulator({ port: 0, accessTokenTtlSeconds: 2, limits: { metadataTps: 5 } });
    const client = new DspClient({ endpoint: simulatorEndpoint(shortLived.url), credentials: SIMULATOR_CREDENTIALS, throttle: { metadata: { ratePerSecond: 5 } } });
    try {
      const audience = await client.createAudience(audienceInput());
      for (let i = 0; i < 8; i++) await client.getAudience(audience.audienceId); // ≥ 1.6 s at 5 req/s: past the renewal at half the 2 s lifetime
      const log = await requestLog(shortLived.url);
      assert.equal(log.filter((e) => e.status === 401).length, 0);
      assert.ok(log.filter((e) => e.path === "/auth/o2/token").length >= 2, "renewed at least once");
    } finally {
      client.close();
      await shortLived.stop();
    }
  });

  it("uploads hashed records and requests user deletions", async () => {
    const client = newClient();
    const hash = (n: number): string => n.toString(16).padStart(64, "0");
    const uploaded = await client.uploadHashedRecords([
      { externalId: "sim-user-1", hashedRecords: [{ email: hash(1), phone: hash(2) }] },
      { externalId: "sim-user-2", hashedRecords: [{ email: hash(3) }, { email: hash(4) }] },
    ]);
    assert.equal(uploaded.records, 2);
    const stored = await records(sim.url);
    assert.equal(stored["sim-user-1"]?.sets, 1);
    assert.equal(stored["sim-user-2"]?.sets, 2);

    const before = (await deletions(sim.url)).length;
    const deleted = await client.deleteUsers([{ type: "EXTERNAL_USER_ID", value: "sim-user-1", advertiserId: MAX_INT64, consentTime: 1_700_000_000_000 }]);
    assert.equal(deleted.users, 1);
    assert.equal((await deletions(sim.url)).length, before + 1);
  });

  it("reads the simulator's documented error answers: a DP 404 body and a hashed-records 429 {errorMessage}", async () => {
    const client = newClient({ retry: { maxAttempts: 1 } });
    const unknown = (BigInt((await client.createAudience(audienceInput())).audienceId) + 1000n).toString();
    await assert.rejects(client.getAudience(unknown), (error: unknown) => {
      assert.ok(error instanceof DspHttpError);
      assert.equal(error.status, 404);
      assert.equal(error.errorType, "NOT_FOUND");
      assert.equal(error.fieldName, "audienceId");
      assert.ok(error.requestId !== undefined);
      return true;
    });
    const since = await lastSeq(sim.url);
    sim.setFaults({ rate429: 1, routes: ["POST /dp/records/hashed"] });
    const error: unknown = await client.uploadHashedRecords([{ externalId: "sim-throttled", hashedRecords: [{ email: "d".repeat(64) }] }]).then(
      () => assert.fail("the upload should have been throttled"),
      (e: unknown) => e,
    );
    const last = error instanceof DspRetryBudgetExhaustedError ? error.lastError : error;
    assert.ok(last instanceof DspRateLimitError, String(error));
    assert.equal(last.description, "Too Many Requests");
    const logged = (await requestLog(sim.url, since)).find((e) => e.path === "/dp/records/hashed");
    assert.equal(logged?.status, 429);
    assert.equal(last.requestId, logged?.requestId, "the request id comes from x-amzn-requestid");
  });
});
