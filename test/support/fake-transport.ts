/**
 * A transport that answers from a handler and records every request with its
 * (virtual) send time, for asserting order, spacing, headers and bodies.
 */
import type { Clock } from "../../provider/client/clock";
import type { HttpRequest, HttpResponse, HttpTransport } from "../../provider/client/transport";

export interface RecordedRequest extends HttpRequest {
  sentAtMs: number;
}

export type Handler = (request: HttpRequest, index: number) => HttpResponse | Promise<HttpResponse>;

export class FakeTransport implements HttpTransport {
  readonly requests: RecordedRequest[] = [];
  closed = false;
  readonly #clock: Clock;
  #handler: Handler;

  constructor(clock: Clock, handler: Handler) {
    this.#clock = clock;
    this.#handler = handler;
  }

  /** Requests to the API (token requests excluded). */
  get apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => !r.url.endsWith("/auth/o2/token"));
  }

  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.url.endsWith("/auth/o2/token"));
  }

  setHandler(handler: Handler): void {
    this.#handler = handler;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const index = this.requests.length;
    this.requests.push({ ...request, sentAtMs: this.#clock.now() });
    return this.#handler(request, index);
  }

  close(): void {
    this.closed = true;
  }
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
}

export const TEST_CREDENTIALS = Object.freeze({
  clientId: "amzn1.application-oa2-client.test",
  clientSecret: "super-secret-client-secret-value",
  refreshToken: "Atzr|refresh-token-that-must-never-leak",
});

/** Token endpoint answering with tokens `Atza|token-1`, `Atza|token-2`, … */
export function tokenHandler(expiresInSeconds = 3600): { handle: Handler; issued: () => number } {
  let issued = 0;
  return {
    handle: () => {
      issued++;
      return jsonResponse(200, { access_token: `Atza|token-${issued}`, token_type: "bearer", expires_in: expiresInSeconds, refresh_token: TEST_CREDENTIALS.refreshToken });
    },
    issued: () => issued,
  };
}

/** Routes token requests to `tokens` and everything else to `api`. */
export function routeHandler(api: Handler, tokens: Handler = tokenHandler().handle): Handler {
  return (request, index) => (request.url.endsWith("/auth/o2/token") ? tokens(request, index) : api(request, index));
}
