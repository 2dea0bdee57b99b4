import assert from "node:assert/strict";
import { DspClient, DspNetworkError, DspRetryBudgetExhaustedError, TOKEN_OPERATION, type DspClientEvent, type HttpRequest } from "../../../provider/client";
import { simulatorEndpoint } from "../../../provider/client/regions";
import { TOKEN_ENDPOINT_HINT, tokenStepFailure } from "../../../provider/client/auth";
import { hostPortOf } from "../../../provider/client/axios-transport";
import { classifyError } from "../../../provider/client/retry";
import { FakeClock } from "../../support/fake-clock";
import { FakeTransport, TEST_CREDENTIALS, jsonResponse, routeHandler, tokenHandler } from "../../support/fake-transport";

/** What the axios transport throws for a failed connection (see toTransportError). */
const refused = (request: HttpRequest, code: string): DspNetworkError =>
  new DspNetworkError({ operation: request.operation, code, host: hostPortOf(request.url) ?? "?", requestMayHaveBeenSent: false });

function setup(tokenCode: string | undefined, apiCode?: string) {
  const clock = new FakeClock({ startMs: 0 });
  const tokens = tokenHandler();
  const transport = new FakeTransport(
    clock,
    routeHandler(
      (request) => {
        if (apiCode !== undefined) throw refused(request, apiCode);
        return jsonResponse(200, { jobId: "j", requestId: "r" });
      },
      (request, index) => {
        if (tokenCode !== undefined) throw refused(request, tokenCode);
        return tokens.handle(request, index);
      },
    ),
  );
  const events: DspClientEvent[] = [];
  const client = new DspClient({ endpoint: simulatorEndpoint("http://127.0.0.1:9/"), credentials: TEST_CREDENTIALS, clock, transport, onEvent: (e) => events.push(e) });
  return { client, transport, events, clock };
}

const getAudience = (client: DspClient): Promise<unknown> => client.getAudience("72057594038053890");

describe("client: network errors name host, port and cause", () => {
  it("fails at once when the token endpoint refuses the connection, saying what to check", async () => {
    const { client, transport, events, clock } = setup("ECONNREFUSED");
    await assert.rejects(getAudience(client), (error: unknown) => {
      assert.ok(error instanceof DspNetworkError);
      assert.equal(error.retryable, false);
      assert.equal(error.code, "ECONNREFUSED");
      assert.equal(
        error.message,
        `${TOKEN_OPERATION}: connection refused by 127.0.0.1:9 (ECONNREFUSED): nothing accepts connections there; ${TOKEN_ENDPOINT_HINT}`,
      );
      assert.ok(!error.message.includes(TEST_CREDENTIALS.clientSecret));
      return true;
    });
    assert.equal(transport.tokenRequests.length, 1, "one attempt, no backoff through eight");
    assert.equal(transport.apiRequests.length, 0);
    assert.equal(events.filter((e) => e.type === "retry").length, 0);
    assert.equal(clock.now(), 0, "no time spent waiting");
  });

  it("fails at once for an unknown host or a refused certificate at the token step", async () => {
    for (const code of ["ENOTFOUND", "DEPTH_ZERO_SELF_SIGNED_CERT"]) {
      const { client, transport } = setup(code);
      await assert.rejects(getAudience(client), (error: unknown) => error instanceof DspNetworkError && error.code === code && error.message.includes("127.0.0.1:9") && error.message.endsWith(TOKEN_ENDPOINT_HINT));
      assert.equal(transport.tokenRequests.length, 1, code);
    }
  });

  it("still retries a reset or a DNS hiccup at the token step, and names host and cause when it gives up", async () => {
    const { client, transport } = setup("ECONNRESET");
    await assert.rejects(getAudience(client), (error: unknown) => {
      assert.ok(error instanceof DspRetryBudgetExhaustedError);
      assert.equal(error.message, `${TOKEN_OPERATION}: gave up after 8 attempts, attempt limit reached; last error: DspNetworkError: connection to 127.0.0.1:9 reset (ECONNRESET)`);
      return true;
    });
    assert.equal(transport.tokenRequests.length, 8);
  });

  it("retries a refused connection to the API host (after a token) and names it when it gives up", async () => {
    const { client, transport } = setup(undefined, "ECONNREFUSED");
    await assert.rejects(getAudience(client), (error: unknown) => {
      assert.ok(error instanceof DspRetryBudgetExhaustedError);
      assert.match(error.message, /^GET \/v2\/dp\/audiencemetadata\/\{audienceId\}: gave up after 8 attempts, attempt limit reached; last error: DspNetworkError: connection refused by 127\.0\.0\.1:9 \(ECONNREFUSED\)/);
      return true;
    });
    assert.equal(transport.apiRequests.length, 8);
  });

  it("classifies by class and flag, never by message", () => {
    const request = { method: "POST", url: "https://api.amazon.com/auth/o2/token", headers: {}, timeoutMs: 1, operation: TOKEN_OPERATION } as const;
    assert.equal(classifyError(refused(request, "ECONNREFUSED")), "TRANSIENT");
    assert.equal(classifyError(tokenStepFailure(refused(request, "ECONNREFUSED"))), "FATAL");
    assert.equal(classifyError(tokenStepFailure(refused(request, "EAI_AGAIN"))), "TRANSIENT");
    assert.equal(hostPortOf("https://api.amazon.com/auth/o2/token"), "api.amazon.com:443");
    assert.equal(hostPortOf("http://[::1]:8080/x?y=1"), "[::1]:8080");
    assert.equal(hostPortOf("http://localhost/"), "localhost:80");
  });
});
