import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import {
  EXTERNAL_ID_PATTERN,
  isSha256Hex,
  normaliseField,
  PiiInputError,
  sha256Hex,
  type PiiIssue,
} from "../../../provider/pii";
import { makeTempDir, readRecords, readThrough, TEST_KEY, type ReaderPath } from "../../support/csv-helpers";
import { csvField, personCsvLine, syntheticPeople, TEMPLATE_HEADER } from "../../support/synthetic-people";

const base = { externalIdKey: TEST_KEY, minRows: 1 };
const ref = (value: string): string => crypto.createHash("sha256").update(value).digest("hex");

/** Asserts the outcome failed with a PiiInputError carrying exactly `issues`; returns the error. */
function assertIssues(outcome: { error?: Error }, issues: PiiIssue[]): PiiInputError {
  assert.ok(outcome.error instanceof PiiInputError, `expected PiiInputError, got ${String(outcome.error)}`);
  assert.deepEqual(
    outcome.error.issues.map(({ row, column, code, reason }) => ({ ...(row !== undefined ? { row } : {}), ...(column !== undefined ? { column } : {}), code, reason })),
    issues,
  );
  return outcome.error;
}

describe("pii/csv-records: reading a template CSV", () => {
  const tmp = makeTempDir();
  after(tmp.cleanup);

  it("yields one normalised, hashed record per row with a derived externalId and a row digest", async () => {
    const people = syntheticPeople(300, 7);
    const file = tmp.file("people.csv", `${TEMPLATE_HEADER}\n${people.map(personCsvLine).join("\n")}\n`);
    const { records, summary } = await readRecords(file, base);
    assert.equal(records.length, 300);
    assert.deepEqual({ ...summary, omittedFields: undefined }, { file, mode: "raw", dataRows: 300, records: 300, blankRows: 0, omittedFields: undefined });
    records.forEach((record, i) => {
      const person = people[i]!;
      assert.equal(record.row, i + 2);
      assert.match(record.externalId, EXTERNAL_ID_PATTERN);
      const email = normaliseField("email", person.email);
      assert.ok(email?.ok);
      assert.equal(record.hashed.email, ref(email.value));
      const expectedId = crypto.createHmac("sha256", TEST_KEY).update(`email:${ref(email.value)}`).digest("base64url").slice(0, 32);
      assert.equal(record.externalId, expectedId);
      for (const hash of Object.values(record.hashed)) assert.ok(isSha256Hex(hash));
      assert.match(record.rowDigest, /^[0-9a-f]{16}$/);
      if (person.phone === "") assert.equal(record.hashed.phone, undefined);
    });
  });

  it("matches headers case-insensitively and trimmed, in any order, and uses an id column", async () => {
    const file = tmp.file("ids.csv", " ZIP , First_Name,EMAIL ,External_ID\n02134,Jane,jane@example.com,cust-1\n");
    const { records } = await readRecords(file, { minRows: 1 });
    assert.deepEqual(records.map((r) => ({ id: r.externalId, hashed: r.hashed })), [
      { id: "cust-1", hashed: { email: ref("jane@example.com"), firstName: ref("jane"), postalCode: ref("02134") } },
    ]);
  });

  it("row digests change exactly when a hash changes", async () => {
    const file = tmp.file("digest.csv", "id,email,city\na,jane@example.com,Salem\nb,JANE@example.com , salem\nc,jane@example.com,Salem-X\n");
    const { records } = await readRecords(file, { minRows: 1 });
    assert.equal(records[0]!.rowDigest, records[1]!.rowDigest);
    assert.notEqual(records[0]!.rowDigest, records[2]!.rowDigest);
  });
});

for (const route of ["stream", "inline"] as ReaderPath[]) {
  describe(`pii/csv-records: problems are reported with file, row and column, never values (${route})`, () => {
    const tmp = makeTempDir();
    after(tmp.cleanup);
    const read = (name: string, text: string, options = {}) => readThrough(route, tmp.file(name, text), { ...base, fileName: name, ...options });

    it("collects every row problem, in row order, without the raw values", async () => {
      const text = [
        TEMPLATE_HEADER,
        "jane@example.com,(212) 555-0101,Jane,Doe,1 Main St,Salem,MA,01970",
        "marker-alpha-example.com,(212) 555-0102,Jane,Doe,1 Main St,Salem,MA,01970",
        "jane2@example.com,555-0103,Jane,Doe,1 Main St,Salem,Narnia-marker,01970",
        "jane3@example.com,(212) 555-0104,Jane,Doe,1 Main St,Salem,MA,01970",
        "jane4@example.com,(212) 555-0105,山田,Doe,1 Main St,Salem,MA,1970",
      ].join("\n");
      const outcome = await read("people.csv", text);
      const error = assertIssues(outcome, [
        { row: 3, column: "email", code: "email-no-at", reason: "email has no @" },
        { row: 4, column: "phone", code: "phone-too-few-digits", reason: "phone has too few digits (7 digits after the country code; a US number has 10)" },
        { row: 4, column: "state", code: "state-not-a-code", reason: "state is not a US state or Canadian province code" },
        { row: 6, column: "first_name", code: "no-latin-letters-or-digits", reason: "first name has no Latin letters or digits" },
        { row: 6, column: "zip", code: "postal-code-invalid", reason: "postal code is not 5 digits (or ZIP+4) for US (a leading zero lost in a spreadsheet?)" },
      ]);
      assert.match(error.message, /people\.csv: 5 problems \(values are not shown, to keep PII out of logs\):\n {2}row 3, column email: email has no @\n/);
      for (const raw of ["marker-alpha", "555-0103", "Narnia", "山田", "1970"]) assert.ok(!error.message.includes(raw), `message leaks ${raw}`);
      assert.ok(!JSON.stringify(error.issues).includes("marker-alpha"));
    });

    it("a single problem reads as one line", async () => {
      const outcome = await read("one.csv", "email,phone\nnot-an-email,\n");
      assert.equal(outcome.error?.message, "one.csv: row 2, column email: email has no @");
    });

    it("stops at maxErrors and says there may be more", async () => {
      const rows = Array.from({ length: 30 }, (_, i) => `bad${i}-example.com`);
      const outcome = await read("many.csv", `email\n${rows.join("\n")}\n`, { maxErrors: 10 });
      assert.ok(outcome.error instanceof PiiInputError);
      assert.equal(outcome.error.issues.length, 10);
      assert.equal(outcome.error.truncated, true);
      assert.deepEqual(outcome.error.issues.map((i) => i.row), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      assert.match(outcome.error.message, /^many\.csv: stopped after 10 problems \(maxErrors\); there may be more/);
    });

    it("counts blank lines as rows and skips them", async () => {
      const outcome = await read("blank.csv", "email\njane@example.com\n\n  \nbad\n");
      assertIssues(outcome, [{ row: 5, column: "email", code: "email-no-at", reason: "email has no @" }]);
    });

    it("counts a quoted multi-line field as one row; handles CRLF and a BOM", async () => {
      const text = '\ufeffemail,address\r\njane@example.com,"1 Main St\r\nApt 2"\r\nbad,x\r\n';
      assertIssues(await read("quoted.csv", text), [{ row: 3, column: "email", code: "email-no-at", reason: "email has no @" }]);
      const ok = await read("quoted-ok.csv", '\ufeffemail,address\r\njane@example.com,"1 Main St, ""Apt"" 2"\r\n');
      assert.equal(ok.error, undefined);
      assert.equal(ok.items.length, 1);
      assert.ok(ok.items[0]!.includes(`"address":"${ref("1mainstapt2")}"`));
    });

    it("reports values that are not UTF-8 instead of hashing them without the letter", async () => {
      const file = tmp.file("latin1.csv", "");
      // "Müller" saved as Latin-1: 0xFC is not valid UTF-8.
      fs.writeFileSync(file, Buffer.concat([Buffer.from("email,last_name\njane@example.com,M"), Buffer.from([0xfc]), Buffer.from("ller\n")]));
      assertIssues(await readThrough(route, file, { ...base, fileName: "latin1.csv" }), [
        { row: 2, column: "last_name", code: "invalid-utf8", reason: "value is not valid UTF-8 (save the file as UTF-8)" },
      ]);
    });

    it("reports a wrong number of columns", async () => {
      const outcome = await read("cols.csv", "email,phone\njane@example.com\njane2@example.com,2125550101,extra\n");
      assertIssues(outcome, [
        { row: 2, code: "column-count", reason: "row has 1 columns; the header has 2" },
        { row: 3, code: "column-count", reason: "row has 3 columns; the header has 2" },
      ]);
    });

    it("reports CSV syntax errors by row without csv-parse's message (which quotes the value)", async () => {
      const text = 'email,last_name\nbad-one,Doe\njane@example.com,Do"secret-marker\njane2@example.com,Doe\n';
      const error = assertIssues(await read("syntax.csv", text), [
        { row: 2, column: "email", code: "email-no-at", reason: "email has no @" },
        { row: 3, code: "csv-syntax", reason: 'CSV syntax: a quote appears inside an unquoted field (quote the whole field and double inner quotes: "a ""b""")' },
      ]);
      assert.ok(!error.message.includes("secret-marker"));
      assertIssues(await read("unclosed.csv", 'email,last_name\njane@example.com,"Doe\n'), [
        { row: 2, code: "csv-syntax", reason: "CSV syntax: a quoted field is never closed" },
      ]);
    });

    it("rejects rows without PII, without an id basis, or with a bad id", async () => {
      const outcome = await read("ids.csv", "id,email,city\n,jane@example.com,Salem\nbad id,jane@example.com,Salem\nok-1,,\nok-2,,Salem\n");
      assertIssues(outcome, [
        { row: 2, column: "id", code: "external-id-empty", reason: "external id is empty" },
        { row: 3, column: "id", code: "external-id-bad-characters", reason: "external id has characters other than 0-9 a-z A-Z _ -" },
        { row: 4, code: "no-pii-values", reason: "row has no usable PII values" },
      ]);
      assertIssues(await read("nobasis.csv", "email,phone,city\n,,Salem\n"), [
        { row: 2, code: "no-external-id-basis", reason: "row has no valid email or phone to derive the externalId from" },
      ]);
    });

    it("omit-field drops invalid fields, counts them, and still fails rows left with nothing usable", async () => {
      const outcome = await read("omit.csv", "email,state\njane@example.com,Narnia\nbad,NY\n", { invalidFields: "omit-field" });
      assertIssues(outcome, [
        { row: 3, column: "email", code: "email-no-at", reason: "email has no @" },
        { row: 3, code: "no-external-id-basis", reason: "row has no valid email or phone to derive the externalId from" },
      ]);
      const fine = await read("omit-ok.csv", "email,state\njane@example.com,Narnia\n", { invalidFields: "omit-field" });
      assert.equal(fine.summary?.omittedFields.state, 1);
      assert.ok(!fine.items[0]!.includes('"state"'));
    });
  });

  describe(`pii/csv-records: header problems (${route})`, () => {
    const tmp = makeTempDir();
    after(tmp.cleanup);
    const read = (name: string, text: string, options = {}) => readThrough(route, tmp.file(name, text), { ...base, ...options });

    it("names unknown columns", async () => {
      const outcome = await read("unknown.csv", "email,phone,favourite_colour,Shoe Size\njane@example.com,,,\n");
      assertIssues(outcome, [
        {
          row: 1,
          code: "header-unknown-columns",
          reason:
            "unknown columns: favourite_colour, Shoe Size; expected email, phone, first_name, last_name, address, city, state, zip, optionally id or external_id, or the same names with _sha256",
        },
      ]);
    });

    it("does not echo a first row that is data rather than a header", async () => {
      const outcome = await read("noheader.csv", "jane.secret@example.com,2125550101,Jane\nbob@example.com,2125550102,Bob\n");
      assert.ok(outcome.error instanceof PiiInputError);
      assert.match(outcome.error.message, /row 1 does not look like the header \(3 of 3 column names unknown/);
      for (const raw of ["jane.secret", "2125550101", "Jane"]) assert.ok(!outcome.error.message.includes(raw));
    });

    it("reports duplicates, mixed modes, a missing id basis, and an empty file", async () => {
      assertIssues(await read("dup.csv", "email,Email\n"), [{ row: 1, column: "Email", code: "header-duplicate-column", reason: "column Email appears more than once" }]);
      assertIssues(await read("mixed.csv", `email_sha256,phone\n${"a".repeat(64)},2125550101\n`), [
        { row: 1, code: "header-mixed-modes", reason: "mixes pre-hashed (_sha256) and raw PII columns" },
      ]);
      assertIssues(await read("nokey.csv", "email\njane@example.com\n", { externalIdKey: undefined }), [
        { row: 1, code: "header-no-id-basis", reason: "has no id or external_id column, and no externalIdKey was given to derive externalIds" },
      ]);
      assertIssues(await read("names.csv", "first_name,last_name\nJane,Doe\n"), [
        { row: 1, code: "header-no-id-basis", reason: "has no id or external_id column, and no email or phone column to derive externalIds from" },
      ]);
      assertIssues(await read("empty.csv", ""), [{ code: "empty-file", reason: "file is empty (expected a header row)" }]);
    });
  });

  describe(`pii/csv-records: row-count rule (${route})`, () => {
    const tmp = makeTempDir();
    after(tmp.cleanup);
    const rows = (n: number) => `email\n${Array.from({ length: n }, (_, i) => `p${i}@example.com`).join("\n")}\n`;

    it("by default requires Amazon's 10,000 rows", async () => {
      const outcome = await readThrough(route, tmp.file("small.csv", rows(3)), { externalIdKey: TEST_KEY });
      assertIssues(outcome, [{ code: "too-few-rows", reason: "has 3 data rows; at least 10,000 are required (minRows; Amazon's template needs 10,000)" }]);
    });

    it("applies configurable bounds; blank lines do not count", async () => {
      const file = tmp.file("five.csv", `${rows(5)}\n\n`);
      assert.equal((await readThrough(route, file, { ...base, minRows: 5, maxRows: 5 })).summary?.dataRows, 5);
      assertIssues(await readThrough(route, file, { ...base, minRows: 6 }), [
        { code: "too-few-rows", reason: "has 5 data rows; at least 6 are required (minRows; Amazon's template needs 10,000)" },
      ]);
      assertIssues(await readThrough(route, file, { ...base, maxRows: 4 }), [
        { code: "too-many-rows", reason: "has more than 4 data rows (maxRows); Amazon's template takes 10,000 to 5,000,000 per file, so split it" },
      ]);
    });
  });

  describe(`pii/csv-records: pre-hashed files (${route})`, () => {
    const tmp = makeTempDir();
    after(tmp.cleanup);
    const email = sha256Hex("jane.doe@example.com");
    const phone = sha256Hex("12125550123");

    it("accepts *_sha256 columns and derives the same externalId as the raw file", async () => {
      const hashed = await readThrough(route, tmp.file("h.csv", `email_sha256,phone_sha256\n${email},${phone}\n`), base);
      const raw = await readThrough(route, tmp.file("r.csv", "email,phone\n Jane.Doe@Example.com ,(212) 555-0123\n"), base);
      assert.equal(hashed.summary?.mode, "hashed");
      assert.equal(raw.summary?.mode, "raw");
      assert.deepEqual(hashed.items, raw.items);
    });

    it("auto-detects hashes under template names", async () => {
      const outcome = await readThrough(route, tmp.file("auto.csv", `\nemail,phone\n`.slice(1) + `\n${email},${phone}\n`), base);
      assert.equal(outcome.summary?.mode, "hashed");
      assert.equal(outcome.items.length, 1);
    });

    it("rejects uppercase hex with a hint, and anything else that is not a hash", async () => {
      const text = `email_sha256,phone_sha256\n${email.toUpperCase()},${phone}\n${email},${phone.slice(2)}\n${email},not-a-hash-marker\n`;
      const error = assertIssues(await readThrough(route, tmp.file("bad.csv", text), base), [
        { row: 2, column: "email_sha256", code: "hash-uppercase", reason: "hash is uppercase hex; the API accepts lowercase hex only (lowercasing it keeps the same digest)" },
        { row: 3, column: "phone_sha256", code: "hash-not-sha256", reason: "value is not a SHA-256 hash (64 characters 0-9 a-f)" },
        { row: 4, column: "phone_sha256", code: "hash-not-sha256", reason: "value is not a SHA-256 hash (64 characters 0-9 a-f)" },
      ]);
      assert.ok(!error.message.includes(email.toUpperCase()) && !error.message.includes("not-a-hash-marker"));
    });

    it("mode \"hashed\" insists on hashes; mode \"raw\" refuses *_sha256 columns", async () => {
      const raw = tmp.file("raw.csv", "email\njane@example.com\n");
      assertIssues(await readThrough(route, raw, { ...base, mode: "hashed" }), [
        { row: 2, column: "email", code: "hash-not-sha256", reason: "value is not a SHA-256 hash (64 characters 0-9 a-f)" },
      ]);
      assertIssues(await readThrough(route, tmp.file("h2.csv", `email_sha256\n${email}\n`), { ...base, mode: "raw" }), [
        { row: 1, code: "header-mixed-modes", reason: 'columns are named _sha256 but mode is "raw"' },
      ]);
    });
  });
}

describe("pii/csv-records: csvField helper round-trips", () => {
  it("quotes only when needed", () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField('a "b", c'), '"a ""b"", c"');
  });
});
