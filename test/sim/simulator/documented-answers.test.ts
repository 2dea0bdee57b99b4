import { strict as assert } from "node:assert";
import { HASHED_V3, HASHED_V3_1, TestClient, expectDpError, expectHashedError, useSimulator, validAudience, type HttpResult } from "../../support/sim-http";

/**
 * Every answer of every Amazon route, errors included, in the shape and media type its API
 * document gives: `{requestId, error: {httpStatusCode, description, errors}}` as application/json on
 * the Data Provider routes, `{errorMessage}` as a vendor type on the Hashed Records route, whichever
 * stage of the pipeline (auth, throttle, media type, size, body, handler, fault) answers.
 */

const HASH = "c".repeat(64);
const HASHED_BODY = JSON.stringify({ records: [{ externalId: "doc", hashedRecords: [{ email: HASH }] }] });
/** A v3.1-preferring Accept: only a 400 may be answered as v3.1; every other status stays v3. */
const PREFERS_V31 = `${HASHED_V3_1}, ${HASHED_V3};q=0.5`;

interface DpRoute {
  method: string;
  path: (id: string) => string;
  body?: () => string;
  maxBytes: number;
}

const DP_ROUTES: DpRoute[] = [
  { method: "POST", path: () => "/v2/dp/audiencemetadata/", body: () => JSON.stringify(validAudience()), maxBytes: 1_000_000 },
  { method: "GET", path: (id) => `/v2/dp/audiencemetadata/${id}`, maxBytes: 1_000_000 },
  { method: "PUT", path: (id) => `/v2/dp/audiencemetadata/${id}`, body: () => '{"description":"updated"}', maxBytes: 1_000_000 },
  { method: "PATCH", path: () => "/v2/dp/audience", body: () => '{"patches":[{"op":"add","path":"/COOKIE-doc/audiences","value":[1]}]}', maxBytes: 2_000 },
  { method: "PATCH", path: () => "/v2/dp/users", body: () => '{"operation":"DELETE","users":[{"userId":{"type":"COOKIE","value":"doc"}}]}', maxBytes: 2_000 },
];

describe("simulator: documented answers on every route", () => {
  const ctx = useSimulator({ limits: { metadataTps: 0, audienceTps: 0, usersTps: 0, hashedTps: 0, audienceMaxBytes: 2_000, usersMaxBytes: 2_000, hashedMaxBytes: 2_000 } });
  let client: TestClient;
  let id: string;
  before(async () => {
    client = await TestClient.login(ctx.sim);
    id = await client.createAudience();
  });
  afterEach(() => ctx.sim.setFaults({}));

  const send = (r: DpRoute, body?: string, headers: Record<string, string> = {}): Promise<HttpResult> =>
    client.send(r.method, r.path(id), body ?? r.body?.(), headers);

  for (const r of DP_ROUTES) {
    const name = `${r.method} ${r.path("{id}")}`;

    it(`${name}: 429, 500 and 503 (faults and applied-then-failed) as DP error bodies`, async () => {
      ctx.sim.setFaults({ rate429: 1 });
      expectDpError(await send(r), 429, "TOO_MANY_REQUESTS");
      for (const seed of [1, 2, 3, 4]) {
        ctx.sim.setFaults({ rate5xx: 1, seed });
        const res = await send(r);
        expectDpError(res, res.status, res.status === 500 ? "INTERNAL_ERROR" : "SERVICE_UNAVAILABLE");
      }
      ctx.sim.setFaults({ rate5xx: 1, applyThenFail: true, seed: 5 });
      const late = await send(r);
      expectDpError(late, late.status, late.status === 500 ? "INTERNAL_ERROR" : "SERVICE_UNAVAILABLE");
    });

    if (r.body === undefined) continue;

    it(`${name}: 400 (malformed JSON), 415 (content type) and 413 (size) as DP error bodies`, async () => {
      expectDpError(await send(r, '{"x":'), 400, "INVALID_INPUT");
      expectDpError(await send(r, undefined, { "Content-Type": "text/plain" }), 415, "UNSUPPORTED_MEDIA_TYPE");
      expectDpError(await send(r, `{"pad":"${"x".repeat(r.maxBytes)}"}`), 413, "INPUT_TOO_LARGE");
    });
  }

  it("GET and PUT of an unknown or malformed audience id: 404 and 400 as DP error bodies", async () => {
    const unknown = (BigInt(id) + 1000n).toString();
    expectDpError(await client.send("GET", `/v2/dp/audiencemetadata/${unknown}`), 404, "NOT_FOUND");
    expectDpError(await client.send("PUT", `/v2/dp/audiencemetadata/${unknown}`, { description: "x" }), 404, "NOT_FOUND");
    expectDpError(await client.send("GET", "/v2/dp/audiencemetadata/abc"), 400, "INVALID_INPUT");
  });

  describe("POST /dp/records/hashed", () => {
    const upload = (body = HASHED_BODY, accept = PREFERS_V31): Promise<HttpResult> => client.send("POST", "/dp/records/hashed", body, { Accept: accept });

    it("answers 200 as v3 even when the Accept prefers v3.1 (v3.1 is documented for 400 only)", async () => {
      const res = await upload();
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers["content-type"], HASHED_V3);
    });

    it("answers a 400 as v3.1 for that Accept, and 413, 415, 429, 500 and 503 as v3", async () => {
      expectHashedError(await upload('{"records":'), 400, HASHED_V3_1);
      expectHashedError(await upload(JSON.stringify({ records: [{ externalId: "big", hashedRecords: Array(40).fill({ email: HASH }) }] })), 413);
      expectHashedError(await client.send("POST", "/dp/records/hashed", HASHED_BODY, { Accept: PREFERS_V31, "Content-Type": "text/csv" }), 415);
      ctx.sim.setFaults({ rate429: 1 });
      const throttled = await upload();
      expectHashedError(throttled, 429);
      assert.equal(throttled.headers["retry-after"], "1");
      const seen = new Set<number>();
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        ctx.sim.setFaults({ rate5xx: 1, seed, applyThenFail: seed % 2 === 0 });
        const res = await upload();
        expectHashedError(res, res.status);
        seen.add(res.status);
      }
      assert.deepEqual([...seen].sort(), [500, 503]);
    });
  });
});

describe("simulator: documented answers of the token buckets", () => {
  // A stopped clock: each bucket holds one token, so the second request of a route is throttled.
  const ctx = useSimulator({ clock: () => 0, limits: { metadataTps: 1, audienceTps: 1, usersTps: 1, hashedTps: 1 } });
  let client: TestClient;
  before(async () => {
    client = await TestClient.login(ctx.sim);
  });

  it("answers a throttled DP route 429 with Retry-After as a DP error body", async () => {
    const patch = '{"patches":[{"op":"add","path":"/COOKIE-t/audiences","value":[1]}]}';
    for (const [method, path, body] of [
      ["GET", "/v2/dp/audiencemetadata/1", undefined],
      ["PATCH", "/v2/dp/audience", patch],
      ["PATCH", "/v2/dp/users", '{"operation":"DELETE","users":[{"userId":{"type":"COOKIE","value":"t"}}]}'],
    ] as const) {
      await client.send(method, path, body);
      const res = await client.send(method, path, body);
      expectDpError(res, 429, "TOO_MANY_REQUESTS");
      assert.ok(Number(res.headers["retry-after"]) >= 1);
    }
  });

  it("answers a throttled hashed upload 429 {errorMessage} as v3 with Retry-After", async () => {
    assert.equal((await client.send("POST", "/dp/records/hashed", HASHED_BODY)).status, 200);
    const res = await client.send("POST", "/dp/records/hashed", HASHED_BODY, { Accept: PREFERS_V31 });
    expectHashedError(res, 429);
    assert.ok(Number(res.headers["retry-after"]) >= 1);
  });
});
