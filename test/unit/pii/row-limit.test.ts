import { strict as assert } from "node:assert";
import { MAX_ROW_CHARS, overLongColumnOfCells, overLongColumnOfPartialRecord } from "../../../provider/pii/csv-limits";
import { PiiInputError } from "../../../provider/pii";
import { makeTempDir, readThrough, TEST_KEY, type ReaderPath } from "../../support/csv-helpers";
import { personCsvLine, syntheticPeople, TEMPLATE_HEADER } from "../../support/synthetic-people";

/** A small limit, so no test writes 64 MiB; every path gets the same one. */
const LIMIT = 300;
const PATHS: readonly ReaderPath[] = ["stream", "inline", "workers"];
const REASON = "row is longer than 300 characters, the limit for one row; reading stops here (a quoted field that is never closed also reads as one long row)";

describe("pii: no CSV row is ever split (row size limit)", function () {
  this.timeout(60_000); // worker start-up
  const tmp = makeTempDir();
  after(tmp.cleanup);
  // chunkChars below the limit, so the chunked reader meets the long row while it is still unfinished.
  const options = { externalIdKey: TEST_KEY, minRows: 1, maxRowChars: LIMIT, chunkChars: 64 };
  const lines = syntheticPeople(6, 41).map(personCsvLine);

  async function throughEveryPath(name: string, text: string, chunkChars = options.chunkChars): Promise<{ path: ReaderPath; items: string[]; error?: Error }[]> {
    const file = tmp.file(name, text);
    const read = { ...options, chunkChars };
    return Promise.all(PATHS.map(async (path) => ({ path, ...(await readThrough(path, file, path === "workers" ? { ...read, workers: 2 } : read)) })));
  }

  function assertTooLong(outcomes: { path: ReaderPath; error?: Error }[], file: string, row: number, column: string, value: string): void {
    for (const { path, error } of outcomes) {
      assert.ok(error instanceof PiiInputError, `${path}: expected PiiInputError, got ${String(error)}`);
      assert.equal(error.message, `${file}: row ${row}, column ${column}: ${REASON}`, path);
      assert.ok(!error.message.includes(value.slice(0, 20)), `${path}: the message must not quote the value`);
    }
  }

  it("reports a field over the limit by row and column in the streaming, chunked and worker paths", async () => {
    const long = "x".repeat(LIMIT + 50);
    const text = `${TEMPLATE_HEADER}\n${lines[0]}\n${lines[1]}\njane@example.com,,${long},Doe,,,,\n${lines[2]}\n`;
    // Small chunks meet the row unfinished; a large chunk holds it whole.
    for (const chunkChars of [64, 1 << 20]) {
      assertTooLong(await throughEveryPath("long-field.csv", text, chunkChars), `${tmp.dir}/long-field.csv`, 4, "first_name", long);
    }
  });

  it("reports a quoted multi-line field over the limit at its row, not as extra rows", async () => {
    const long = `${"y".repeat(100)}\n`.repeat(5); // 505 characters across 6 lines
    const text = `${TEMPLATE_HEADER}\n${lines[0]}\njane@example.com,,Jane,Doe,"${long}",,,\n${lines[1]}\n`;
    assertTooLong(await throughEveryPath("long-quoted.csv", text), `${tmp.dir}/long-quoted.csv`, 3, "address", long);
  });

  it("refuses a crafted line of two records' worth of columns instead of reading it as two records", async () => {
    // 16 cells on one line: cut at the limit it would have made two rows of 8 valid columns.
    const crafted = `${lines[3]},${lines[4]}`.padEnd(LIMIT + 40, "z");
    const outcomes = await throughEveryPath("crafted.csv", `${TEMPLATE_HEADER}\n${crafted}\n`);
    for (const { path, items } of outcomes) assert.deepEqual(items, [], `${path}: no record from the crafted line`);
    const column = outcomes.map(({ error }) => (error as PiiInputError).issues[0]?.column);
    assert.deepEqual(column, ["16", "16", "16"]); // beyond the header's 8 columns: named by number
    for (const { error } of outcomes) assert.equal((error as PiiInputError).issues[0]?.row, 2);
  });

  it("draws the line at the same place in every path: the limit itself is fine, one more character is not", async () => {
    const header = "email,first_name";
    const at = `jane@example.com,${"a".repeat(LIMIT - "jane@example.com".length)}`;
    const over = `jane@example.com,${"a".repeat(LIMIT + 1 - "jane@example.com".length)}`;
    for (const { path, error, items } of await throughEveryPath("at-limit.csv", `${header}\n${at}\n`)) {
      assert.equal(error, undefined, `${path}: ${String(error)}`);
      assert.equal(items.length, 1);
    }
    const outcomes = await throughEveryPath("over-limit.csv", `${header}\n${over}\n`);
    assertTooLong(outcomes, `${tmp.dir}/over-limit.csv`, 2, "first_name", over);
  });

  it("reports a quote that is never closed, in a file longer than the limit, at its row", async () => {
    const rest = syntheticPeople(40, 43).map(personCsvLine).join("\n");
    const text = `${TEMPLATE_HEADER}\n${lines[0]}\njane@example.com,,"Jane,Doe,,,,\n${rest}\n`;
    for (const { path, error } of await throughEveryPath("unclosed.csv", text)) {
      assert.ok(error instanceof PiiInputError, path);
      assert.equal(error.issues.length, 1, path);
      assert.equal(error.issues[0]?.row, 3, path);
      assert.equal(error.issues[0]?.code, "row-too-long", path);
    }
  });

  it("reports an over-long header as row 1", async () => {
    const text = `${TEMPLATE_HEADER},${"h".repeat(LIMIT)}\n${lines[0]}\n`;
    for (const { path, error } of await throughEveryPath("long-header.csv", text)) {
      assert.ok(error instanceof PiiInputError, path);
      assert.equal(error.issues[0]?.row, 1, path);
      assert.equal(error.issues[0]?.code, "row-too-long", path);
    }
  });

  it("finds the column where a row goes over (pure helpers)", () => {
    assert.equal(overLongColumnOfCells(["ab", "cd", "ef"], 4), 2);
    assert.equal(overLongColumnOfCells(["ab", "cd"], 4), -1);
    assert.equal(overLongColumnOfPartialRecord('ab,"c,d""e",fgh', 7), 2); // quotes and separators not counted
    assert.equal(overLongColumnOfPartialRecord('ab,"c,d""e",fgh', 10), -1);
    assert.equal(MAX_ROW_CHARS, 64 * 1024 * 1024);
  });
});
