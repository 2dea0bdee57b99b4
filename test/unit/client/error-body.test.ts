import assert from "node:assert/strict";
import { parseErrorBody, type ParsedErrorBody } from "../../../provider/client/error-body";

describe("parseErrorBody", () => {
  const cases: Array<{ name: string; body: string; expected: ParsedErrorBody }> = [
    {
      name: "DP shape with string status and sub-error",
      body: JSON.stringify({
        requestId: "req-1",
        error: {
          httpStatusCode: "400",
          description: "Invalid input",
          errors: [{ errorType: "INVALID_INPUT", message: "The input field 'name' cannot be updated", fieldName: "name" }],
        },
      }),
      expected: {
        requestId: "req-1",
        statusCode: 400,
        description: "Invalid input: The input field 'name' cannot be updated",
        errorType: "INVALID_INPUT",
        fieldName: "name",
      },
    },
    {
      name: "DP shape with numeric status, no sub-errors",
      body: JSON.stringify({ requestId: "req-2", error: { httpStatusCode: 413, description: "The input payload exceeds 1MB limit." } }),
      expected: { requestId: "req-2", statusCode: 413, description: "The input payload exceeds 1MB limit." },
    },
    {
      name: "DP shape with only a sub-error message",
      body: JSON.stringify({ error: { errors: [{ errorType: "TOO_MANY_REQUESTS", message: "Slow down" }] } }),
      expected: { errorType: "TOO_MANY_REQUESTS", description: "Slow down" },
    },
    { name: "hashed records {errorMessage}", body: '{"errorMessage":"Max request size is 5 MB"}', expected: { description: "Max request size is 5 MB" } },
    {
      name: "gateway {code, details}",
      body: '{"code":"UNAUTHORIZED","details":"Not authorized to access this advertiser"}',
      expected: { errorType: "UNAUTHORIZED", description: "Not authorized to access this advertiser" },
    },
    { name: "{message}", body: '{"message":"Unauthorized"}', expected: { description: "Unauthorized" } },
    {
      name: "OAuth {error, error_description}",
      body: '{"error":"invalid_grant","error_description":"The request has an invalid grant parameter : refresh_token"}',
      expected: { errorType: "invalid_grant", description: "The request has an invalid grant parameter : refresh_token" },
    },
    { name: "HTML gateway page", body: "<html><body><h1>502 Bad Gateway</h1></body></html>", expected: { description: "502 Bad Gateway" } },
    { name: "empty body", body: "", expected: {} },
    { name: "JSON array", body: "[1,2]", expected: {} },
    { name: "unknown object", body: '{"foo":1}', expected: {} },
  ];
  for (const { name, body, expected } of cases) {
    it(name, () => assert.deepEqual(parseErrorBody(body), expected));
  }

  it("truncates very long descriptions", () => {
    const parsed = parseErrorBody(JSON.stringify({ errorMessage: "x".repeat(5000) }));
    assert.equal(parsed.description?.length, 501);
  });
});
