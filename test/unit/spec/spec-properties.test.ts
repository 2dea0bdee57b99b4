import { strict as assert } from "node:assert";

import fc from "fast-check";

import { parseSpec } from "../../../provider/spec";
import { parseErrors, specText } from "../../support/spec-text";

const HEAD = ["version: 1", "defaults: { advertiserId: 1, dataSourceCountry: [US] }", "audiences:", "  a1:", "    name: Property audience", "    members:", "      COOKIE:"];
const FIRST_ID_LINE = HEAD.length + 1;

const cookieId = fc.stringMatching(/^[A-Za-z0-9_=+/.:-]{1,24}$/);

describe("spec properties", () => {
  it("an inline list of distinct valid IDs resolves to exactly those IDs on consecutive lines", () => {
    fc.assert(
      fc.property(fc.uniqueArray(cookieId, { minLength: 1, maxLength: 30 }), (ids) => {
        const spec = parseSpec(specText(...HEAD, ...ids.map((id) => `        - ${JSON.stringify(id)}`)), "/p/spec.yaml");
        assert.deepEqual(spec.audiences[0]?.members.COOKIE, { kind: "inline", ids, lines: ids.map((_, index) => FIRST_ID_LINE + index) });
      }),
    );
  });

  it("every repeat in an inline list is reported once, at its own line, naming the first occurrence's line", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("AAAA", "BBBB", "CCCC", "DDDD"), { minLength: 1, maxLength: 20 }), (ids) => {
        const firstIndex = new Map<string, number>();
        const expected: string[] = [];
        ids.forEach((id, index) => {
          const first = firstIndex.get(id);
          if (first === undefined) firstIndex.set(id, index);
          else expected.push(`spec.yaml:${FIRST_ID_LINE + index}:11: audiences.a1.members.COOKIE[${index}]: duplicate ID: same as item [${first}] on line ${FIRST_ID_LINE + first}`);
        });
        assert.deepEqual(parseErrors(specText(...HEAD, ...ids.map((id) => `        - ${id}`))), expected);
      }),
    );
  });

  it("any positive int64 written as a YAML integer resolves to the same digits", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 9223372036854775807n }), (advertiserId) => {
        const spec = parseSpec(specText("version: 1", "audiences:", `  a1: { name: Property audience, advertiserId: ${advertiserId}, dataSourceCountry: [US] }`), "/p/spec.yaml");
        assert.equal(spec.audiences[0]?.advertiserId, advertiserId.toString());
      }),
    );
  });
});
