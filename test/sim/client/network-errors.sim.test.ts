/**
 * An unreachable endpoint over real sockets: a loopback port that was just closed refuses
 * connections, so the token step fails on its first attempt with a message naming host, port,
 * cause and what to check. Attempts are counted, not timed.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { DspClient, DspNetworkError, simulatorEndpoint } from "../../../provider/client";
import { createAxiosTransport } from "../../../provider/client/axios-transport";
import type { HttpTransport } from "../../../provider/client/transport";
import { FakeClock } from "../../support/fake-clock";

/** A port on 127.0.0.1 that nothing listens on: bound to port 0, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("unreachable endpoint (real sockets)", () => {
  it("fails at the token step on the first attempt, naming host:port, ECONNREFUSED and the setting to check", async () => {
    const port = await closedPort();
    const real = createAxiosTransport(4);
    const sent: string[] = [];
    const counting: HttpTransport = {
      send: (request) => {
        sent.push(request.operation);
        return real.send(request);
      },
      close: () => real.close(),
    };
    const client = new DspClient({
      endpoint: simulatorEndpoint(`http://127.0.0.1:${port}`),
      credentials: { clientId: "amzn1.application-oa2-client.test", clientSecret: "not-a-real-secret", refreshToken: "Atzr|not-a-real-token" },
      transport: counting,
      clock: new FakeClock({ startMs: 0 }),
    });
    try {
      await assert.rejects(client.getAudience("72057594038053890"), (error: unknown) => {
        assert.ok(error instanceof DspNetworkError, String(error));
        assert.equal(error.code, "ECONNREFUSED");
        assert.ok(error.message.startsWith(`POST /auth/o2/token: connection refused by 127.0.0.1:${port} (ECONNREFUSED)`), error.message);
        assert.match(error.message, /dsp:endpoint or DSP_ENDPOINT/);
        assert.ok(!error.message.includes("not-a-real"));
        return true;
      });
      assert.deepEqual(sent, ["POST /auth/o2/token"], "one attempt, then a clear error");
    } finally {
      client.close();
    }
  });
});
