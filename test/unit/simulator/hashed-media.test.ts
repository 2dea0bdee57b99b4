import { strict as assert } from "node:assert";
import { HASHED_RESPONSE_V3 as V3, HASHED_RESPONSE_V3_1 as V31, acceptsHashedResponse, hashedResponseType } from "../../../simulator/hashed-media";

describe("simulator/hashed-media", () => {
  const acceptable: Array<[string | undefined, boolean]> = [
    [undefined, true],
    ["", true],
    ["  ", true],
    ["*/*", true],
    ["application/*", true],
    [V3, true],
    [V3.toUpperCase(), true],
    [`${V3};charset=utf-8`, true],
    [`text/html;q=0.9, ${V3};q=0.1`, true],
    ["application/json, text/plain, */*", true],
    ["application/json", false],
    ["text/*", false],
    [V31, false],
    [`${V3};q=0`, false],
    [`${V3};q=0.000, */*`, false],
    [`${V3};q=2`, false],
    [`${V3};q=abc`, false],
    ["application/*;q=0, */*", false],
    ["garbage", false],
  ];
  for (const [accept, expected] of acceptable) {
    it(`${expected ? "serves" : "refuses"} Accept ${JSON.stringify(accept)}`, () => assert.equal(acceptsHashedResponse(accept), expected));
  }

  const types: Array<[string | undefined, number, string]> = [
    [undefined, 200, V3],
    [undefined, 400, V3],
    [V31, 400, V31],
    [V31, 200, V3],
    [V31, 429, V3],
    [`${V3}, ${V31}`, 400, V3],
    [`${V31}, ${V3}`, 400, V3],
    [`${V31}, ${V3};q=0.5`, 400, V31],
    [`${V31}, */*`, 400, V31],
    [`${V31};q=0.4, */*`, 400, V3],
    [`${V31};q=0, */*`, 400, V3],
    ["text/html", 400, V3],
    ["text/html", 401, V3],
  ];
  for (const [accept, status, expected] of types) {
    it(`answers ${status} as ${expected === V3 ? "v3" : "v3.1"} for Accept ${JSON.stringify(accept)}`, () => assert.equal(hashedResponseType(accept, status), expected));
  }
});
