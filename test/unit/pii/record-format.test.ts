import { strict as assert } from "node:assert";
import fc from "fast-check";
import { hashedRecordCsvLine, hashedRecordJson, hashedRecordJsonOfCsvLine, PII_FIELDS, type HashedFields } from "../../../provider/pii";

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const externalId = fc.stringMatching(/^[0-9a-zA-Z_-]{1,128}$/);
/** Any subset of the fields, at least one, each with its own hash. */
const hashedFields: fc.Arbitrary<HashedFields> = fc
  .record(Object.fromEntries(PII_FIELDS.map((field) => [field, hex64])) as Record<(typeof PII_FIELDS)[number], fc.Arbitrary<string>>, { requiredKeys: [] })
  .filter((fields) => Object.keys(fields).length > 0);

describe("pii/record-format", () => {
  it("the JSON item of a hashed-CSV line is the record's own JSON item (property)", () => {
    fc.assert(
      fc.property(externalId, hashedFields, (id, hashed) => {
        const record = { externalId: id, hashed, row: 2 };
        assert.equal(hashedRecordJsonOfCsvLine(hashedRecordCsvLine(record)), hashedRecordJson(record));
      }),
      { numRuns: 500 },
    );
  });

  it("renders fields in the canonical order and leaves absent ones out", () => {
    const a = "a".repeat(64);
    const b = "b".repeat(64);
    const line = hashedRecordCsvLine({ externalId: "p-1", hashed: { postalCode: b, email: a }, row: 2 });
    assert.equal(line, `p-1,${a},,,,,,,${b}`);
    assert.equal(hashedRecordJsonOfCsvLine(line), `{"externalId":"p-1","hashedRecords":[{"email":"${a}","postalCode":"${b}"}]}`);
    assert.deepEqual(JSON.parse(hashedRecordJsonOfCsvLine(`p-2,,,,,,,${a},`)), { externalId: "p-2", hashedRecords: [{ state: a }] });
  });
});
