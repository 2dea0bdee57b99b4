import { strict as assert } from "node:assert";

import { parseSpec, type LoadedSpec } from "../../../provider/spec";
import { specText } from "../../support/spec-text";

const DEFAULTS_SPEC = specText(
  "version: 1", //                                                             1
  "defaults:", //                                                              2
  "  advertiserId: 5840142710901", //                                          3
  "  dataSourceCountry: [US]", //                                              4
  "  ttl: 2592000", //                                                         5
  "  audienceFees: [{ cpmCents: 150, currency: USD }]", //                     6
  "  consent: { consentType: Amazon, amazonConsent: { amazonAdStorage: GRANTED, amazonUserData: GRANTED } }",
  "audiences:", //                                                             8
  "  loyal-customers:", //                                                     9
  "    name: Loyal customers 2026", //                                         10
  "  winter-sale:", //                                                         11
  "    name: Winter sale 2026", //                                             12
  "    description: Seasonal buyers", //                                       13
  "    externalAudienceId: winter-2026", //                                    14
  "    advertiserId: 9223372036854775807", //                                  15
  "    ttl: 0", //                                                             16
  "    dataSourceCountry: [CA, MX]", //                                        17
  "    audienceFees: []", //                                                   18
  "    consent: { consentType: TCF, tcf: CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA }",
  '    adopt: "72057594038053890"', //                                         20
);

describe("spec resolution", () => {
  it("applies every default to an audience that sets nothing", () => {
    const [loyal] = parseSpec(DEFAULTS_SPEC, "/specs/audiences.yaml").audiences;
    assert.deepEqual(loyal, {
      key: "loyal-customers",
      line: 9,
      name: "Loyal customers 2026",
      description: "",
      advertiserId: "5840142710901",
      externalAudienceId: "loyal-customers",
      ttl: 2592000,
      dataSourceCountry: ["US"],
      audienceFees: [{ cpmCents: 150, currency: "USD" }],
      consent: { consentType: "Amazon", amazonConsent: { amazonAdStorage: "GRANTED", amazonUserData: "GRANTED" } },
      members: {},
      exclude: {},
    });
  });

  it("lets audience values replace defaults whole, including empty lists and zero", () => {
    const winter = parseSpec(DEFAULTS_SPEC, "/specs/audiences.yaml").audiences[1];
    assert.deepEqual(winter, {
      key: "winter-sale",
      line: 11,
      name: "Winter sale 2026",
      description: "Seasonal buyers",
      advertiserId: "9223372036854775807",
      externalAudienceId: "winter-2026",
      ttl: 0,
      dataSourceCountry: ["CA", "MX"],
      audienceFees: [],
      consent: { consentType: "TCF", tcf: "CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA" },
      adopt: "72057594038053890",
      members: {},
      exclude: {},
    });
  });

  it("leaves optional API fields out when neither the audience nor defaults set them", () => {
    const spec = parseSpec(
      specText("version: 1", "audiences:", "  a1:", "    name: Minimal audience", "    advertiserId: 1", "    dataSourceCountry: [DE]"),
      "/specs/audiences.yaml",
    );
    assert.deepEqual(spec.audiences[0], {
      key: "a1",
      line: 3,
      name: "Minimal audience",
      description: "",
      advertiserId: "1",
      externalAudienceId: "a1",
      dataSourceCountry: ["DE"],
      members: {},
      exclude: {},
    });
    assert.deepEqual([spec.records, spec.deletions, spec.settings], [[], [], { allowedRoots: [], allowedObjectRoots: [], queryTimeoutSeconds: 300 }]);
  });

  it("keeps every digit of int64s written as YAML integers above 2^53", () => {
    const spec = parseSpec(
      specText(
        "version: 1",
        "defaults: { advertiserId: 72057594038053891, dataSourceCountry: [US] }",
        "audiences:",
        "  a1: { name: First audience }",
        "  a2: { name: Second audience, advertiserId: 9007199254740993, adopt: 72057594038053890 }",
        "deletions:",
        "  - { type: EXTERNAL_USER_ID, value: crm-1, advertiserId: 9223372036854775807 }",
      ),
      "/specs/audiences.yaml",
    );
    // 9007199254740993 = 2^53 + 1, which a JavaScript number would round to ...992.
    assert.deepEqual(
      spec.audiences.map((audience) => [audience.advertiserId, audience.adopt]),
      [["72057594038053891", undefined], ["9007199254740993", "72057594038053890"]],
    );
    assert.equal(spec.deletions[0]?.advertiserId, "9223372036854775807");
  });

  it("keeps audiences in file order, even with numeric keys", () => {
    const spec = parseSpec(
      specText("version: 1", "defaults: { advertiserId: 1, dataSourceCountry: [US] }", "audiences:", "  zeta: { name: Zeta audience }", "  2024: { name: Class of 2024 }", "  alpha: { name: Alpha audience }"),
      "/specs/audiences.yaml",
    );
    assert.deepEqual(spec.audiences.map((audience) => audience.key), ["zeta", "2024", "alpha"]);
  });

  it("resolves member sources: inline IDs with their lines, files as absolute paths, records by key", () => {
    const spec = parseSpec(
      specText(
        "version: 1", //                                                       1
        "defaults: { advertiserId: 1, dataSourceCountry: [US] }", //           2
        "audiences:", //                                                       3
        "  loyal-customers:", //                                               4
        "    name: Loyal customers 2026", //                                   5
        "    members:", //                                                     6
        "      COOKIE:", //                                                    7
        "        - EMpBAI0GRcK4nBNGpPGg5g", //                                 8
        "        - q3Zk0vT8mW1xRb7nYc2LdA", //                                 9
        "      MAID: { file: ids/maids.txt }", //                              10
        "      EXTERNAL_USER_ID: { records: crm }", //                         11
        "  app-users:", //                                                     12
        "    name: App users all platforms", //                                13
        "    members:", //                                                     14
        "      MAID: { files: [ids/android.txt, /data/ios.txt] }", //          15
        "      EXTERNAL_USER_ID: [crm-1, crm-2]", //                           16
        "records:", //                                                         17
        "  crm: { csv: pii/crm.csv, idColumn: customer_id, minRows: 10, defaultCountry: US, nonAsciiLetters: fold }",
      ),
      "/specs/audiences.yaml",
    );
    assert.deepEqual(
      spec.audiences.map((audience) => audience.members),
      [
        {
          COOKIE: { kind: "inline", ids: ["EMpBAI0GRcK4nBNGpPGg5g", "q3Zk0vT8mW1xRb7nYc2LdA"], lines: [8, 9] },
          MAID: { kind: "files", files: ["/specs/ids/maids.txt"] },
          EXTERNAL_USER_ID: { kind: "records", records: "crm" },
        },
        {
          MAID: { kind: "files", files: ["/specs/ids/android.txt", "/data/ios.txt"] },
          EXTERNAL_USER_ID: { kind: "inline", ids: ["crm-1", "crm-2"], lines: [16, 16] },
        },
      ],
    );
    assert.deepEqual(spec.records, [
      { key: "crm", csv: "/specs/pii/crm.csv", idColumn: "customer_id", hashed: false, minRows: 10, defaultCountry: "US", nonAsciiLetters: "fold", allowedRoots: ["/specs"] },
    ]);
  });

  it("keeps MAIDs as written", () => {
    const spec = parseSpec(
      specText("version: 1", "defaults: { advertiserId: 1, dataSourceCountry: [US] }", "audiences:", "  ios: { name: iOS app users, members: { MAID: [A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D] } }"),
      "/specs/audiences.yaml",
    );
    assert.deepEqual(spec.audiences[0]?.members.MAID, { kind: "inline", ids: ["A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D"], lines: [4] });
  });

  it("turns consent times into epoch milliseconds and keeps settings", () => {
    const spec: LoadedSpec = parseSpec(
      specText(
        "version: 1", //                                                                    1
        "audiences: {}", //                                                                 2
        "deletions:", //                                                                    3
        "  - { type: COOKIE, value: EMpBAI0GRcK4nBNGpPGg5g, consentTime: 2026-01-31T12:00:00.5+01:00 }",
        "  - { type: MAID, value: 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6, consentTime: 1700000000000 }",
        "  - { type: EXTERNAL_USER_ID, value: crm-1 }", //                                  6
        "settings: { reassertAfterDays: 30, historyRetentionDays: 365, allowedRoots: [../shared, /data/ids, s3://exports/audiences], queryTimeoutSeconds: 60 }",
      ),
      "/specs/audiences.yaml",
    );
    assert.deepEqual(spec.deletions, [
      { type: "COOKIE", value: "EMpBAI0GRcK4nBNGpPGg5g", consentTime: String(Date.UTC(2026, 0, 31, 11, 0, 0, 500)), line: 4 },
      { type: "MAID", value: "6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6", consentTime: "1700000000000", line: 5 },
      { type: "EXTERNAL_USER_ID", value: "crm-1", line: 6 },
    ]);
    assert.deepEqual(spec.settings, { reassertAfterDays: 30, historyRetentionDays: 365, allowedRoots: ["/shared", "/data/ids"], allowedObjectRoots: ["s3://exports/audiences"], queryTimeoutSeconds: 60 });
  });

  it("reports where the spec lives", () => {
    const spec = parseSpec(specText("version: 1", "audiences: {}"), "/specs/prod/audiences.yaml");
    assert.deepEqual([spec.file, spec.dir, spec.version, spec.audiences], ["/specs/prod/audiences.yaml", "/specs/prod", 1, []]);
  });
});
