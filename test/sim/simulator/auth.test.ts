import { strict as assert } from "node:assert";
import {
  CREDS,
  HASHED_V3,
  ManualClock,
  OTHER_CREDS,
  TestClient,
  expectDpError,
  expectHashedError,
  fetchToken,
  rawRequest,
  useSimulator,
  validAudience,
  type HttpResult,
} from "../../support/sim-http";

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();
const FORM = { "Content-Type": "application/x-www-form-urlencoded" };
const GOOD = { grant_type: "refresh_token", refresh_token: CREDS.refreshToken, client_id: CREDS.clientId, client_secret: CREDS.clientSecret };

describe("simulator: LwA token endpoint", () => {
  const ctx = useSimulator({ accessTokenTtlSeconds: 1234 });

  it("issues a bearer access token for the refresh-token grant", async () => {
    const res = await rawRequest(ctx.sim.url, "POST", "/auth/o2/token", { headers: FORM, body: form(GOOD) });
    assert.equal(res.status, 200);
    const body = res.json as Record<string, unknown>;
    assert.match(String(body.access_token), /^Atza\|/);
    assert.deepEqual({ ...body, access_token: "x" }, { access_token: "x", refresh_token: CREDS.refreshToken, token_type: "bearer", expires_in: 1234 });
  });

  it("accepts client credentials by HTTP Basic auth", async () => {
    const basic = Buffer.from(`${CREDS.clientId}:${CREDS.clientSecret}`).toString("base64");
    const res = await rawRequest(ctx.sim.url, "POST", "/auth/o2/token", {
      headers: { ...FORM, Authorization: `Basic ${basic}` },
      body: form({ grant_type: "refresh_token", refresh_token: CREDS.refreshToken }),
    });
    assert.equal(res.status, 200);
  });

  const failures: Array<{ name: string; fields: Record<string, string | undefined>; status: number; error: string }> = [
    { name: "missing grant_type", fields: { grant_type: undefined }, status: 400, error: "invalid_request" },
    { name: "other grant type", fields: { grant_type: "authorization_code" }, status: 400, error: "unsupported_grant_type" },
    { name: "missing client_id", fields: { client_id: undefined }, status: 400, error: "invalid_request" },
    { name: "missing client_secret", fields: { client_secret: undefined }, status: 400, error: "invalid_request" },
    { name: "missing refresh_token", fields: { refresh_token: undefined }, status: 400, error: "invalid_request" },
    { name: "unknown client", fields: { client_id: "amzn1.application-oa2-client.nobody" }, status: 401, error: "invalid_client" },
    { name: "wrong secret", fields: { client_secret: "nope" }, status: 401, error: "invalid_client" },
    { name: "wrong refresh token", fields: { refresh_token: "Atzr|stale" }, status: 400, error: "invalid_grant" },
  ];
  for (const c of failures) {
    it(`answers ${c.status} ${c.error} for ${c.name}`, async () => {
      const fields = Object.fromEntries(Object.entries({ ...GOOD, ...c.fields }).filter((e): e is [string, string] => e[1] !== undefined));
      const res = await rawRequest(ctx.sim.url, "POST", "/auth/o2/token", { headers: FORM, body: form(fields) });
      assert.equal(res.status, c.status);
      const body = res.json as { error: string; error_description: string };
      assert.equal(body.error, c.error);
      assert.equal(typeof body.error_description, "string");
      assert.ok(body.error_description.length > 0);
    });
  }
});

describe("simulator: gateway authentication", () => {
  const clock = new ManualClock();
  const ctx = useSimulator({ clock: clock.read, accessTokenTtlSeconds: 3600, additionalCredentials: [OTHER_CREDS], limits: { metadataTps: 0 } });
  const path = "/v2/dp/audiencemetadata/";

  async function post(headers: Record<string, string>): Promise<HttpResult> {
    const body = JSON.stringify(validAudience());
    return rawRequest(ctx.sim.url, "POST", path, { headers: { "Content-Type": "application/json", ...headers }, body });
  }

  it("accepts a valid bearer token with its client id", async () => {
    const token = await fetchToken(ctx.sim);
    const res = await post({ Authorization: `Bearer ${token}`, "Amazon-Advertising-API-ClientId": CREDS.clientId });
    assert.equal(res.status, 200);
  });

  const unauthorized: Array<{ name: string; auth: (token: string) => string | undefined }> = [
    { name: "no Authorization header", auth: () => undefined },
    { name: "an unknown token", auth: () => "Bearer Atza|not-a-real-token" },
    { name: "a tampered token", auth: (t) => `Bearer ${t.slice(0, -2)}xx` },
    { name: "another scheme", auth: (t) => `Basic ${t}` },
    { name: "an empty bearer", auth: () => "Bearer " },
  ];
  for (const c of unauthorized) {
    it(`answers 401 in the DP error shape (errorType UNAUTHORIZED) for ${c.name}`, async () => {
      const token = await fetchToken(ctx.sim);
      const auth = c.auth(token);
      const res = await post({ ...(auth === undefined ? {} : { Authorization: auth }), "Amazon-Advertising-API-ClientId": CREDS.clientId });
      expectDpError(res, 401, "UNAUTHORIZED");
    });
  }

  it("answers 401 once the access token expired (injected clock), and a fresh token works", async () => {
    const token = await fetchToken(ctx.sim);
    const headers = { Authorization: `Bearer ${token}`, "Amazon-Advertising-API-ClientId": CREDS.clientId };
    clock.advance(3600 * 1000 - 1);
    assert.notEqual((await rawRequest(ctx.sim.url, "GET", "/v2/dp/audiencemetadata/1", { headers })).status, 401);
    clock.advance(1);
    const expired = await rawRequest(ctx.sim.url, "GET", "/v2/dp/audiencemetadata/1", { headers });
    const body = expectDpError(expired, 401, "UNAUTHORIZED");
    assert.equal(body.error.description, "The access token has expired");
    const fresh = await fetchToken(ctx.sim);
    const again = await rawRequest(ctx.sim.url, "GET", "/v2/dp/audiencemetadata/1", { headers: { ...headers, Authorization: `Bearer ${fresh}` } });
    assert.notEqual(again.status, 401);
  });

  const forbidden: Array<{ name: string; clientId: string | undefined }> = [
    { name: "a missing client id header", clientId: undefined },
    { name: "an unknown client id", clientId: "amzn1.application-oa2-client.unknown" },
    { name: "another known client's id (token issued to a different client)", clientId: OTHER_CREDS.clientId },
  ];
  for (const c of forbidden) {
    it(`answers 403 in the DP error shape (errorType FORBIDDEN) for ${c.name}`, async () => {
      const token = await fetchToken(ctx.sim);
      const res = await post({ Authorization: `Bearer ${token}`, ...(c.clientId === undefined ? {} : { "Amazon-Advertising-API-ClientId": c.clientId }) });
      expectDpError(res, 403, "FORBIDDEN");
    });
  }

  // Each route answers the gateway's refusal in its own document's shape.
  const routes: Array<{ method: string; path: string; body?: string }> = [
    { method: "POST", path: "/v2/dp/audiencemetadata/", body: JSON.stringify(validAudience()) },
    { method: "GET", path: "/v2/dp/audiencemetadata/72057594038053891" },
    { method: "PUT", path: "/v2/dp/audiencemetadata/72057594038053891", body: '{"description":"x"}' },
    { method: "PATCH", path: "/v2/dp/audience", body: '{"patches":[{"op":"add","path":"/COOKIE-a/audiences","value":[1]}]}' },
    { method: "PATCH", path: "/v2/dp/users", body: '{"operation":"DELETE","users":[{"userId":{"type":"COOKIE","value":"a"}}]}' },
  ];
  for (const r of routes) {
    it(`answers 401 and 403 on ${r.method} ${r.path} as DP error bodies`, async () => {
      const token = await fetchToken(ctx.sim);
      const send = (headers: Record<string, string>): Promise<HttpResult> =>
        rawRequest(ctx.sim.url, r.method, r.path, { headers: { "Content-Type": "application/json", ...headers }, ...(r.body === undefined ? {} : { body: r.body }) });
      expectDpError(await send({ "Amazon-Advertising-API-ClientId": CREDS.clientId }), 401, "UNAUTHORIZED");
      expectDpError(await send({ Authorization: `Bearer ${token}` }), 403, "FORBIDDEN");
    });
  }

  it("answers 401 and 403 on POST /dp/records/hashed as {errorMessage} in the v3 response type", async () => {
    const token = await fetchToken(ctx.sim);
    const body = JSON.stringify({ records: [{ externalId: "a", hashedRecords: [{ email: "a".repeat(64) }] }] });
    for (const accept of [undefined, HASHED_V3, "text/html"]) {
      const send = (headers: Record<string, string>): Promise<HttpResult> =>
        rawRequest(ctx.sim.url, "POST", "/dp/records/hashed", { headers: { "Content-Type": "application/json", ...(accept === undefined ? {} : { Accept: accept }), ...headers }, body });
      expectHashedError(await send({ "Amazon-Advertising-API-ClientId": CREDS.clientId }), 401);
      expectHashedError(await send({ Authorization: `Bearer ${token}` }), 403);
    }
  });

  it("treats header names case-insensitively", async () => {
    const token = await fetchToken(ctx.sim);
    const res = await post({ AUTHORIZATION: `bearer ${token}`, "amazon-advertising-api-clientID": CREDS.clientId });
    assert.equal(res.status, 200);
  });

  it("accepts 'Authorization: Atza|...' without Bearer in lenient mode", async () => {
    const token = await fetchToken(ctx.sim);
    const res = await post({ Authorization: token, "Amazon-Advertising-API-ClientId": CREDS.clientId });
    assert.equal(res.status, 200);
  });

  it("does not authenticate the admin API or the token endpoint", async () => {
    assert.equal((await rawRequest(ctx.sim.url, "GET", "/__sim/health")).status, 200);
  });
});

describe("simulator: strictAuthorizationHeader", () => {
  const ctx = useSimulator({ strictAuthorizationHeader: true });

  it("rejects a token without the Bearer scheme and accepts it with", async () => {
    const client = await TestClient.login(ctx.sim);
    const bare = await client.send("GET", "/v2/dp/audiencemetadata/1", undefined, { Authorization: client.token });
    assert.equal(bare.status, 401);
    const bearer = await client.send("GET", "/v2/dp/audiencemetadata/1");
    assert.equal(bearer.status, 404);
  });
});
