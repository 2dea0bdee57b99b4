import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  DspAuthError,
  DspClient,
  DspCreateMayHaveSucceededError,
  DspHttpError,
  DspNetworkError,
  DspRetryBudgetExhaustedError,
  InvalidInputError,
  packHashedRecords,
  packKeyedUserDeletions,
  packMembershipColumns,
  packUserDeletions,
  type DspClientEvent,
  type DspClientOptions,
  type HttpRequest,
  type HttpResponse,
} from "../../../provider/client";
import { FakeClock } from "../../support/fake-clock";
import { FakeTransport, TEST_CREDENTIALS, jsonResponse, routeHandler, tokenHandler, type Handler } from "../../support/fake-transport";

const API = "https://advertising-api.amazon.com";
const BIG_ID = "72057594038053890";
const MAX_ID = "9223372036854775807";

const audienceBody = (overrides: Record<string, unknown> = {}): string =>
  `{"requestId":"req-meta","audience":{"id":${BIG_ID},"name":"Cookie lovers audience","description":"d","advertiserId":${MAX_ID},` +
  `"metadata":{"type":"DATA_PROVIDER","externalAudienceId":"ext-1","ttl":2592000,"audienceFees":[{"cpmCents":150,"currency":"USD"}],` +
  `"dataSourceCountry":["US"],"audienceSize":{"receivedRecordSize":10,"matchedRecordSize":7,"matchRate":0.7}${
    Object.keys(overrides).length > 0 ? "," + JSON.stringify(overrides).slice(1, -1) : ""
  }}}}`;

const CREATE_INPUT = {
  name: "Cookie lovers audience",
  description: "d",
  advertiserId: MAX_ID,
  externalAudienceId: "ext-1",
  dataSourceCountry: ["US"],
  ttl: 2592000,
  audienceFees: [{ cpmCents: 150, currency: "USD" as const }],
};

function setup(api: Handler, options: Partial<DspClientOptions> = {}) {
  const clock = new FakeClock({ startMs: 0 });
  const tokens = tokenHandler();
  const transport = new FakeTransport(clock, routeHandler(api, tokens.handle));
  const events: DspClientEvent[] = [];
  const client = new DspClient({
    endpoint: "NA",
    credentials: TEST_CREDENTIALS,
    clock,
    transport,
    onEvent: (event) => events.push(event),
    ...options,
  });
  return { clock, tokens, transport, client, events };
}

const accepted = (index: number): HttpResponse => jsonResponse(200, { jobId: `job-${index}`, requestId: `req-${index}` });

describe("DspClient (fake transport, virtual time)", () => {
  describe("audience metadata", () => {
    it("creates with the documented request and reads big ids losslessly", async () => {
      const { client, transport } = setup(() => jsonResponse(200, audienceBody()));
      const audience = await client.createAudience(CREATE_INPUT);
      assert.equal(audience.audienceId, BIG_ID);
      assert.equal(audience.advertiserId, MAX_ID);
      assert.deepEqual(audience.audienceSize, { receivedRecordSize: 10, matchedRecordSize: 7, matchRate: 0.7 });
      const [request] = transport.apiRequests;
      assert.equal(request?.method, "POST");
      assert.equal(request?.url, `${API}/v2/dp/audiencemetadata/`);
      assert.equal(request?.headers["authorization"], "Bearer Atza|token-1");
      assert.equal(request?.headers["amazon-advertising-api-clientid"], TEST_CREDENTIALS.clientId);
      assert.equal(request?.headers["content-type"], "application/json");
      assert.equal(request?.freshConnection, true);
      assert.equal(
        request?.body,
        `{"name":"Cookie lovers audience","description":"d","advertiserId":${MAX_ID},"metadata":{"type":"DATA_PROVIDER","externalAudienceId":"ext-1","dataSourceCountry":["US"],"ttl":2592000,"audienceFees":[{"cpmCents":150,"currency":"USD"}]}}`,
      );
    });

    it("gets and updates by id, sending only updatable fields", async () => {
      const { client, transport } = setup(() => jsonResponse(200, audienceBody()));
      assert.equal((await client.getAudience(BIG_ID)).externalAudienceId, "ext-1");
      await client.updateAudience(BIG_ID, { description: "new", ttl: 60 });
      const [get, put] = transport.apiRequests;
      assert.equal(get?.url, `${API}/v2/dp/audiencemetadata/${BIG_ID}`);
      assert.equal(get?.body, undefined);
      assert.equal(put?.method, "PUT");
      assert.equal(put?.body, '{"description":"new","metadata":{"ttl":60}}');
      await assert.rejects(client.getAudience("12; DROP"), InvalidInputError);
    });

    it("spaces metadata calls 1 s (+ the 15 ms starting margin) apart", async () => {
      const { client, transport } = setup(() => jsonResponse(200, audienceBody()));
      await Promise.all([client.getAudience(BIG_ID), client.getAudience(BIG_ID), client.getAudience(BIG_ID)]);
      assert.deepEqual(transport.apiRequests.map((r) => r.sentAtMs), [0, 1015, 2030]);
    });

    it("widens the metadata spacing when Amazon answers 429, and narrows it per accepted request", async () => {
      let calls = 0;
      const { client, transport } = setup(() =>
        ++calls === 2 ? jsonResponse(429, { error: { httpStatusCode: "429", description: "Too many" } }, { "retry-after": "1" }) : jsonResponse(200, audienceBody()),
      );
      for (let i = 0; i < 3; i++) await client.getAudience(BIG_ID);
      // The 429 at 1015 holds the lane 1 s and widens the margin 15 → 65 ms; the retry then
      // starts 1065 ms after it, and the next call 1064 ms later (1 ms narrower per success).
      assert.deepEqual(transport.apiRequests.map((r) => r.sentAtMs), [0, 1015, 2080, 3144]);
    });

    it("retries a create only after 429 or a refused connection", async () => {
      const script: Array<() => HttpResponse> = [
        () => jsonResponse(429, { error: { httpStatusCode: "429", description: "Too many" } }, { "retry-after": "3" }),
        () => {
          throw new DspNetworkError({ operation: "POST /v2/dp/audiencemetadata", code: "ECONNREFUSED", requestMayHaveBeenSent: false });
        },
        () => jsonResponse(200, audienceBody()),
      ];
      const { client, transport, events } = setup((_request, _index) => (script.shift() ?? (() => jsonResponse(500, "")))());
      const audience = await client.createAudience(CREATE_INPUT);
      assert.equal(audience.audienceId, BIG_ID);
      assert.equal(transport.apiRequests.length, 3);
      assert.ok((transport.apiRequests[1]?.sentAtMs ?? 0) >= 3000, "Retry-After honoured");
      const retries = events.flatMap((e) => (e.type === "retry" ? [e] : []));
      assert.deepEqual(retries.map((e) => e.reason), ["THROTTLED", "TRANSIENT"]);
      assert.equal(retries[0]?.delayMs, 3000);
    });

    const ambiguous: Array<[string, () => HttpResponse]> = [
      ["a 503", () => jsonResponse(503, { errorMessage: "Service Unavailable" })],
      ["a 500", () => jsonResponse(500, "")],
      [
        "a timeout",
        () => {
          throw new DspNetworkError({ operation: "POST /v2/dp/audiencemetadata", code: "ETIMEDOUT", requestMayHaveBeenSent: true });
        },
      ],
      [
        "a dropped connection",
        () => {
          throw new DspNetworkError({ operation: "POST /v2/dp/audiencemetadata", code: "ECONNRESET", requestMayHaveBeenSent: true });
        },
      ],
      ["a 2xx whose body has no id", () => jsonResponse(200, { requestId: "r" })],
    ];
    for (const [name, respond] of ambiguous) {
      it(`never retries a create after ${name}; says the audience may exist`, async () => {
        const { client, transport } = setup(() => respond());
        await assert.rejects(client.createAudience(CREATE_INPUT), (error: unknown) => {
          assert.ok(error instanceof DspCreateMayHaveSucceededError, String(error));
          assert.match(error.message, /the audience may exist/);
          assert.match(error.message, /adopt it by id/);
          return true;
        });
        assert.equal(transport.apiRequests.length, 1);
      });
    }

    it("does not retry a 400 and reports Amazon's field", async () => {
      const { client, transport } = setup(() =>
        jsonResponse(400, {
          requestId: "req-400",
          error: { httpStatusCode: "400", description: "Invalid input", errors: [{ errorType: "INVALID_INPUT", message: "name too short", fieldName: "name" }] },
        }),
      );
      await assert.rejects(client.createAudience(CREATE_INPUT), (error: unknown) => {
        assert.ok(error instanceof DspHttpError);
        assert.equal(error.status, 400);
        assert.equal(error.fieldName, "name");
        assert.equal(error.requestId, "req-400");
        assert.equal(
          error.message,
          'POST /v2/dp/audiencemetadata: request failed (HTTP 400, INVALID_INPUT, field "name", requestId req-400): Invalid input: name too short',
        );
        return true;
      });
      assert.equal(transport.apiRequests.length, 1);
    });
  });

  describe("authentication", () => {
    it("refreshes once after a 401 and replays the request", async () => {
      const { client, transport, tokens } = setup((request) =>
        request.headers["authorization"] === "Bearer Atza|token-1" ? jsonResponse(401, { code: "UNAUTHORIZED", details: "expired" }) : jsonResponse(200, audienceBody()),
      );
      assert.equal((await client.getAudience(BIG_ID)).audienceId, BIG_ID);
      assert.equal(tokens.issued(), 2);
      assert.deepEqual(transport.apiRequests.map((r) => r.headers["authorization"]), ["Bearer Atza|token-1", "Bearer Atza|token-2"]);
    });

    it("gives up with DspAuthError when the fresh token is rejected too", async () => {
      const { client, transport, tokens } = setup(() => jsonResponse(401, { message: "Unauthorized" }));
      await assert.rejects(client.getAudience(BIG_ID), (error: unknown) => error instanceof DspAuthError && error.status === 401);
      assert.equal(tokens.issued(), 2);
      assert.equal(transport.apiRequests.length, 2);
    });

    it("replays a create after a 401 (rejected before processing)", async () => {
      const { client, transport } = setup((request) =>
        request.headers["authorization"] === "Bearer Atza|token-1" ? jsonResponse(401, { code: "UNAUTHORIZED" }) : jsonResponse(200, audienceBody()),
      );
      await client.createAudience(CREATE_INPUT);
      assert.equal(transport.apiRequests.length, 2);
    });

    it("renews an expired token before the request instead of waiting for a 401", async () => {
      const { client, clock, tokens } = setup(() => jsonResponse(200, audienceBody()));
      await client.getAudience(BIG_ID);
      clock.advance(3_600_000);
      await client.getAudience(BIG_ID);
      assert.equal(tokens.issued(), 2);
    });
  });

  describe("patchAudienceMembership", () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `cookie-${String(i).padStart(6, "0")}`);

    it("sends every batch once, concurrently within the lane, and reports jobs", async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      const { client, clock, transport } = setup(async (_request, index) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await clock.sleep(50);
        inFlight--;
        return accepted(index);
      });
      const progress: DspClientEvent[] = [];
      const result = await client.patchAudienceMembership(
        { columns: [{ op: "add", type: "COOKIE", values, audienceIds: [BIG_ID] }] },
        { onProgress: (event) => progress.push(event) },
      );
      assert.equal(result.requests, 5);
      assert.equal(result.ops, 10_000);
      assert.equal(result.patches, 10_000);
      assert.equal(result.jobIds.length, 5);
      assert.equal(new Set(result.requestIds).size, 5);
      assert.ok(maxInFlight > 1 && maxInFlight <= 32);
      const sentCookies = transport.apiRequests.flatMap((r) => [...String(r.body).matchAll(/COOKIE-([^/]+)\//g)].map((m) => m[1]));
      assert.deepEqual(sentCookies.sort(), [...values].sort());
      const accepts = progress.filter((e) => e.type === "ids-accepted");
      assert.equal(accepts.length, 5);
      assert.equal(Math.max(...accepts.map((e) => (e.type === "ids-accepted" ? e.totalOps : 0))), 10_000);
      for (let i = 1; i < transport.apiRequests.length; i++) {
        assert.ok((transport.apiRequests[i]?.sentAtMs ?? 0) - (transport.apiRequests[i - 1]?.sentAtMs ?? 0) >= 10, "≤ 100 req/s");
      }
    });

    it("survives 5xx bursts and 429s, sending every patch exactly once successfully", async () => {
      const acceptedBodies: string[] = [];
      const { client, events } = setup((request, index) => {
        if (index % 3 === 1) return jsonResponse(503, { errorMessage: "busy" });
        if (index % 3 === 2) return jsonResponse(429, {}, { "retry-after": "1" });
        acceptedBodies.push(String(request.body));
        return accepted(index);
      });
      const result = await client.patchAudienceMembership({ columns: [{ op: "add", type: "COOKIE", values, audienceIds: [BIG_ID] }] });
      assert.equal(result.ops, 10_000);
      const sent = acceptedBodies.flatMap((body) => [...body.matchAll(/COOKIE-([^/]+)\//g)].map((m) => m[1]));
      assert.equal(sent.length, 10_000);
      assert.equal(new Set(sent).size, 10_000);
      assert.ok(events.some((e) => e.type === "retry" && e.reason === "THROTTLED"));
      assert.ok(events.some((e) => e.type === "retry" && e.reason === "TRANSIENT"));
    });

    it("stops starting batches after a CLIENT error and rethrows it", async () => {
      let apiCalls = 0;
      const { client, transport } = setup(() => (++apiCalls === 2 ? jsonResponse(413, { requestId: "r413", error: { httpStatusCode: 413, description: "The input payload exceeds 1MB limit." } }) : accepted(apiCalls)), {
        throttle: { audienceMembership: { maxConcurrency: 1 } },
      });
      await assert.rejects(
        client.patchAudienceMembership({ columns: [{ op: "add", type: "COOKIE", values, audienceIds: [BIG_ID] }] }),
        (error: unknown) => error instanceof DspHttpError && error.status === 413,
      );
      assert.equal(transport.apiRequests.length, 2);
    });

    it("ends a 429 storm with DspRetryBudgetExhaustedError", async () => {
      const { client } = setup(() => jsonResponse(429, {}, { "retry-after": "1" }), { retry: { maxAttempts: 5 } });
      await assert.rejects(
        client.patchAudienceMembership({ ops: [{ op: "add", type: "MAID", value: "m", audienceIds: ["1"] }] }),
        (error: unknown) => error instanceof DspRetryBudgetExhaustedError && error.attempts === 5 && error.status === 429,
      );
    });

    it("validates everything before sending anything", async () => {
      const { client, transport } = setup(accepted.bind(null, 0));
      await assert.rejects(
        client.patchAudienceMembership({ columns: [{ op: "add", type: "COOKIE", values: ["ok", "x".repeat(2_000_000)], audienceIds: [BIG_ID] }] }),
        /Record COOKIE "xxxxxxxxxxxx…" \(2000000 chars\) needs/,
      );
      assert.equal(transport.requests.length, 0);
    });

    it("keeps record values and secrets out of errors", async () => {
      const { client } = setup(() => jsonResponse(400, { error: { httpStatusCode: "400", description: "Bad request" } }));
      await assert.rejects(client.patchAudienceMembership({ ops: [{ op: "add", type: "COOKIE", value: "private-cookie-value", audienceIds: [BIG_ID] }] }), (error: unknown) => {
        const dump = `${String(error)} ${inspect(error, { depth: 10, showHidden: true })} ${JSON.stringify(error)}`;
        for (const secret of ["private-cookie-value", TEST_CREDENTIALS.clientSecret, TEST_CREDENTIALS.refreshToken, "Atza|token-1"]) {
          assert.ok(!dump.includes(secret), `leaked ${secret}`);
        }
        return true;
      });
    });
  });

  describe("sendBody", () => {
    const hash = "a".repeat(64);
    const [patchBody] = [...packMembershipColumns([{ op: "add", type: "COOKIE", values: ["c1", "c2"], audienceIds: [BIG_ID, "7"] }])];
    const [recordsBody] = [...packHashedRecords([{ externalId: "ext-1", hashedRecords: [{ email: hash }] }])];
    const [usersBody] = [...packUserDeletions([{ type: "MAID", value: "m-1" }])];

    it("sends one packed body as it is to its endpoint, once, and returns Amazon's acceptance", async () => {
      const cases = [
        { prepared: { kind: "audienceMembership" as const, batch: patchBody! }, method: "PATCH", url: `${API}/v2/dp/audience`, accepted: { ops: 4, requestId: "req-1", jobId: "job-1" } },
        { prepared: { kind: "hashedRecords" as const, batch: recordsBody! }, method: "POST", url: `${API}/dp/records/hashed`, accepted: { ops: 1, requestId: "req-1" } },
        { prepared: { kind: "userDeletions" as const, batch: usersBody! }, method: "PATCH", url: `${API}/v2/dp/users`, accepted: { ops: 1, requestId: "req-1" } },
      ];
      for (const { prepared, method, url, accepted: expected } of cases) {
        // Request 0 is the token's, so the body is request 1.
        const { client, transport, events } = setup((_request, index) => accepted(index));
        const progress: DspClientEvent[] = [];
        assert.deepEqual(await client.sendBody(prepared, { onProgress: (event) => progress.push(event) }), expected, prepared.kind);
        assert.deepEqual(transport.apiRequests.map((r) => [r.method, r.url]), [[method, url]]);
        assert.ok(Buffer.from(transport.apiRequests[0]!.body!).equals(prepared.batch.body), "the body's exact bytes");
        const accepts = [...events, ...progress].filter((e) => e.type === "ids-accepted");
        assert.deepEqual(accepts, [0, 1].map(() => ({ type: "ids-accepted", operation: `${method} ${url.slice(API.length)}`, totalOps: expected.ops, ...expected })));
      }
    });

    it("sends hashed records with their vnd content types", async () => {
      const { client, transport } = setup(() => jsonResponse(200, { requestId: "req-h" }));
      await client.sendBody({ kind: "hashedRecords", batch: recordsBody! });
      assert.equal(transport.apiRequests[0]?.headers["content-type"], "application/vnd.dpuploadhashedrecordsrequest.v3+json");
      assert.equal(transport.apiRequests[0]?.headers["accept"], "application/vnd.dpuploadhashedrecordsresponse.v3+json");
    });

    it("retries a body as the bulk calls do and rethrows what ends it", async () => {
      let calls = 0;
      const flaky = setup(() => (++calls === 1 ? jsonResponse(503, { errorMessage: "busy" }) : jsonResponse(200, { jobId: "job-2", requestId: "req-2" })));
      assert.equal((await flaky.client.sendBody({ kind: "audienceMembership", batch: patchBody! })).requestId, "req-2");
      assert.equal(flaky.transport.apiRequests.length, 2);
      assert.ok(flaky.events.some((e) => e.type === "retry" && e.reason === "TRANSIENT"));
      const rejecting = setup(() => jsonResponse(400, { error: { httpStatusCode: "400", description: "Bad request" } }));
      await assert.rejects(rejecting.client.sendBody({ kind: "userDeletions", batch: usersBody! }), (error: unknown) => error instanceof DspHttpError && error.status === 400);
      assert.equal(rejecting.transport.apiRequests.length, 1);
    });

    it("refuses a body over the client's limits before sending it", async () => {
      const { client, transport } = setup(accepted.bind(null, 0), { batchLimits: { patches: { maxPatches: 1 }, hashedRecords: { maxBodyBytes: 10 }, userDeletions: { maxUsers: 1 } } });
      await assert.rejects(client.sendBody({ kind: "audienceMembership", batch: patchBody! }), (error: unknown) => error instanceof InvalidInputError && /\(\d+ bytes, 2 patches\) exceeds the client's patch limits/.test(error.message));
      await assert.rejects(client.sendBody({ kind: "hashedRecords", batch: recordsBody! }), /exceeds the client's records limits/);
      await client.sendBody({ kind: "userDeletions", batch: usersBody! });
      assert.equal(transport.apiRequests.length, 1, "only the body within the limits was sent");
    });
  });

  describe("hashed records and user deletion", () => {
    const hash = "a".repeat(64);

    it("uploads hashed records with the vnd content types", async () => {
      const { client, transport } = setup(() => jsonResponse(200, { requestId: "req-h" }));
      const result = await client.uploadHashedRecords([{ externalId: "ext-1", hashedRecords: [{ email: hash }] }]);
      assert.deepEqual(result, { requests: 1, records: 1, requestIds: ["req-h"] });
      const [request] = transport.apiRequests;
      assert.equal(request?.url, `${API}/dp/records/hashed`);
      assert.equal(request?.headers["content-type"], "application/vnd.dpuploadhashedrecordsrequest.v3+json");
      assert.equal(request?.headers["accept"], "application/vnd.dpuploadhashedrecordsresponse.v3+json");
    });

    it("sends deletions at ≤ 1 req/s in bodies of ≤ 1000 users", async () => {
      const { client, transport } = setup(() => jsonResponse(202, { requestId: "req-d" }));
      const users = Array.from({ length: 2001 }, (_, i) => ({ type: "MAID" as const, value: `maid-${i}` }));
      const result = await client.deleteUsers(users);
      assert.equal(result.requests, 3);
      assert.equal(result.users, 2001);
      assert.deepEqual(transport.apiRequests.map((r) => [r.method, r.url]), Array(3).fill(["PATCH", `${API}/v2/dp/users`]));
      const times = transport.apiRequests.map((r) => r.sentAtMs).sort((a, b) => a - b);
      assert.deepEqual(times, [0, 1015, 2030]);
    });

    it("sends bodies packed beforehand as they are, and refuses one over the client's limits before sending", async () => {
      const { client, transport } = setup(() => jsonResponse(202, { requestId: "req-p" }));
      const users = Array.from({ length: 5 }, (_, i) => ({ input: { type: "MAID" as const, value: `maid-${i}` }, key: i }));
      const [body] = [...packKeyedUserDeletions(users)];
      const result = await client.deleteUsers({ batches: [body!] });
      assert.deepEqual(result, { requests: 1, users: 5, requestIds: ["req-p"] });
      assert.equal(transport.apiRequests[0]?.body?.toString(), body!.body.toString("utf8"));
      const small = setup(() => jsonResponse(202, {}), { batchLimits: { userDeletions: { maxUsers: 4 }, hashedRecords: { maxBodyBytes: 100 } } });
      await assert.rejects(small.client.deleteUsers({ batches: [body!] }), InvalidInputError);
      const [records] = [...packHashedRecords([{ externalId: "ext-1", hashedRecords: [{ email: hash, phone: hash }] }])];
      await assert.rejects(small.client.uploadHashedRecords({ batches: [records!] }), InvalidInputError);
      assert.equal(small.transport.apiRequests.length, 0);
    });
  });

  it("holds no secret in any serializable or inspectable property", async () => {
    const { client } = setup(() => jsonResponse(200, audienceBody()));
    await client.getAudience(BIG_ID);
    const dump = `${JSON.stringify(client)} ${inspect(client, { depth: 20, showHidden: true })}`;
    for (const secret of [TEST_CREDENTIALS.clientSecret, TEST_CREDENTIALS.refreshToken, "Atza|token-1"]) assert.ok(!dump.includes(secret), `leaked ${secret}`);
  });

  it("uses the region's endpoints", async () => {
    const seen: HttpRequest[] = [];
    const clock = new FakeClock();
    const transport = new FakeTransport(clock, (request) => {
      seen.push(request);
      return request.url.endsWith("/token") ? jsonResponse(200, { access_token: "Atza|t", expires_in: 3600 }) : jsonResponse(200, audienceBody());
    });
    await new DspClient({ endpoint: "EU", credentials: TEST_CREDENTIALS, clock, transport }).getAudience("1");
    assert.deepEqual(seen.map((r) => r.url), ["https://api.amazon.co.uk/auth/o2/token", "https://advertising-api-eu.amazon.com/v2/dp/audiencemetadata/1"]);
  });
});
