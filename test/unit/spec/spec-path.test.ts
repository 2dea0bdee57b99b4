import { strict as assert } from "node:assert";

import { formatSpecPath, pointerToPath } from "../../../provider/spec/spec-path";

describe("spec paths", () => {
  const FORMATS: Array<[Array<string | number>, string]> = [
    [[], ""],
    [["audiences", "loyal-customers", "members", "COOKIE", 3], "audiences.loyal-customers.members.COOKIE[3]"],
    [["deletions", 0, "value"], "deletions[0].value"],
    [["audiences", "has space", "name"], 'audiences["has space"].name'],
    [["audiences", "a.b"], 'audiences["a.b"]'],
    [["2024", "x"], "2024.x"],
  ];
  for (const [path, text] of FORMATS) {
    it(`formats ${JSON.stringify(path)} as ${JSON.stringify(text)}`, () => assert.equal(formatSpecPath(path), text));
  }

  it("reads JSON Pointers, telling list indexes from digit keys and unescaping ~0 ~1", () => {
    const data = { audiences: { "2024": { members: { COOKIE: ["a", "b"] } }, "a/b~c": {} } };
    assert.deepEqual(pointerToPath("/audiences/2024/members/COOKIE/1", data), ["audiences", "2024", "members", "COOKIE", 1]);
    assert.deepEqual(pointerToPath("/audiences/a~1b~0c", data), ["audiences", "a/b~c"]);
    assert.deepEqual(pointerToPath("", data), []);
  });
});
