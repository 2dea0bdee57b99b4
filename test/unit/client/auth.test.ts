import assert from "node:assert/strict";
import { inspect } from "node:util";
import { AccessTokenProvider, TOKEN_OPERATION, readTokenResponse } from "../../../provider/client/auth";
import { DspAuthError, DspHttpError, DspRateLimitError } from "../../../provider/client/errors";
import { FakeClock } from "../../support/fake-clock";
import { FakeTransport, TEST_CREDENTIALS, jsonResponse, tokenHandler } from "../../support/fake-transport";

const TOKEN_URL = "https://api.amazon.com/auth/o2/token";

function setup(options: { expiresIn?: number; refreshSkewMs?: number; credentials?: ConstructorParameters<typeof AccessTokenProvider>[0]["credentials"] } = {}) {
  const clock = new FakeClock({ startMs: 0 });
  const tokens = tokenHandler(options.expiresIn ?? 3600);
  const transport = new FakeTransport(clock, tokens.handle);
  const refreshed: number[] = [];
  const provider = new AccessTokenProvider({
    tokenUrl: TOKEN_URL,
    credentials: options.credentials ?? TEST_CREDENTIALS,
    transport,
    clock,
    ...(options.refreshSkewMs === undefined ? {} : { refreshSkewMs: options.refreshSkewMs }),
    onRefreshed: (ms) => refreshed.push(ms),
  });
  return { clock, tokens, transport, provider, refreshed };
}

describe("AccessTokenProvider", () => {
  it("posts the refresh-token grant form-urlencoded to the token URL", async () => {
    const { transport, provider } = setup();
    const grant = await provider.getAccessGrant();
    assert.deepEqual(grant, { accessToken: "Atza|token-1", clientId: TEST_CREDENTIALS.clientId });
    const [request] = transport.requests;
    assert.equal(request?.method, "POST");
    assert.equal(request?.url, TOKEN_URL);
    assert.equal(request?.headers["content-type"], "application/x-www-form-urlencoded;charset=UTF-8");
    const form = new URLSearchParams(String(request?.body));
    assert.deepEqual(Object.fromEntries(form), {
      grant_type: "refresh_token",
      refresh_token: TEST_CREDENTIALS.refreshToken,
      client_id: TEST_CREDENTIALS.clientId,
      client_secret: TEST_CREDENTIALS.clientSecret,
    });
  });

  it("caches the token until `skew` before expiry, then renews", async () => {
    const { clock, tokens, provider, refreshed } = setup({ refreshSkewMs: 60_000 });
    await provider.getAccessGrant();
    clock.advance(3_539_999);
    assert.equal((await provider.getAccessGrant()).accessToken, "Atza|token-1");
    clock.advance(1);
    assert.equal((await provider.getAccessGrant()).accessToken, "Atza|token-2");
    assert.equal(tokens.issued(), 2);
    assert.deepEqual(refreshed, [3_600_000, 3_600_000]);
  });

  it("caps the skew at half a short token lifetime instead of refreshing every call", async () => {
    const { clock, tokens, provider } = setup({ expiresIn: 10, refreshSkewMs: 60_000 });
    await provider.getAccessGrant();
    clock.advance(4_999);
    await provider.getAccessGrant();
    assert.equal(tokens.issued(), 1);
    clock.advance(1);
    await provider.getAccessGrant();
    assert.equal(tokens.issued(), 2);
  });

  it("shares one in-flight refresh among concurrent callers", async () => {
    const { tokens, provider } = setup();
    const grants = await Promise.all(Array.from({ length: 20 }, () => provider.getAccessGrant()));
    assert.equal(tokens.issued(), 1);
    assert.ok(grants.every((g) => g.accessToken === "Atza|token-1"));
  });

  it("invalidate() drops only the rejected token, so concurrent 401s cause one refresh", async () => {
    const { tokens, provider } = setup();
    const first = await provider.getAccessGrant();
    provider.invalidate(first.accessToken);
    const second = await provider.getAccessGrant();
    provider.invalidate(first.accessToken); // a late 401 for the old token
    assert.equal((await provider.getAccessGrant()).accessToken, second.accessToken);
    assert.equal(tokens.issued(), 2);
  });

  it("calls a credentials function at refresh time, not at construction", async () => {
    let calls = 0;
    const { provider } = setup({
      credentials: async () => {
        calls++;
        return TEST_CREDENTIALS;
      },
    });
    assert.equal(calls, 0);
    await provider.getAccessGrant();
    await provider.getAccessGrant();
    assert.equal(calls, 1);
  });

  it("rejects missing credentials without echoing them", async () => {
    const { provider } = setup({ credentials: { ...TEST_CREDENTIALS, clientSecret: "" } });
    await assert.rejects(provider.getAccessGrant(), (error: unknown) => {
      assert.ok(error instanceof DspAuthError);
      assert.match(error.message, /credentials.clientSecret is missing or empty/);
      assert.ok(!error.message.includes(TEST_CREDENTIALS.refreshToken));
      return true;
    });
  });

  it("keeps credentials and tokens out of serialized and inspected forms", async () => {
    const { provider } = setup();
    await provider.getAccessGrant();
    const dump = `${JSON.stringify(provider)} ${inspect(provider, { depth: 10, showHidden: true })} ${Object.keys(provider).join()}`;
    for (const secret of [TEST_CREDENTIALS.clientSecret, TEST_CREDENTIALS.refreshToken, "Atza|token-1"]) {
      assert.ok(!dump.includes(secret), `leaked ${secret}`);
    }
  });

  describe("readTokenResponse", () => {
    const table: Array<{ name: string; status: number; body: unknown; headers?: Record<string, string>; check: (error: unknown) => boolean }> = [
      {
        name: "invalid_grant → DspAuthError with OAuth description",
        status: 400,
        body: { error: "invalid_grant", error_description: "The request has an invalid grant parameter : refresh_token" },
        check: (e) => e instanceof DspAuthError && e.errorType === "invalid_grant" && /invalid grant parameter/.test(e.message) && e.operation === TOKEN_OPERATION,
      },
      { name: "401 invalid_client → DspAuthError", status: 401, body: { error: "invalid_client" }, check: (e) => e instanceof DspAuthError && e.status === 401 },
      {
        name: "429 → DspRateLimitError with Retry-After",
        status: 429,
        body: {},
        headers: { "retry-after": "2" },
        check: (e) => e instanceof DspRateLimitError && e.retryAfterMs === 2000,
      },
      { name: "503 → retryable DspHttpError", status: 503, body: "", check: (e) => e instanceof DspHttpError && e.retryable },
      { name: "200 without access_token → DspAuthError", status: 200, body: { token_type: "bearer" }, check: (e) => e instanceof DspAuthError },
    ];
    for (const { name, status, body, headers, check } of table) {
      it(name, () => assert.throws(() => readTokenResponse(jsonResponse(status, body, headers), 0), check));
    }
    it("defaults a missing expires_in to an hour", () => {
      assert.deepEqual(readTokenResponse(jsonResponse(200, { access_token: "Atza|x" }), 0), { accessToken: "Atza|x", expiresInMs: 3_600_000 });
    });
  });
});
