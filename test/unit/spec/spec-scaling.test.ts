import { strict as assert } from "node:assert";

import { analyseSpec } from "../../../provider/spec/analyse-spec";
import { specText } from "../../support/spec-text";

/**
 * A spec with `count` audiences that exercises every per-audience lookup: an advertiserId and an
 * adopt id (int64 digits), an explicit externalAudienceId (uniqueness), a description (through an
 * alias in some), and an inline list (item lines).
 */
function manyAudiences(count: number): string {
  const lines = ["version: 1", "defaults:", '  advertiserId: "5840142710901"', "  dataSourceCountry: [US]", "audiences:"];
  for (let i = 0; i < count; i++) {
    const key = `a${String(i).padStart(6, "0")}`;
    lines.push(
      `  ${key}:`,
      `    name: Audience ${key} 2026`,
      // The YAML reader allows 100 aliases in all (alias bombs); one audience in 100 uses one.
      i === 0 ? "    description: &shared Shared text" : i % 100 === 0 ? "    description: *shared" : `    description: Text of ${key}`,
      `    advertiserId: ${5840142710901 + i}`,
      `    adopt: ${72057594038053890n + BigInt(i) * 2n}`,
      `    externalAudienceId: ext-${key}`,
      "    members:",
      `      COOKIE: [cookie${key}AAAAAAAAAAAA]`,
    );
  }
  return specText(...lines);
}

/** The locator's steps to analyse a spec, counted through its injected counter. */
function locatorSteps(text: string): number {
  let steps = 0;
  const analysis = analyseSpec(text, "spec.yaml", { countSteps: (n) => (steps += n) });
  assert.deepEqual(analysis.errors, []);
  return steps;
}

describe("spec analysis scales linearly with the number of audiences", () => {
  it("four times the audiences take at most about four times the locator steps (a scan per lookup would take sixteen)", () => {
    const small = locatorSteps(manyAudiences(250));
    const large = locatorSteps(manyAudiences(1000));
    assert.ok(small > 0, "the counter is called");
    const ratio = large / small;
    assert.ok(ratio < 4.5, `steps grew ${ratio.toFixed(2)}× for 4× the audiences (${small} → ${large})`);
  });

  it("resolves every audience with its exact int64 digits and its aliased description", () => {
    const analysis = analyseSpec(manyAudiences(3), "spec.yaml");
    assert.deepEqual(
      analysis.spec?.audiences.map((a) => [a.key, a.advertiserId, a.adopt, a.description]),
      [
        ["a000000", "5840142710901", "72057594038053890", "Shared text"],
        ["a000001", "5840142710902", "72057594038053892", "Text of a000001"],
        ["a000002", "5840142710903", "72057594038053894", "Text of a000002"],
      ],
    );
  });
});
