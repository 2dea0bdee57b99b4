import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { HASHED_CSV_HEADER, hashCsvFile, hashedRecordCsvLine, PiiInputError } from "../../../provider/pii";
import { makeTempDir, readRecords, readThrough, TEST_KEY } from "../../support/csv-helpers";
import { writeSyntheticCsv } from "../../support/synthetic-people";

describe("pii/hash-csv: hashCsvFile", () => {
  const tmp = makeTempDir();
  after(tmp.cleanup);
  const options = { externalIdKey: TEST_KEY, minRows: 1, workers: 0 };

  it("writes external_id and *_sha256 columns, one line per valid row, and returns the counts", async () => {
    const input = path.join(tmp.dir, "people.csv");
    await writeSyntheticCsv(input, 500, { seed: 21, quotedShare: 0.2 });
    const output = path.join(tmp.dir, "people.hashed.csv");
    const result = await hashCsvFile(input, output, { ...options, chunkChars: 5_000 });
    const { records } = await readRecords(input, options);
    const expected = `${HASHED_CSV_HEADER}\n${records.map(hashedRecordCsvLine).join("\n")}\n`;
    assert.equal(fs.readFileSync(output, "utf8"), expected);
    assert.equal(result.records, 500);
    assert.equal(result.dataRows, 500);
    assert.equal(result.bytesWritten, Buffer.byteLength(expected));
    assert.equal(result.outputPath, output);
    assert.equal(fs.statSync(output).mode & 0o777, 0o600);
  });

  it("its output reads back (pre-hashed mode) to the same request records as the raw input", async () => {
    const input = path.join(tmp.dir, "raw.csv");
    await writeSyntheticCsv(input, 300, { seed: 22 });
    const output = path.join(tmp.dir, "raw.hashed.csv");
    await hashCsvFile(input, output, options);
    const raw = await readThrough("stream", input, options);
    const hashed = await readThrough("stream", output, options);
    assert.equal(hashed.summary?.mode, "hashed");
    assert.deepEqual(hashed.items, raw.items);
  });

  it("writes nothing, and leaves no partial file, when the input is invalid", async () => {
    const input = tmp.file("bad.csv", "email\njane@example.com\nnot-an-email\n");
    const output = path.join(tmp.dir, "bad.hashed.csv");
    await assert.rejects(hashCsvFile(input, output, options), (error: unknown) => {
      assert.ok(error instanceof PiiInputError);
      assert.equal(error.message, `${input}: row 3, column email: email has no @`);
      return true;
    });
    assert.deepEqual(fs.readdirSync(tmp.dir).filter((name) => name.startsWith("bad.hashed")), []);
  });
});
