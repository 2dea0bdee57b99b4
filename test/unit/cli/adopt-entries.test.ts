import { strict as assert } from "node:assert";
import { parse } from "yaml";
import type { AudienceMetadata } from "../../../provider/client";
import { addEntriesToSpec, entryKey, renderEntries, SpecEditError } from "../../../provider/cli/adopt-entries";
import { parseSpec } from "../../../provider/spec";

/** Above 2^53: a JS number would change its last digits. */
const BIG_ID = "9223372036854775001";

function audience(overrides: Partial<AudienceMetadata> = {}): AudienceMetadata {
  return {
    audienceId: BIG_ID,
    name: "Loyal customers 2026",
    description: "Bought twice in 90 days",
    advertiserId: "9007199254740993",
    type: "DATA_PROVIDER",
    externalAudienceId: "Loyal_Customers 2026",
    dataSourceCountry: ["US", "CA"],
    ttl: 2592000,
    audienceFees: [{ cpmCents: 150, currency: "USD" }],
    ...overrides,
  };
}

const SPEC = `# header comment
version: 1
defaults:
  dataSourceCountry: [DE]   # kept
audiences:
  existing:                 # a key comment
    name: Existing audience 1
    adopt: 72057594038053891
    advertiserId: "1"
  # a trailing comment inside audiences

settings:
  reassertAfterDays: 30
`;

describe("cli/adopt-entries", () => {
  it("keys entries by externalAudienceId in the schema's key form, unique among the spec's keys", () => {
    assert.equal(entryKey(audience(), new Set()), "loyal-customers-2026");
    assert.equal(entryKey(audience(), new Set(["loyal-customers-2026"])), "loyal-customers-2026-2");
    assert.equal(entryKey(audience({ externalAudienceId: "___" }), new Set()), `audience-${BIG_ID}`);
    const long = entryKey(audience({ externalAudienceId: "x".repeat(200) }), new Set(["x".repeat(63)]));
    assert.match(long, /^[a-z0-9][a-z0-9-]{0,62}$/);
    assert.equal(long, `${"x".repeat(61)}-2`);
  });

  it("prints entries with adopt: and the metadata as Amazon has it, every digit of the ids kept, and where the members go", () => {
    const text = renderEntries([audience(), audience({ audienceId: "72057594038053892", externalAudienceId: "app", description: "", ttl: undefined as never, audienceFees: [] })]);
    assert.match(text, /^# Paste under `audiences:`/);
    assert.match(text, /\n {4}adopt: "9223372036854775001"\n/);
    assert.match(text, /\n {4}advertiserId: "9007199254740993"\n/);
    assert.match(text, /# members: Amazon's API cannot list an audience's members/);
    assert.match(text, /# {3}COOKIE: \{ file: ids\/loyal-customers-2026-cookies\.txt \}/);
    const parsed = parse(text) as { audiences: Record<string, Record<string, unknown>> };
    assert.deepEqual(parsed.audiences["loyal-customers-2026"], {
      adopt: BIG_ID,
      name: "Loyal customers 2026",
      description: "Bought twice in 90 days",
      externalAudienceId: "Loyal_Customers 2026",
      advertiserId: "9007199254740993",
      dataSourceCountry: ["US", "CA"],
      ttl: 2592000,
      audienceFees: [{ cpmCents: 150, currency: "USD" }],
    });
    assert.deepEqual(parsed.audiences.app, { adopt: "72057594038053892", name: "Loyal customers 2026", description: "", externalAudienceId: "app", advertiserId: "9007199254740993", dataSourceCountry: ["US", "CA"], audienceFees: [] });
  });

  it("writes into a spec after its audiences, leaving every other byte as it was, and the spec still loads", () => {
    const edit = addEntriesToSpec(SPEC, "audiences.yaml", [audience()]);
    assert.deepEqual(edit.added, [{ key: "loyal-customers-2026", audienceId: BIG_ID }]);
    const at = edit.text.indexOf("  loyal-customers-2026:\n");
    const length = edit.text.length - SPEC.length;
    assert.ok(at > SPEC.indexOf('    advertiserId: "1"\n') && at < SPEC.indexOf("\nsettings:"), "inside audiences, after its last entry");
    assert.equal(edit.text.slice(0, at) + edit.text.slice(at + length), SPEC, "the rest byte for byte");
    const spec = parseSpec(edit.text, "audiences.yaml");
    const adopted = spec.audiences.find((a) => a.key === "loyal-customers-2026");
    assert.equal(adopted?.adopt, BIG_ID);
    assert.deepEqual(adopted?.dataSourceCountry, ["US", "CA"], "the entry's countries, not the defaults'");
  });

  it("leaves an audience the spec adopts already (as a YAML integer or a string) as it is", () => {
    const edit = addEntriesToSpec(SPEC, "audiences.yaml", [audience({ audienceId: "72057594038053891" })]);
    assert.equal(edit.text, SPEC);
    assert.deepEqual(edit.present, [{ key: "existing", audienceId: "72057594038053891" }]);
  });

  it("starts a spec from nothing, or fills an empty audiences map", () => {
    for (const start of ["", "version: 1\naudiences: {}\n", "version: 1\naudiences:\n"]) {
      const edit = addEntriesToSpec(start, "new.yaml", [audience()]);
      const spec = parseSpec(edit.text, "new.yaml");
      assert.deepEqual(spec.audiences.map((a) => a.key), ["loyal-customers-2026"], JSON.stringify(start));
    }
  });

  it("refuses what it cannot write into, naming the file, and writes nothing", () => {
    for (const [text, message] of [
      ["audiences: [a, b]\n", /new\.yaml: audiences: is not a map/],
      ["- a\n", /new\.yaml: the spec is not a map of keys/],
      ["audiences: {a: 1\n", /new\.yaml: not valid YAML/],
    ] as const) {
      assert.throws(() => addEntriesToSpec(text, "new.yaml", [audience()]), (e: Error) => e instanceof SpecEditError && message.test(e.message));
    }
  });
});
