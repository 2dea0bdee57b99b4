/**
 * The seam between the client's logic and the wire. The real implementation
 * (axios) lives in axios-transport.ts; tests pass a scripted fake.
 */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH";

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Readonly<Record<string, string>>;
  /** Pre-built body, sent as is. */
  body?: string | Buffer;
  /** Abort when no complete response arrived within this many ms. */
  timeoutMs: number;
  /** For error messages, e.g. `PATCH /v2/dp/audience`. */
  operation: string;
  /**
   * Use a new connection instead of a pooled keep-alive one. Non-idempotent
   * requests use it so a server closing an idle socket cannot make a request
   * fail in a way that looks like it may have been processed.
   */
  freshConnection?: boolean;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Raw body text; ids are parsed from it losslessly by the caller. */
  body: string;
}

/**
 * Resolves with any HTTP status. Rejects only with `DspNetworkError` or
 * `DspTimeoutError` (with sanitized causes: no headers, no body).
 */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
  /** Releases pooled connections. */
  close(): void;
}
