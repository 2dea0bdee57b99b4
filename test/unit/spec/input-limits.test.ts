import { strict as assert } from "node:assert";

import { parseSpec, SPEC_SCHEMA } from "../../../provider/spec";
import { parseErrors, specText } from "../../support/spec-text";

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

  describe("int64 fields take exact digits only", () => {
    const DIGITS = 'must be written as plain decimal digits, got %s; write the exact digits (quoted or not), e.g. "5840142710901"';
    const rows: Array<{ written: string; form: string }> = [
      { written: "9007199254740993.0", form: "a floating-point number, which YAML rounds" },
      { written: "9.007199254740993e15", form: "a number with an exponent, which YAML rounds" },
      { written: "9007199254740993E0", form: "a number with an exponent, which YAML rounds" },
      { written: "0x1F", form: "a hexadecimal number" },
      { written: "0o17", form: "an octal number" },
      { written: "+17", form: "a number with a sign" },
      { written: "0017", form: "a number with a leading zero" },
    ];
    for (const field of ["advertiserId", "adopt"]) {
      for (const { written, form } of rows) {
        it(`refuses ${field}: ${written} as ${form}`, () => {
          const errors = parseErrors(specText(...HEAD, `    ${field}: ${written}`));
          assert.deepEqual(errors, [`spec.yaml:6:${field.length + 7}: audiences.a.${field}: ${DIGITS.replace("%s", form)}`]);
        });
      }
    }

    it("refuses the float form in defaults and deletions too", () => {
      const text = specText(
        "version: 1",
        "defaults: { advertiserId: 72057594038053891.0, dataSourceCountry: [US] }",
        "audiences:",
        "  a:",
        "    name: Nesting test 2026",
        "deletions:",
        "  - { type: COOKIE, value: EMpBAI0GRcK4nBNGpPGg5g, advertiserId: 5.840142710901e12 }",
      );
      assert.deepEqual(parseErrors(text), [
        `spec.yaml:2:27: defaults.advertiserId: ${DIGITS.replace("%s", "a floating-point number, which YAML rounds")}`,
        `spec.yaml:7:66: deletions[0].advertiserId: ${DIGITS.replace("%s", "a number with an exponent, which YAML rounds")}`,
      ]);
    });

    it("keeps every digit of an unquoted integer above 2^53, and of a quoted one", () => {
      const spec = parseSpec(specText(...HEAD, "    advertiserId: 9007199254740993", "    adopt: \"72057594038053891\""), "spec.yaml");
      assert.equal(spec.audiences[0]?.advertiserId, "9007199254740993");
      assert.equal(spec.audiences[0]?.adopt, "72057594038053891");
    });

    it("covers every int64 field of the schema (each $ref to Int64 is one the check knows)", () => {
      const refs: string[] = [];
      const walk = (node: unknown, where: string): void => {
        if (typeof node !== "object" || node === null) return;
        for (const [key, value] of Object.entries(node)) {
          if (key === "$ref" && value === "#/$defs/Int64") refs.push(where);
          walk(value, `${where}/${key}`);
        }
      };
      walk(SPEC_SCHEMA, "");
      assert.deepEqual(refs.sort(), [
        "/$defs/AudienceDefaults/properties/advertiserId",
        "/$defs/AudienceDefinition/properties/adopt",
        "/$defs/AudienceDefinition/properties/advertiserId",
        "/$defs/Deletion/properties/advertiserId",
      ]);
    });
  });
});
