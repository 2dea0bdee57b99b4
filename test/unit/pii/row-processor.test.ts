import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseHeader, type HeaderLayout } from "../../../provider/pii/csv-header";
import { formatRecord, type RecordFormat } from "../../../provider/pii/record-format";
import { createRowProcessor, type InvalidFieldPolicy, type RowResult } from "../../../provider/pii/row-processor";
import { sha256Hex } from "../../../provider/pii/hash";
import { TEST_KEY } from "../../support/csv-helpers";

/** Raw values of every kind a field meets: valid, invalid, empty, not UTF-8, hashes (fake, made here). */
const RAW_VALUES = [
  "",
  "  ",
  "Jane.Doe+x@Example.COM",
  "jane@@example.com",
  "no-at.example.com",
  "@example.com",
  "jane@localhost",
  "(201) 555-0123",
  "+44 (0)20 7946 0123",
  "555-01",
  "call me",
  "Müller",
  "José",
  "Łukasz",
  "!!!",
  "New York",
  "US-NY",
  "zz",
  "02134-1234",
  "2134",
  "M\uFFFDller",
  sha256Hex("a"),
  sha256Hex("b").toUpperCase(),
  "p-1",
  "bad id!",
];
const ID_HEADERS = ["id", "external_id"];
const FIELD_HEADERS = ["email", "phone", "first_name", "last_name", "address", "city", "state", "zip"];

/** A header the reader accepts: some PII columns in any order, maybe an id column, raw or *_sha256 names. */
const layoutArb = fc
  .tuple(fc.subarray(FIELD_HEADERS, { minLength: 1 }), fc.boolean(), fc.boolean(), fc.nat())
  .chain(([fields, withId, hashedNames, seed]) => {
    const names = [...fields.map((f) => (hashedNames ? `${f}_sha256` : f)), ...(withId ? [ID_HEADERS[seed % 2] as string] : [])];
    return fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length });
  })
  .map((names) => parseHeader(names, true))
  .filter((header): header is HeaderLayout => !Array.isArray(header));

describe("pii/row-processor", () => {
  it("processToText gives the formatted record of process, or process's own result (property)", () => {
    fc.assert(
      fc.property(
        layoutArb,
        fc.constantFrom<"raw" | "hashed">("raw", "hashed"),
        fc.constantFrom<InvalidFieldPolicy>("reject-row", "omit-field"),
        fc.constantFrom<RecordFormat>("csv", "json"),
        fc.array(fc.array(fc.constantFrom(...RAW_VALUES), { minLength: 0, maxLength: 10 }), { minLength: 1, maxLength: 20 }),
        (header, mode, invalidFields, format, rows) => {
          const settings = { layout: { ...header, mode }, normalise: {}, externalId: { externalIdKey: TEST_KEY }, invalidFields };
          // The reference is a fresh processor per row; the fast one is fed every row in turn, so
          // anything a row leaves behind in it would show in the next.
          const fast = createRowProcessor(settings);
          rows.forEach((row, i) => {
            // Mostly the header's column count; sometimes not, to cover that result too.
            const cells = row.length > header.columnCount && i % 3 !== 0 ? row.slice(0, header.columnCount) : row;
            const expected: RowResult = createRowProcessor(settings).process(cells, i + 2);
            const text = fast.processToText(cells, i + 2, format);
            if (expected.kind === "record" && expected.omitted.length === 0) assert.equal(text, formatRecord(expected.record, format));
            else assert.deepEqual(text, expected);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
