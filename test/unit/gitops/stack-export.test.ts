import { strict as assert } from "node:assert";
import { parseStackConfig, parseStackExport, StackExportError } from "../../../provider/gitops/stack-export";

/** The shape `pulumi stack export` prints (v3.274.1), trimmed to what matters. */
const EXPORT = {
  version: 3,
  deployment: {
    manifest: { version: "v3.274.1" },
    resources: [
      { urn: "urn:pulumi:prod::aud::pulumi:pulumi:Stack::aud-prod", type: "pulumi:pulumi:Stack" },
      { urn: "urn:pulumi:prod::aud::dsp-audiences:DataProviderAudience::loyal", type: "dsp-audiences:DataProviderAudience", id: "72057594038053891", outputs: { audienceId: "72057594038053891", name: "Loyal customers" } },
      {
        urn: "urn:pulumi:prod::aud::dsp-audiences:DataProviderAudience$dsp-audiences:AudienceMembership::loyal-cookie",
        type: "dsp-audiences:AudienceMembership",
        id: "72057594038053891/COOKIE",
        outputs: { audienceId: "72057594038053891", idType: "COOKIE", label: "loyal", appliedDigest: "a".repeat(64) },
      },
      { urn: "urn:pulumi:prod::aud::dsp-audiences:AudienceMembership::odd", type: "dsp-audiences:AudienceMembership", outputs: { audienceId: "1", idType: "EMAIL" } },
      { urn: "urn:pulumi:prod::aud::dsp-audiences:DataProviderAudience::pending", type: "dsp-audiences:DataProviderAudience", outputs: {} },
    ],
  },
};

describe("stack export and config (history's view of a stack)", () => {
  it("finds the audiences and memberships, by spec key, skipping what is not one", () => {
    assert.deepEqual(parseStackExport(JSON.stringify(EXPORT)), {
      audiences: [{ key: "loyal", audienceId: "72057594038053891" }],
      memberships: [{ key: "loyal", idType: "COOKIE", audienceId: "72057594038053891" }],
    });
    assert.deepEqual(parseStackExport(JSON.stringify({ version: 3, deployment: { manifest: {} } })), { audiences: [], memberships: [] }, "a stack never updated");
  });

  it("refuses what is not a stack export, in one line", () => {
    assert.throws(() => parseStackExport("error: no stack selected"), (e: unknown) => e instanceof StackExportError && /^not the JSON output of `pulumi stack export`: /.test(e.message));
    assert.throws(() => parseStackExport("[]"), /no deployment/);
  });

  it("config: plain values by full key; a secret has no value to give", () => {
    const config = parseStackConfig(JSON.stringify({ "dsp:snapshotDir": { value: "snaps", secret: false }, "dsp:clientSecret": { secret: true }, "dsp:other": { value: "x", secret: true } }));
    assert.deepEqual([config("dsp:snapshotDir"), config("dsp:clientSecret"), config("dsp:other"), config("dsp:none")], ["snaps", undefined, undefined, undefined]);
    assert.throws(() => parseStackConfig("[1]"), /not the JSON output of `pulumi config --json`/);
  });
});
