import assert from "node:assert/strict";
import { DspAuthError, DspHttpError, DspRateLimitError, type DspError } from "../../../provider/client/errors";
import { errorFromResponse } from "../../../provider/client/response-error";
import type { HttpResponse } from "../../../provider/client/transport";

const HASHED_V3 = "application/vnd.dpuploadhashedrecordsresponse.v3+json";
const HASHED_V3_1 = "application/vnd.dpuploadhashedrecordsresponse.v3.1+json";

function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) };
}

interface Expected {
  kind: typeof DspHttpError | typeof DspRateLimitError | typeof DspAuthError;
  status: number;
  requestId?: string;
  errorType?: string;
  fieldName?: string;
  description?: string;
  retryAfterMs?: number;
}

function facts(error: DspError): Omit<Expected, "kind"> {
  const out: Omit<Expected, "kind"> = { status: (error as DspHttpError).status };
  for (const key of ["requestId", "errorType", "fieldName", "description", "retryAfterMs"] as const) {
    const value = (error as DspHttpError)[key];
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/**
 * The error answers Amazon's documents give (Data Provider and Hashed Records OpenAPI), which the
 * simulator now sends, and the other shapes a real gateway may send: each is read into the same
 * error family, with the request id from the body or else from `x-amzn-requestid`.
 */
describe("errorFromResponse: documented error answers", () => {
  const cases: Array<{ name: string; res: HttpResponse; expected: Expected }> = [
    {
      name: "DP 400 with a field (httpStatusCode as a string, as the schema types it)",
      res: response(400, {
        requestId: "F88750355N-B70JY53CSD",
        error: { httpStatusCode: "400", description: "Bad Request", errors: [{ errorType: "INVALID_INPUT", message: "The input field 'name' cannot be updated", fieldName: "name" }] },
      }),
      expected: { kind: DspHttpError, status: 400, requestId: "F88750355N-B70JY53CSD", errorType: "INVALID_INPUT", fieldName: "name", description: "Bad Request: The input field 'name' cannot be updated" },
    },
    {
      name: "DP 413 (httpStatusCode as a number, as the document's example writes it; no fieldName)",
      res: response(413, { requestId: "r-413", error: { httpStatusCode: 413, description: "Input Too Large", errors: [{ errorType: "INPUT_TOO_LARGE", message: "The input payload exceeds 1MB limit." }] } }),
      expected: { kind: DspHttpError, status: 413, requestId: "r-413", errorType: "INPUT_TOO_LARGE", description: "Input Too Large: The input payload exceeds 1MB limit." },
    },
    {
      name: "DP 429 with Retry-After",
      res: response(429, { requestId: "r-429", error: { httpStatusCode: "429", description: "Too Many Requests", errors: [{ errorType: "TOO_MANY_REQUESTS", message: "Too Many Requests" }] } }, { "retry-after": "2" }),
      expected: { kind: DspRateLimitError, status: 429, requestId: "r-429", errorType: "TOO_MANY_REQUESTS", description: "Too Many Requests", retryAfterMs: 2000 },
    },
    {
      name: "DP 401 from the gateway in the DP shape",
      res: response(401, { requestId: "r-401", error: { httpStatusCode: "401", description: "The access token has expired", errors: [{ errorType: "UNAUTHORIZED", message: "The access token has expired" }] } }),
      expected: { kind: DspAuthError, status: 401, requestId: "r-401", errorType: "UNAUTHORIZED", description: "The access token has expired" },
    },
    {
      name: "DP 403 for another client's audience",
      res: response(403, { requestId: "r-403", error: { httpStatusCode: "403", description: "Forbidden", errors: [{ errorType: "FORBIDDEN", message: "Forbidden", fieldName: "audienceId" }] } }),
      expected: { kind: DspHttpError, status: 403, requestId: "r-403", errorType: "FORBIDDEN", fieldName: "audienceId", description: "Forbidden" },
    },
    {
      name: "hashed 400 {errorMessage} as v3.1, request id from the header",
      res: response(400, { errorMessage: "Hashed records associated with [externalId:u1] contains invalid hashed attributes [email]" }, { "content-type": HASHED_V3_1, "x-amzn-requestid": "h-400" }),
      expected: { kind: DspHttpError, status: 400, requestId: "h-400", description: "Hashed records associated with [externalId:u1] contains invalid hashed attributes [email]" },
    },
    {
      name: "hashed 401 {errorMessage} as v3",
      res: response(401, { errorMessage: "The caller is not authorized for this operation." }, { "content-type": HASHED_V3, "x-amzn-requestid": "h-401" }),
      expected: { kind: DspAuthError, status: 401, requestId: "h-401", description: "The caller is not authorized for this operation." },
    },
    {
      name: "hashed 429 {errorMessage} as v3 with Retry-After",
      res: response(429, { errorMessage: "Too Many Requests" }, { "content-type": HASHED_V3, "retry-after": "1" }),
      expected: { kind: DspRateLimitError, status: 429, description: "Too Many Requests", retryAfterMs: 1000 },
    },
    {
      name: "hashed 505 {errorMessage} (dependency timeout)",
      res: response(505, { errorMessage: "Dependency timed out. Please retry." }, { "content-type": HASHED_V3 }),
      expected: { kind: DspHttpError, status: 505, description: "Dependency timed out. Please retry." },
    },
    // Shapes a real gateway may still send, read as before.
    {
      name: "gateway 401 {code, details}",
      res: response(401, { code: "UNAUTHORIZED", details: "Not authorized" }, { "x-amzn-requestid": "g-401" }),
      expected: { kind: DspAuthError, status: 401, requestId: "g-401", errorType: "UNAUTHORIZED", description: "Not authorized" },
    },
    { name: "gateway 401 {message}", res: response(401, { message: "Unauthorized" }), expected: { kind: DspAuthError, status: 401, description: "Unauthorized" } },
    { name: "an HTML 502 page", res: response(502, "<html><body>502 Bad Gateway</body></html>", { "content-type": "text/html" }), expected: { kind: DspHttpError, status: 502, description: "502 Bad Gateway" } },
  ];
  for (const { name, res, expected } of cases) {
    it(name, () => {
      const error = errorFromResponse("OP /path", res, 0);
      assert.equal(error.constructor, expected.kind);
      const { kind: _kind, ...rest } = expected;
      assert.deepEqual(facts(error), rest);
    });
  }
});
