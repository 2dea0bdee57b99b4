import { strict as assert } from "node:assert";

import { parseErrors, specText, VALID_HEAD } from "../../support/spec-text";

/** One row per error path: the spec lines and the exact `file:line:column: path: message` lines expected. */
interface ErrorRow {
  name: string;
  lines: readonly string[];
  errors: string[];
}

const H = VALID_HEAD;
const H6 = VALID_HEAD.slice(0, 6); // without the name line

const ROWS: ErrorRow[] = [
  // Unknown keys name the key and its line.
  {
    name: "unknown top-level key",
    lines: [...H, "extra: 1"],
    errors: ['spec.yaml:8:1: extra: unknown key "extra"; expected one of: version, defaults, audiences, sources, suppress, records, deletions, settings'],
  },
  {
    name: "misspelt top-level key also leaves a required key missing",
    lines: ["version: 1", "audiencs: {}"],
    errors: [
      'spec.yaml:1:1: missing required key "audiences"',
      'spec.yaml:2:1: audiencs: unknown key "audiencs" (did you mean "audiences"?)',
    ],
  },
  {
    name: "unknown key in an audience",
    lines: [...H, "    nmae: Loyal customers"],
    errors: ['spec.yaml:8:5: audiences.loyal-customers.nmae: unknown key "nmae" (did you mean "name"?)'],
  },
  {
    name: "unknown ID type in members",
    lines: [...H, "    members:", "      COOKIES: [abc]"],
    errors: ['spec.yaml:9:7: audiences.loyal-customers.members.COOKIES: unknown key "COOKIES" (did you mean "COOKIE"?)'],
  },
  // YAML-level problems.
  {
    name: "duplicate YAML key names both lines",
    lines: [...H, "    name: Loyal customers 2027"],
    errors: ['spec.yaml:8:5: audiences.loyal-customers.name: duplicate key "name"; first defined on line 7'],
  },
  {
    name: "duplicate audience key",
    lines: [...H, "  loyal-customers:", "    name: Loyal customers 2027"],
    errors: ['spec.yaml:8:3: audiences.loyal-customers: duplicate key "loyal-customers"; first defined on line 6'],
  },
  { name: "YAML syntax error", lines: ["version: 1", "audiences: [a, b"], errors: ["spec.yaml:3:1: Flow sequence in block collection must be sufficiently indented and end with a ]"] },
  { name: "empty file", lines: ["# nothing here"], errors: ["spec.yaml:1:1: the spec is empty; it needs at least version and audiences"] },
  { name: "unsupported version", lines: ["version: 2", "audiences: {}"], errors: ["spec.yaml:1:10: version: must be 1, the only spec version this tool understands, got 2"] },
  // Wrong types.
  { name: "ttl as a string", lines: [...H, '    ttl: "30"'], errors: ["spec.yaml:8:10: audiences.loyal-customers.ttl: must be an integer, got a string"] },
  { name: "members as a list", lines: [...H, "    members: [abc]"], errors: ["spec.yaml:8:14: audiences.loyal-customers.members: must be a mapping, got a list"] },
  {
    name: "name written as a number",
    lines: [...H6, "    name: 12345678901"],
    errors: ["spec.yaml:7:11: audiences.loyal-customers.name: must be a string, got an integer; put it in quotes"],
  },
  {
    name: "empty value points at its key",
    lines: [...H, "    description:"],
    errors: ["spec.yaml:8:5: audiences.loyal-customers.description: must be a string, got an empty value"],
  },
  {
    name: "member source of the wrong type",
    lines: [...H, "    members:", "      EXTERNAL_USER_ID: 5"],
    errors: ["spec.yaml:9:25: audiences.loyal-customers.members.EXTERNAL_USER_ID: must be a list or a mapping, got an integer"],
  },
  // Field rules from the API.
  { name: "name too short", lines: [...H6, "    name: Loyal"], errors: ["spec.yaml:7:11: audiences.loyal-customers.name: must be at least 10 characters, got 5"] },
  {
    name: "name too long",
    lines: [...H6, `    name: ${"x".repeat(129)}`],
    errors: ["spec.yaml:7:11: audiences.loyal-customers.name: must be at most 128 characters, got 129"],
  },
  {
    name: "description too long",
    lines: [...H, `    description: ${"d".repeat(1001)}`],
    errors: ["spec.yaml:8:18: audiences.loyal-customers.description: must be at most 1000 characters, got 1001"],
  },
  { name: "ttl above 397 days", lines: [...H, "    ttl: 34300801"], errors: ["spec.yaml:8:10: audiences.loyal-customers.ttl: must be at most 34300800, got 34300801"] },
  { name: "negative ttl", lines: [...H, "    ttl: -1"], errors: ["spec.yaml:8:10: audiences.loyal-customers.ttl: must be at least 0, got -1"] },
  {
    name: "ttl beyond 2^64 keeps its digits in the message",
    lines: [...H, "    ttl: 99999999999999999999"],
    errors: ["spec.yaml:8:10: audiences.loyal-customers.ttl: must be at most 34300800, got 99999999999999999999"],
  },
  {
    name: "countries not ISO-3166-1 alpha-2",
    lines: [...H, "    dataSourceCountry: [us, USA, UK]"],
    errors: [
      'spec.yaml:8:25: audiences.loyal-customers.dataSourceCountry[0]: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "us"',
      'spec.yaml:8:29: audiences.loyal-customers.dataSourceCountry[1]: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "USA"',
      'spec.yaml:8:34: audiences.loyal-customers.dataSourceCountry[2]: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "UK"',
    ],
  },
  { name: "no country", lines: [...H, "    dataSourceCountry: []"], errors: ["spec.yaml:8:24: audiences.loyal-customers.dataSourceCountry: must have at least 1 item"] },
  {
    name: "repeated country",
    lines: [...H, "    dataSourceCountry:", "      - US", "      - CA", "      - US"],
    errors: ["spec.yaml:11:9: audiences.loyal-customers.dataSourceCountry[2]: duplicate of item [0] on line 9"],
  },
  {
    name: "currency not in the API's list",
    lines: [...H, "    audienceFees: [{ cpmCents: 150, currency: usd }]"],
    errors: ['spec.yaml:8:47: audiences.loyal-customers.audienceFees[0].currency: must be one of USD, CAD, JPY, GBP, EUR, AUD, AED, SAR, MXN, INR, SEK, TRY, BRL, got "usd"'],
  },
  {
    name: "fee without currency",
    lines: [...H, "    audienceFees:", "      - cpmCents: 150"],
    errors: ['spec.yaml:9:9: audiences.loyal-customers.audienceFees[0]: missing required key "currency"'],
  },
  {
    name: "audience key not lowercase",
    lines: [...H, "  Winter_Sale:", "    name: Winter sale 2026"],
    errors: ['spec.yaml:8:3: audiences.Winter_Sale: key must be 1–63 lowercase letters, digits or "-", starting with a letter or digit'],
  },
  // Consent shapes.
  {
    name: "TCF consent carrying a GPP string",
    lines: [...H, "    consent: { consentType: TCF, gpp: DBABMA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA }"],
    errors: [
      "spec.yaml:8:14: audiences.loyal-customers.consent: consentType TCF needs a tcf consent string",
      "spec.yaml:8:39: audiences.loyal-customers.consent.gpp: only allowed when consentType is GPP",
    ],
  },
  {
    name: "Amazon consent with an unknown status",
    lines: [...H, "    consent:", "      consentType: Amazon", "      amazonConsent: { amazonAdStorage: YES, amazonUserData: GRANTED }"],
    errors: ['spec.yaml:10:41: audiences.loyal-customers.consent.amazonConsent.amazonAdStorage: must be one of GRANTED, DENIED, got "YES"'],
  },
  // Inheritance and uniqueness across audiences.
  {
    name: "advertiserId neither set nor defaulted",
    lines: ["version: 1", "audiences:", "  loyal-customers:", "    name: Loyal customers 2026", "    dataSourceCountry: [US]"],
    errors: ["spec.yaml:3:3: audiences.loyal-customers: missing advertiserId; set it here or in defaults"],
  },
  {
    name: "externalAudienceId repeats another audience's default (its key)",
    lines: [...H, "  winter-sale:", "    name: Winter sale 2026", "    externalAudienceId: loyal-customers"],
    errors: [
      'spec.yaml:10:25: audiences.winter-sale.externalAudienceId: externalAudienceId "loyal-customers" is already used by audiences.loyal-customers on line 6 (advertiser 5840142710901); it must be unique per advertiser',
    ],
  },
  {
    name: "externalAudienceId written twice",
    lines: [...H, "    externalAudienceId: shoppers", "  winter-sale:", "    name: Winter sale 2026", "    externalAudienceId: shoppers"],
    errors: [
      'spec.yaml:11:25: audiences.winter-sale.externalAudienceId: externalAudienceId "shoppers" is already used by audiences.loyal-customers on line 8 (advertiser 5840142710901); it must be unique per advertiser',
    ],
  },
  {
    name: "externalAudienceId may repeat for another advertiser",
    lines: [...H, "  winter-sale:", "    name: Winter sale 2026", "    advertiserId: 42", "    externalAudienceId: loyal-customers"],
    errors: [],
  },
  {
    name: "one audience adopted twice",
    lines: [...H, "    adopt: 72057594038053890", "  winter-sale:", "    name: Winter sale 2026", '    adopt: "72057594038053890"'],
    errors: ["spec.yaml:11:12: audiences.winter-sale.adopt: audience 72057594038053890 is already adopted by audiences.loyal-customers on line 8"],
  },
  // int64s.
  {
    name: "adopt above int64 as a YAML integer",
    lines: [...H, "    adopt: 9223372036854775808"],
    errors: ["spec.yaml:8:12: audiences.loyal-customers.adopt: must be at most 9223372036854775807 (the largest 64-bit integer), got 9223372036854775808"],
  },
  {
    name: "adopt above int64 as a string",
    lines: [...H, '    adopt: "9223372036854775808"'],
    errors: ["spec.yaml:8:12: audiences.loyal-customers.adopt: must be at most 9223372036854775807 (the largest 64-bit integer), got 9223372036854775808"],
  },
  {
    name: "adopt zero",
    lines: [...H, "    adopt: 0"],
    errors: ["spec.yaml:8:12: audiences.loyal-customers.adopt: must be a positive 64-bit integer: digits only, no leading zero, at most 9223372036854775807"],
  },
  {
    name: "advertiserId with a leading zero",
    lines: [...H, '    advertiserId: "05840142710901"'],
    errors: ["spec.yaml:8:19: audiences.loyal-customers.advertiserId: must be a positive 64-bit integer: digits only, no leading zero, at most 9223372036854775807"],
  },
  // Member IDs: syntax per type, pointing at the list item's line.
  {
    name: "malformed inline IDs of every type",
    lines: [
      ...H,
      "    members:",
      "      COOKIE:",
      "        - EMpBAI0GRcK4nBNGpPGg5g",
      '        - "has space"',
      "      MAID:",
      "        - 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
      "        - 6f1c2e4a1b2c4d5e8f90a1b2c3d4e5f6",
      "        - 00000000-0000-0000-0000-000000000000",
      "      EXTERNAL_USER_ID: [crm-1, crm@2, crm-3]",
    ],
    errors: [
      "spec.yaml:11:11: audiences.loyal-customers.members.COOKIE[1]: is not a valid COOKIE ID: expected 1–1999 characters of A–Z a–z 0–9 _ - = + / . :",
      "spec.yaml:14:11: audiences.loyal-customers.members.MAID[1]: is not a valid MAID: expected a UUID like 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
      "spec.yaml:15:11: audiences.loyal-customers.members.MAID[2]: is the all-zero MAID a device reports when ad tracking is limited; it identifies nobody",
      "spec.yaml:16:33: audiences.loyal-customers.members.EXTERNAL_USER_ID[1]: is not a valid EXTERNAL_USER_ID: expected 1–128 characters of A–Z a–z 0–9 _ -",
    ],
  },
  {
    name: "cookie ID longer than 1999 characters",
    lines: [...H, "    members:", `      COOKIE: [${"c".repeat(2000)}]`],
    errors: ["spec.yaml:9:16: audiences.loyal-customers.members.COOKIE[0]: is not a valid COOKIE ID: expected 1–1999 characters of A–Z a–z 0–9 _ - = + / . :"],
  },
  {
    name: "unquoted numeric ID",
    lines: [...H, "    members:", "      EXTERNAL_USER_ID:", "        - 007"],
    errors: ["spec.yaml:10:11: audiences.loyal-customers.members.EXTERNAL_USER_ID[0]: must be a string, got an integer; put it in quotes"],
  },
  {
    name: "repeated inline IDs name both lines",
    lines: [
      ...H,
      "    members:",
      "      COOKIE:",
      "        - EMpBAI0GRcK4nBNGpPGg5g",
      "        - q3Zk0vT8mW1xRb7nYc2LdA",
      "        - EMpBAI0GRcK4nBNGpPGg5g",
      "      MAID:",
      "        - 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
      "        - 6F1C2E4A-1B2C-4D5E-8F90-A1B2C3D4E5F6",
    ],
    errors: [
      "spec.yaml:12:11: audiences.loyal-customers.members.COOKIE[2]: duplicate ID: same as item [0] on line 10",
      "spec.yaml:15:11: audiences.loyal-customers.members.MAID[1]: duplicate ID: same as item [0] on line 14 (MAIDs compare case-insensitively)",
    ],
  },
  {
    name: "the same ID under two types is fine",
    lines: [...H, "    members:", "      COOKIE: [abc-123]", "      EXTERNAL_USER_ID: [abc-123]"],
    errors: [],
  },
  // Member sources.
  {
    name: "records reference without a records section",
    lines: [...H, "    members:", "      EXTERNAL_USER_ID: { records: customers }"],
    errors: ['spec.yaml:9:36: audiences.loyal-customers.members.EXTERNAL_USER_ID.records: no records entry named "customers"; the spec has no records: section'],
  },
  {
    name: "records reference to an undefined entry",
    lines: [...H, "    members:", "      EXTERNAL_USER_ID: { records: customers }", "records:", "  crm:", "    csv: crm.csv"],
    errors: ['spec.yaml:9:36: audiences.loyal-customers.members.EXTERNAL_USER_ID.records: no records entry named "customers"; defined: crm'],
  },
  {
    name: "records only feed EXTERNAL_USER_ID",
    lines: [...H, "    members:", "      COOKIE: { records: customers }"],
    errors: [
      "spec.yaml:9:15: audiences.loyal-customers.members.COOKIE: must have exactly one of the keys file, files, csv, parquet, sql",
      'spec.yaml:9:17: audiences.loyal-customers.members.COOKIE.records: unknown key "records"; expected one of: file, files, csv, parquet, sql',
    ],
  },
  {
    name: "file and files together",
    lines: [...H, "    members:", "      MAID: { file: a.txt, files: [b.txt] }"],
    errors: ["spec.yaml:9:13: audiences.loyal-customers.members.MAID: must have exactly one of the keys file, files, csv, parquet, sql"],
  },
  {
    name: "the same file twice in files",
    lines: [...H, "    members:", "      MAID:", "        files: [a.txt, a.txt]"],
    errors: ["spec.yaml:10:24: audiences.loyal-customers.members.MAID.files[1]: duplicate of item [0] on line 10"],
  },
  // Issue 6 and 8 sections.
  {
    name: "deletions: value syntax follows type, dates must exist",
    lines: [
      ...H,
      "deletions:",
      '  - { type: COOKIE, value: "not a cookie" }',
      "  - { type: MAID, value: 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6, consentTime: 2026-02-30T00:00:00Z }",
      "  - { type: PHONE, value: x, consentTime: yesterday }",
    ],
    errors: [
      "spec.yaml:9:28: deletions[0].value: is not a valid COOKIE ID: expected 1–1999 characters of A–Z a–z 0–9 _ - = + / . :",
      "spec.yaml:10:77: deletions[1].consentTime: is not a real date: 2026-02-30",
      'spec.yaml:11:13: deletions[2].type: must be one of COOKIE, MAID, EXTERNAL_USER_ID, got "PHONE"',
      "spec.yaml:11:43: deletions[2].consentTime: must be an RFC 3339 date-time with a time zone, like 2026-01-31T12:00:00Z, or epoch milliseconds",
    ],
  },
  {
    name: "records: row limits in order, country code, non-ASCII letters",
    lines: [...H, "records:", "  crm:", "    csv: crm.csv", "    minRows: 100", "    maxRows: 10", "    defaultCountry: XX", "    nonAsciiLetters: strip"],
    errors: [
      "spec.yaml:12:14: records.crm.maxRows: must be at least minRows (100), got 10",
      'spec.yaml:13:21: records.crm.defaultCountry: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "XX"',
      'spec.yaml:14:22: records.crm.nonAsciiLetters: must be one of aws, fold, expand-german, drop, got "strip"',
    ],
  },
  { name: "settings out of range", lines: [...H, "settings:", "  reassertAfterDays: 400"], errors: ["spec.yaml:9:22: settings.reassertAfterDays: must be at most 397, got 400"] },
  { name: "history retention out of range", lines: [...H, "settings:", "  historyRetentionDays: 0"], errors: ["spec.yaml:9:25: settings.historyRetentionDays: must be at least 1, got 0"] },
];

describe("spec errors: each error names file:line:column, path and reason", () => {
  for (const row of ROWS) {
    it(row.name, () => {
      assert.deepEqual(parseErrors(specText(...row.lines)), row.errors);
    });
  }

  it("reports every error in one pass, in file order", () => {
    const errors = parseErrors(
      specText(
        "version: 1", //                                   1
        "audiences:", //                                   2
        "  loyal-customers:", //                           3
        "    name: Loyal", //                              4
        "    ttl: 34300801", //                            5
        "    dataSourceCountry: [us]", //                  6
        "    advertiserId: 1", //                          7
        "    colour: blue", //                             8
        "    members: { MAID: [6f1c2e4a-1b2c] }", //       9
      ),
    );
    assert.deepEqual(errors, [
      "spec.yaml:4:11: audiences.loyal-customers.name: must be at least 10 characters, got 5",
      "spec.yaml:5:10: audiences.loyal-customers.ttl: must be at most 34300800, got 34300801",
      'spec.yaml:6:25: audiences.loyal-customers.dataSourceCountry[0]: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "us"',
      'spec.yaml:8:5: audiences.loyal-customers.colour: unknown key "colour"; expected one of: name, description, externalAudienceId, advertiserId, ttl, dataSourceCountry, audienceFees, consent, adopt, members, exclude',
      "spec.yaml:9:23: audiences.loyal-customers.members.MAID[0]: is not a valid MAID: expected a UUID like 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6",
    ]);
  });

  it("names the file as the caller gave it", () => {
    assert.deepEqual(parseErrors(specText("version: 1", "audiences: {}", "extra: 1"), "stacks/prod/audiences.yaml"), [
      'stacks/prod/audiences.yaml:3:1: extra: unknown key "extra"; expected one of: version, defaults, audiences, sources, suppress, records, deletions, settings',
    ]);
  });

  it("follows aliases to the node that is wrong", () => {
    const errors = parseErrors(
      specText(
        "version: 1", //                                           1
        "defaults:", //                                            2
        '  advertiserId: "5840142710901"', //                      3
        "  dataSourceCountry: &countries [US, usa]", //            4
        "audiences:", //                                           5
        "  loyal-customers:", //                                   6
        "    name: Loyal customers 2026", //                       7
        "    dataSourceCountry: *countries", //                    8
      ),
    );
    assert.deepEqual(errors, [
      'spec.yaml:4:38: defaults.dataSourceCountry[1]: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "usa"',
      'spec.yaml:4:38: audiences.loyal-customers.dataSourceCountry[1]: must be an ISO-3166-1 alpha-2 country code in capitals, like "US" or "GB", got "usa"',
    ]);
  });
});
