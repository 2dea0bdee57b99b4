import assert from "node:assert/strict";
import { inspect } from "node:util";
import {
  DspAuthError,
  DspCreateMayHaveSucceededError,
  DspError,
  DspHttpError,
  DspNetworkError,
  DspRateLimitError,
  DspRetryBudgetExhaustedError,
  DspTimeoutError,
  redactSecrets,
  sanitizeCause,
} from "../../../provider/client/errors";

describe("DspError family", () => {
  it("names operation, status, error type, field, request id and description", () => {
    const error = new DspHttpError({
      operation: "PUT /v2/dp/audiencemetadata/{audienceId}",
      status: 400,
      requestId: "req-123",
      errorType: "INVALID_INPUT",
      fieldName: "name",
      description: "The input field 'name' cannot be updated",
    });
    assert.equal(
      error.message,
      `PUT /v2/dp/audiencemetadata/{audienceId}: request failed (HTTP 400, INVALID_INPUT, field "name", requestId req-123): The input field 'name' cannot be updated`,
    );
    assert.equal(error.name, "DspHttpError");
    assert.equal(error.retryable, false);
    assert.ok(error instanceof DspError);
  });

  it("marks 5xx, 429, network errors and timeouts retryable; auth errors not", () => {
    assert.equal(new DspHttpError({ operation: "op", status: 503 }).retryable, true);
    const throttled = new DspRateLimitError({ operation: "PATCH /v2/dp/audience", retryAfterMs: 1000 });
    assert.equal(throttled.retryable, true);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.retryAfterMs, 1000);
    assert.ok(throttled instanceof DspHttpError);
    assert.equal(new DspNetworkError({ operation: "op", code: "ECONNRESET", requestMayHaveBeenSent: true }).retryable, true);
    const timeout = new DspTimeoutError({ operation: "op", timeoutMs: 5000 });
    assert.equal(timeout.retryable, true);
    assert.ok(timeout instanceof DspNetworkError);
    assert.equal(timeout.requestMayHaveBeenSent, true);
    assert.equal(timeout.message, "op: no response from the server within 5000 ms (ETIMEDOUT)");
    const named = new DspTimeoutError({ operation: "op", timeoutMs: 5000, host: "advertising-api.amazon.com:443" });
    assert.equal(named.message, "op: no response from advertising-api.amazon.com:443 within 5000 ms (ETIMEDOUT)");
    assert.equal(new DspAuthError({ operation: "POST /auth/o2/token", status: 400 }).retryable, false);
  });

  it("wraps the last error when retries stop, keeping its facts", () => {
    const last = new DspRateLimitError({ operation: "PATCH /v2/dp/audience", requestId: "r9" });
    const error = new DspRetryBudgetExhaustedError(last, 8, "max-attempts");
    assert.equal(error.message, "PATCH /v2/dp/audience: gave up after 8 attempts, attempt limit reached; last error: DspRateLimitError: throttled by Amazon (HTTP 429, requestId r9)");
    assert.equal(error.status, 429);
    assert.equal(error.lastError, last);
    assert.equal(error.cause, last);
    assert.equal(error.retryable, false);
  });

  it("names host, port and cause of a network failure", () => {
    const cases: Array<[string | undefined, string]> = [
      ["ECONNREFUSED", "connection refused by api.example.test:8443 (ECONNREFUSED): nothing accepts connections there"],
      ["ENOTFOUND", "cannot resolve the host of api.example.test:8443 (ENOTFOUND): no such host"],
      ["EAI_AGAIN", "cannot resolve the host of api.example.test:8443 (EAI_AGAIN): DNS lookup failed for now"],
      ["ECONNRESET", "connection to api.example.test:8443 reset (ECONNRESET)"],
      ["ETIMEDOUT", "connection to api.example.test:8443 timed out (ETIMEDOUT)"],
      ["EHOSTUNREACH", "api.example.test:8443 is unreachable (EHOSTUNREACH)"],
      ["CERT_HAS_EXPIRED", "TLS error with api.example.test:8443 (CERT_HAS_EXPIRED)"],
      ["DEPTH_ZERO_SELF_SIGNED_CERT", "TLS error with api.example.test:8443 (DEPTH_ZERO_SELF_SIGNED_CERT)"],
      ["ERR_TLS_CERT_ALTNAME_INVALID", "TLS error with api.example.test:8443 (ERR_TLS_CERT_ALTNAME_INVALID)"],
      ["EPIPE", "network error with api.example.test:8443 (EPIPE)"],
      [undefined, "network error with api.example.test:8443"],
    ];
    for (const [code, summary] of cases) {
      const error = new DspNetworkError({ operation: "GET /v2/dp/audiencemetadata/{audienceId}", host: "api.example.test:8443", requestMayHaveBeenSent: true, ...(code === undefined ? {} : { code }) });
      assert.equal(error.message, `GET /v2/dp/audiencemetadata/{audienceId}: ${summary}`);
      assert.equal(error.summary, summary);
    }
    const gaveUp = new DspRetryBudgetExhaustedError(new DspNetworkError({ operation: "op", code: "ECONNRESET", host: "h:443", requestMayHaveBeenSent: true }), 8, "max-attempts");
    assert.equal(gaveUp.message, "op: gave up after 8 attempts, attempt limit reached; last error: DspNetworkError: connection to h:443 reset (ECONNRESET)");
  });

  it("tells how to recover when a create may have succeeded", () => {
    const error = new DspCreateMayHaveSucceededError(new DspHttpError({ operation: "POST /v2/dp/audiencemetadata", status: 503 }), "ext-42");
    assert.match(error.message, /^POST \/v2\/dp\/audiencemetadata: create failed after the request may have reached Amazon/);
    assert.match(error.message, /the audience may exist/);
    assert.match(error.message, /adopt it by id/);
    assert.match(error.message, /externalAudienceId "ext-42"/);
    assert.equal(error.externalAudienceId, "ext-42");
  });

  describe("never leaks secrets", () => {
    const secrets = ["Atza|IwEBIAccessTokenValue", "Atzr|IwEBIRefreshTokenValue", "s3cr3t-client-secret"];
    const echoes = [
      `invalid token Atza|IwEBIAccessTokenValue`,
      `grant_type=refresh_token&refresh_token=Atzr|IwEBIRefreshTokenValue&client_secret=s3cr3t-client-secret`,
      `{"access_token":"Atza|IwEBIAccessTokenValue","client_secret":"s3cr3t-client-secret"}`,
      `Authorization: Bearer Atza|IwEBIAccessTokenValue`,
    ];
    for (const echo of echoes) {
      it(`redacts ${echo.slice(0, 40)}…`, () => {
        const error = new DspAuthError({ operation: "POST /auth/o2/token", status: 400, description: echo, requestId: echo });
        const everything = `${error.message} ${inspect(error, { depth: 10, showHidden: true })} ${JSON.stringify(error)}`;
        for (const secret of secrets) assert.ok(!everything.includes(secret), `leaked ${secret}`);
      });
    }

    it("redactSecrets keeps ordinary text", () => {
      assert.equal(redactSecrets("HTTP 400 INVALID_INPUT: bad name"), "HTTP 400 INVALID_INPUT: bad name");
      assert.equal(redactSecrets("Bearer Atza|x"), "Bearer [redacted]");
    });

    it("sanitizeCause drops everything but name, code and message", () => {
      const raw = Object.assign(new Error("socket hang up"), {
        code: "ECONNRESET",
        config: { headers: { Authorization: "Bearer Atza|IwEBIAccessTokenValue" }, data: '{"patches":[{"path":"/COOKIE-secret-cookie/audiences"}]}' },
      });
      const clean = sanitizeCause(raw);
      assert.equal(clean.message, "socket hang up");
      assert.equal((clean as Error & { code?: string }).code, "ECONNRESET");
      const dump = inspect(new DspNetworkError({ operation: "op", cause: clean, code: "ECONNRESET", requestMayHaveBeenSent: true }), { depth: 10 });
      assert.ok(!dump.includes("Atza|"));
      assert.ok(!dump.includes("secret-cookie"));
    });
  });
});
