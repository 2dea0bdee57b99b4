import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { PiiInputError, rowDigest, type HashedRecord } from "../../../provider/pii";
import {
  conflictingRecords,
  externalIdKeyFor,
  externalIdOfKey,
  fullConfigKey,
  keyedRecordOf,
  readRecordLines,
  readRecordSets,
  recordKey,
  type KeyedRecord,
  type RecordsSourceSettings,
} from "../../../provider/customer-records/records-source";
import { makeTempDir, readRecords, TEST_KEY } from "../../support/csv-helpers";
import { personCsvLine, syntheticPeople, TEMPLATE_HEADER, writeSyntheticCsv } from "../../support/synthetic-people";

async function readAll(settings: RecordsSourceSettings, key?: string, workers = 0): Promise<KeyedRecord[]> {
  const out: KeyedRecord[] = [];
  const rows = readRecordLines(settings, { workers, ...(key !== undefined ? { externalIdKey: key } : {}) });
  for (;;) {
    const next = await rows.next();
    if (next.done === true) return out;
    out.push(...next.value.map(keyedRecordOf));
  }
}

const keyed = (r: HashedRecord): KeyedRecord => ({ externalId: r.externalId, hashed: r.hashed, rowDigest: r.rowDigest });

describe("records/records-source", () => {
  const tmp = makeTempDir();
  after(tmp.cleanup);

  it("record keys join externalId and row digest, and split back", () => {
    assert.equal(recordKey("abc_-1", "0123456789abcdef"), "abc_-1:0123456789abcdef");
    assert.equal(externalIdOfKey("abc_-1:0123456789abcdef"), "abc_-1");
  });

  it("config keys without a namespace belong to the project", () => {
    assert.equal(fullConfigKey("externalIdKey", "dsp-audiences"), "dsp-audiences:externalIdKey");
    assert.equal(fullConfigKey("dsp:externalIdKey", "dsp-audiences"), "dsp:externalIdKey");
  });

  it("reads the externalId key from config at call time and names a missing key, never a value", () => {
    const settings = { csv: "x.csv", externalIdSecretConfig: "dsp:idKey" };
    assert.equal(externalIdKeyFor(settings, (k) => (k === "dsp:idKey" ? TEST_KEY : undefined)), TEST_KEY);
    assert.equal(externalIdKeyFor({ csv: "x.csv" }, () => TEST_KEY), undefined);
    assert.throws(() => externalIdKeyFor(settings, () => undefined), /config dsp:idKey \(externalIdSecretConfig\) is not set: `pulumi config set --secret dsp:idKey/);
  });

  it("yields exactly what the PII reader yields; each line's digest (made inline or on workers) is rowDigest of its fields", async () => {
    const file = path.join(tmp.dir, "people.csv");
    await writeSyntheticCsv(file, 400, { seed: 61, quotedShare: 0.2 });
    const expected = (await readRecords(file, { externalIdKey: TEST_KEY, minRows: 1 })).records.map(keyed);
    for (const workers of [0, 2]) {
      const got = await readAll({ csv: file, minRows: 1 }, TEST_KEY, workers);
      assert.deepEqual(got, expected);
      for (const r of got) assert.equal(r.rowDigest, rowDigest(r.hashed));
    }
  });

  it("takes ids from a custom idColumn, renamed on the fly, BOM and quoting kept", async () => {
    const people = syntheticPeople(50, 62);
    const lines = people.map((p, i) => `cust-${i},${personCsvLine(p)}`);
    const custom = tmp.file("custom.csv", `\uFEFF"Customer ID",${TEMPLATE_HEADER}\n${lines.join("\n")}\n`);
    const standard = tmp.file("standard.csv", `external_id,${TEMPLATE_HEADER}\n${lines.join("\n")}\n`);
    const got = await readAll({ csv: custom, idColumn: "customer id", minRows: 1 });
    assert.deepEqual(got, await readAll({ csv: standard, minRows: 1 }));
    assert.deepEqual(got.map((r) => r.externalId), people.map((_, i) => `cust-${i}`));
  });

  it("uses a standard idColumn on the fast path, and refuses a missing or ambiguous one", async () => {
    const file = tmp.file("ids.csv", `id,email\nA1,jane@example.com\n`);
    assert.deepEqual((await readAll({ csv: file, idColumn: "ID", minRows: 1 })).map((r) => r.externalId), ["A1"]);
    await assert.rejects(readAll({ csv: file, idColumn: "customer_id", minRows: 1 }, TEST_KEY), /ids\.csv: row 1: no column named customer_id \(idColumn\)/);
    const both = tmp.file("both.csv", `cid,id,email\nA1,B1,jane@example.com\n`);
    await assert.rejects(readAll({ csv: both, idColumn: "cid", minRows: 1 }), /has both cid \(idColumn\) and id; keep one id column/);
  });

  it("reports bad rows by row and column, without the value", async () => {
    const file = tmp.file("bad.csv", `email\njane@example.com\nnot-an-email\n`);
    await assert.rejects(readAll({ csv: file, minRows: 1 }, TEST_KEY), (e: unknown) => {
      assert.ok(e instanceof PiiInputError);
      assert.match(e.message, /row 3, column email/);
      assert.doesNotMatch(e.message, /not-an-email/);
      return true;
    });
  });

  it("applies the row bounds (Amazon's 10,000 minimum unless lowered)", async () => {
    const file = tmp.file("few.csv", `email\njane@example.com\n`);
    await assert.rejects(readAll({ csv: file }, TEST_KEY), /at least 10,000 are required/);
    await assert.rejects(readAll({ csv: file, minRows: 2 }, TEST_KEY), /at least 2 are required/);
  });

  it("builds the record and externalId sets in one read; exact repeats are fine, conflicting ones are not", async () => {
    const [a, b] = syntheticPeople(2, 63) as [ReturnType<typeof syntheticPeople>[0], ReturnType<typeof syntheticPeople>[0]];
    const ok = tmp.file("ok.csv", `${TEMPLATE_HEADER}\n${personCsvLine(a)}\n${personCsvLine(b)}\n${personCsvLine(a)}\n`);
    const sets = await readRecordSets({ csv: ok, minRows: 1 }, "people", { externalIdKey: TEST_KEY, workers: 0 });
    assert.equal(sets.keys.size, 2);
    assert.equal(sets.externalIds.size, 2);
    assert.equal(sets.summary.records, 3);
    const changed = { ...a, phone: "+1 202 555 0199" };
    const conflict = tmp.file("conflict.csv", `${TEMPLATE_HEADER}\n${personCsvLine(a)}\n${personCsvLine(changed)}\n`);
    // The reader names the rows (the upload path and hash-csv share it), never the values.
    await assert.rejects(readRecordSets({ csv: conflict, minRows: 1 }, "people", { externalIdKey: TEST_KEY, workers: 0 }), (error: unknown) => {
      assert.ok(error instanceof PiiInputError);
      assert.match(error.message, /conflict\.csv: row 3: has the externalId of row 2 with different PII/);
      assert.ok(!error.message.includes(a.email.trim()));
      return true;
    });
  });

  it("counts conflicting repeats from the two set sizes", () => {
    assert.equal(conflictingRecords(10, 10), undefined);
    assert.match(conflictingRecords(12, 10) ?? "", /^2 rows repeat/);
  });

  it("never leaves the CSV's raw values in what it yields", async () => {
    const people = syntheticPeople(20, 64);
    const file = tmp.file("privacy.csv", `${TEMPLATE_HEADER}\n${people.map(personCsvLine).join("\n")}\n`);
    const text = JSON.stringify(await readAll({ csv: file, minRows: 1 }, TEST_KEY));
    for (const p of people) assert.ok(!text.includes(p.email.trim()), "raw email in records");
    fs.rmSync(file);
  });
});
