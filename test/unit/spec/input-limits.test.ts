import { strict as assert } from "node:assert";

import { parseErrors, specText } from "./spec-test-helpers";

const HEAD = ["version: 1", 'defaults: { advertiserId: "5840142710901", dataSourceCountry: [US] }', "audiences:", "  a:", "    name: Nesting test 2026"];

describe("spec input limits", () => {
  describe("nesting depth", () => {
    it("refuses a flow collection nested 20,000 deep at the level past the limit, not with a stack overflow", () => {
      const errors = parseErrors(specText(...HEAD, `    description: ${"[".repeat(20_000)}${"]".repeat(20_000)}`));
      // "    description: " is 17 characters; level 65 of the document opens 61 brackets in.
      assert.deepEqual(errors, ["spec.yaml:6:79: nesting is deeper than 64 levels of maps and lists; a valid spec needs fewer than 10"]);
    });

    it("refuses block maps nested 5,000 deep at the first key past the limit", () => {
      const lines = [...HEAD, "    description:"];
      for (let level = 0; level < 5_000; level++) lines.push(`${" ".repeat(6 + 2 * level)}k:`);
      const errors = parseErrors(specText(...lines));
      assert.equal(errors.length, 1);
      assert.match(errors[0] ?? "", /^spec\.yaml:\d+:\d+: nesting is deeper than 64 levels of maps and lists; a valid spec needs fewer than 10$/);
      assert.doesNotMatch(errors[0] ?? "", /call stack/);
    });

    it("accepts nesting up to the limit (and reports what is wrong with it instead)", () => {
      const errors = parseErrors(specText(...HEAD, `    description: ${"[".repeat(60)}${"]".repeat(60)}`));
      assert.deepEqual(errors, ["spec.yaml:6:18: audiences.a.description: must be a string, got a list"]);
    });
  });
});
