import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parsePreviewJson, PreviewJsonError, urnName, urnType, type PreviewJson } from "../../../provider/gitops/preview-json";
import { summarisePreview } from "../../../provider/gitops/plan-summary";
import { SNAPSHOT_RECOVERY_HINT } from "../../../provider/snapshots";
import { syntheticPreview } from "../../support/synthetic-preview";

/** Real `pulumi preview --json` output of the v3.274.1 CLI on this project (serialized providers trimmed). */
const fixture = (name: string): PreviewJson => parsePreviewJson(fs.readFileSync(path.join(__dirname, "fixtures", `preview-${name}.json`), "utf8"));

describe("plan summary from `pulumi preview --json`", () => {
  it("reads URNs of nested resources", () => {
    const urn = "urn:pulumi:e2e::dsp-audiences::pulumi-nodejs:dynamic/dsp-audiences:DataProviderAudience$pulumi-nodejs:dynamic/dsp-audiences:AudienceMembership::alpha-cookie";
    assert.equal(urnName(urn), "alpha-cookie");
    assert.equal(urnType(urn), "pulumi-nodejs:dynamic/dsp-audiences:AudienceMembership");
  });

  it("rejects text that is not preview JSON, quoting its start", () => {
    assert.throws(() => parsePreviewJson(""), PreviewJsonError);
    assert.throws(() => parsePreviewJson("error: no stack selected"), /starts with "error: no stack selected"/);
    assert.throws(() => parsePreviewJson("[1]"), /expected an object/);
    assert.deepEqual(parsePreviewJson("{}"), { steps: [], diagnostics: [], changeSummary: {} });
  });

  it("counts a first sync from the provider's plan lines", () => {
    const s = summarisePreview(fixture("create"), { stack: "e2e" });
    assert.equal(s.failed, false);
    assert.equal(s.hasChanges, true);
    assert.deepEqual(
      s.audiences.map((a) => [a.key, a.change, a.members.map((m) => [m.idType, m.adds, m.removes])]),
      [
        ["alpha", "create", [["COOKIE", 200, 0]]],
        ["beta", "create", [["COOKIE", 1, 0]]],
      ],
    );
    assert.deepEqual([s.totals.adds, s.totals.removes], [201, 0]);
  });

  it("names the metadata fields of an update and keeps exact member counts", () => {
    const s = summarisePreview(fixture("update"));
    assert.equal(s.audiences.length, 1);
    const alpha = s.audiences[0]!;
    assert.equal(alpha.change, "update");
    assert.deepEqual(alpha.metadata, [{ field: "description", before: "d1", after: "d3" }]);
    assert.deepEqual(alpha.members, [{ idType: "COOKIE", change: "update", adds: 50, removes: 50, unchanged: 150, reassert: false }]);
    // The real CLI lists unchanged resources only with --show-sames: beta's count is unknown, not 0.
    assert.equal(s.totals.unchangedAudiences, undefined);
  });

  it("warns that a replaced audience stays in DSP and counts the members moved", () => {
    const s = summarisePreview(fixture("replace"));
    const alpha = s.audiences[0]!;
    assert.equal(alpha.change, "replace");
    assert.deepEqual(alpha.replaceReasons, ["name"]);
    assert.deepEqual(alpha.metadata.map((f) => f.field), ["description", "name"]);
    assert.deepEqual(alpha.members.map((m) => [m.change, m.adds, m.removes]), [["replace", 200, 200]]);
    assert.match(alpha.warnings[0]!, /^replaced \(name changed\): .*stays in Amazon DSP \(the API has no DELETE\)/);
  });

  it("turns a missing snapshot into an error on its audience and gives the recovery once", () => {
    const s = summarisePreview(fixture("missing-snapshot"));
    assert.equal(s.failed, true);
    const alpha = s.audiences[0]!;
    assert.equal(alpha.key, "alpha");
    assert.equal(alpha.errors.length, 1, "the provider's stderr echo (info#err) is not counted again");
    assert.match(alpha.errors[0]!, /^alpha COOKIE: cannot plan: Applied-set snapshot [0-9a-f]{64} not found at \/tmp\/dsp-work\/.*\.ids\.gz\.$/);
    assert.ok(!alpha.errors[0]!.includes(SNAPSHOT_RECOVERY_HINT), "the hint is said once, not per error");
    assert.deepEqual(alpha.members, [{ idType: "COOKIE", change: "update", adds: 0, removes: 0, reassert: false, unplanned: true }]);
    assert.ok(s.recoveryHint?.startsWith(SNAPSHOT_RECOVERY_HINT));
    assert.match(s.recoveryHint ?? "", /pulumi config set dsp:reassert/);
  });

  it("deletes: members come from state, and the audience stays in DSP", () => {
    const preview = syntheticPreview({ audiences: 1, op: "delete", appliedCount: 1234 });
    const s = summarisePreview(preview);
    assert.deepEqual(s.audiences[0]!.members.map((m) => [m.idType, m.change, m.adds, m.removes]), [
      ["COOKIE", "delete", 0, 1234],
      ["MAID", "delete", 0, 1234],
    ]);
    assert.match(s.audiences[0]!.warnings[0]!, /removed from the spec: its members are removed; the audience \(\d+\) stays in Amazon DSP/);
  });

  it("flags re-asserts and reports no changes when there are none", () => {
    const reasserted = summarisePreview(syntheticPreview({ audiences: 3, adds: 10, reassert: true }));
    assert.equal(reasserted.totals.reasserts, 6, "3 audiences × COOKIE and MAID");
    const none = summarisePreview(syntheticPreview({ audiences: 3, op: "same" }));
    assert.equal(none.hasChanges, false);
    assert.equal(none.audiences.length, 0);
    assert.equal(none.totals.unchangedAudiences, 3);
  });

  it("attributes warnings and errors by the label in the message, else by URN, else to the stack", () => {
    const preview: PreviewJson = {
      steps: [],
      changeSummary: {},
      diagnostics: [
        { severity: "warning", message: "vip MAID: applied snapshot missing; re-asserting all 5 IDs, removals cannot be computed\n" },
        { severity: "warning", message: "Applied-set snapshots are kept in /p, which does not follow the state backend\n" },
        { severity: "error", urn: "urn:pulumi:s::p::pulumi-nodejs:dynamic/dsp-audiences:DataProviderAudience::gold", message: "error: 403 Forbidden\n" },
        { severity: "error", message: "error: preview failed\n" },
        { severity: "info#err", message: "    at Object.diff (x.ts:1:1)\n" },
      ],
    };
    const s = summarisePreview(preview);
    assert.deepEqual(s.audiences.map((a) => [a.key, a.errors, a.warnings.length]), [
      ["gold", ["403 Forbidden"], 0],
      ["vip", [], 1],
    ]);
    assert.deepEqual(s.warnings, ["Applied-set snapshots are kept in /p, which does not follow the state backend"]);
    assert.deepEqual(s.errors, [], "the engine's closing 'preview failed' adds nothing once a specific error is listed");
    assert.equal(s.failed, true);
  });
});
