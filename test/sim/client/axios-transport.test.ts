/**
 * The axios transport over real sockets: how wire failures map to errors
 * (which decides whether a create may be retried), keep-alive reuse, and raw
 * bodies. Uses a bare node:http server on an ephemeral port, no simulator.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { createAxiosTransport } from "../../../provider/client/axios-transport";
import { DspNetworkError, DspTimeoutError } from "../../../provider/client/errors";
import type { HttpTransport } from "../../../provider/client/transport";

type Handler = (request: http.IncomingMessage, response: http.ServerResponse, body: Buffer) => void;

async function startServer(handler: Handler): Promise<{ url: string; sockets: () => number; close: () => Promise<void> }> {
  let sockets = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handler(request, response, Buffer.concat(chunks)));
  });
  server.on("connection", () => sockets++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sockets: () => sockets,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("axios transport (real sockets)", () => {
  let transport: HttpTransport;
  beforeEach(() => {
    transport = createAxiosTransport(8);
  });
  afterEach(() => transport.close());

  const request = (url: string, extra: Partial<Parameters<HttpTransport["send"]>[0]> = {}) =>
    transport.send({ method: "PATCH", url, headers: { "content-type": "application/json" }, body: '{"patches":[]}', timeoutMs: 5000, operation: "PATCH /v2/dp/audience", ...extra });

  it("returns the raw body (big ids untouched), any status, lower-case headers", async () => {
    const server = await startServer((_req, res, body) => {
      res.writeHead(418, { "X-Amzn-RequestId": "rid-1", "Content-Type": "application/json" });
      res.end(`{"echo":${JSON.stringify(body.toString())},"id":72057594038053891}`);
    });
    try {
      const response = await request(`${server.url}/x`);
      assert.equal(response.status, 418);
      assert.equal(response.headers["x-amzn-requestid"], "rid-1");
      assert.equal(response.body, '{"echo":"{\\"patches\\":[]}","id":72057594038053891}');
    } finally {
      await server.close();
    }
  });

  it("reuses one keep-alive connection for sequential requests", async () => {
    const server = await startServer((_req, res) => res.end("{}"));
    try {
      for (let i = 0; i < 5; i++) await request(`${server.url}/x`);
      assert.equal(server.sockets(), 1);
    } finally {
      await server.close();
    }
  });

  it("opens a fresh connection when asked (non-idempotent create)", async () => {
    const server = await startServer((_req, res) => res.end("{}"));
    try {
      for (let i = 0; i < 3; i++) await request(`${server.url}/x`, { freshConnection: true });
      assert.equal(server.sockets(), 3);
    } finally {
      await server.close();
    }
  });

  it("refused connection → DspNetworkError that was provably not sent", async () => {
    const server = await startServer(() => undefined);
    const url = server.url;
    await server.close();
    await assert.rejects(request(`${url}/x`), (error: unknown) => {
      assert.ok(error instanceof DspNetworkError && !(error instanceof DspTimeoutError));
      assert.equal(error.code, "ECONNREFUSED");
      assert.equal(error.requestMayHaveBeenSent, false);
      assert.equal(error.message, `PATCH /v2/dp/audience: connection refused by ${url.slice("http://".length)} (ECONNREFUSED): nothing accepts connections there`);
      assert.equal(error.host, url.slice("http://".length));
      return true;
    });
  });

  it("connection dropped after the request arrived → DspNetworkError that may have been processed", async () => {
    const server = await startServer((req) => req.socket.destroy());
    try {
      await assert.rejects(request(`${server.url}/x`), (error: unknown) => {
        assert.ok(error instanceof DspNetworkError);
        assert.equal(error.requestMayHaveBeenSent, true);
        return true;
      });
    } finally {
      await server.close();
    }
  });

  it("no answer in time → DspTimeoutError, with no headers or body in the error", async () => {
    const server = await startServer(() => undefined); // never answers
    try {
      await assert.rejects(
        request(`${server.url}/x`, { timeoutMs: 100, headers: { authorization: "Bearer Atza|secret-token" }, body: '{"patches":[{"path":"/COOKIE-private/audiences"}]}' }),
        (error: unknown) => {
          assert.ok(error instanceof DspTimeoutError);
          assert.equal(error.timeoutMs, 100);
          const dump = JSON.stringify(error) + String(error) + inspect(error, { depth: 10 });
          assert.ok(!dump.includes("Atza|secret-token"));
          assert.ok(!dump.includes("COOKIE-private"));
          return true;
        },
      );
    } finally {
      await server.close();
    }
  });
});
