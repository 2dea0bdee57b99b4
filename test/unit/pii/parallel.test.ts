import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { AUTO_WORKERS_MIN_BYTES, autoWorkerCount, PiiInputError, type BatchOptions, type CsvReadSummary, type HashedCsvOptions } from "../../../provider/pii";
import { packHashedRecords, type HashedRecordInput, type RequestBatch } from "../../../provider/client";
import { makeTempDir, readThrough, TEST_KEY, type ReaderPath } from "../../support/csv-helpers";
import { personCsvLine, syntheticPeople, TEMPLATE_HEADER, writeSyntheticCsv } from "../../support/synthetic-people";

/** The request bodies the client packs from one reader's records (its API JSON items), with the read summary. */
async function bodiesOf(
  route: ReaderPath,
  file: string,
  options: HashedCsvOptions & BatchOptions & { maxBodyBytes: number },
): Promise<{ bodies: RequestBatch[]; summary: CsvReadSummary }> {
  const { maxBodyBytes, ...readOptions } = options;
  const read = await readThrough(route, file, readOptions);
  if (read.error !== undefined) throw read.error;
  assert.ok(read.summary);
  const records = read.items.map((item) => JSON.parse(item) as HashedRecordInput);
  return { bodies: [...packHashedRecords(records, { maxBodyBytes, maxRecords: Infinity })], summary: read.summary };
}

describe("pii/parallel: worker path equals the single-thread path", function () {
  this.timeout(60_000); // worker start-up loads TypeScript via ts-node (~1 s per worker, more on a busy host)
  const tmp = makeTempDir();
  after(tmp.cleanup);
  const common = { externalIdKey: TEST_KEY, minRows: 1, maxBodyBytes: 200_000 };

  it("gives byte-identical request bodies with quoted fields, quoted newlines and CRLF", async () => {
    const file = path.join(tmp.dir, "people.csv");
    await writeSyntheticCsv(file, 2500, { seed: 11, quotedShare: 0.2, lineEnding: "\r\n" });
    // A quoted newline mid-file, so a chunk boundary search has to step over it.
    const extra = tmp.file("multiline.csv", `${TEMPLATE_HEADER}\n${syntheticPeople(2000, 5).map((p, i) => (i % 97 === 0 ? personCsvLine({ ...p, address: `${p.address}\nBuilding B` }) : personCsvLine(p))).join("\n")}\n`);
    for (const input of [file, extra]) {
      const reference = await bodiesOf("stream", input, common);
      const inline = await bodiesOf("inline", input, { ...common, chunkChars: 10_000 });
      const workers = await bodiesOf("workers", input, { ...common, workers: 2, chunkChars: 10_000 });
      assert.ok(reference.bodies.length > 3, "expected several bodies");
      assert.equal(reference.bodies.reduce((n, b) => n + b.ops, 0), reference.summary.records);
      assert.deepEqual(inline.bodies, reference.bodies);
      assert.deepEqual(workers.bodies, reference.bodies);
      assert.deepEqual(inline.summary, reference.summary);
      assert.deepEqual(workers.summary, reference.summary);
    }
  });

  it("reports the same problems with the same absolute row numbers", async () => {
    const people = syntheticPeople(2000, 3, { quotedShare: 0.1 });
    const lines = people.map((p, i) => {
      if (i % 311 === 5) return personCsvLine({ ...p, email: "no-at-sign.example.com" });
      if (i % 433 === 7) return personCsvLine({ ...p, address: `${p.address}\nline two` });
      if (i % 577 === 9) return `${personCsvLine(p)},extra`;
      return personCsvLine(p);
    });
    const file = tmp.file("errors.csv", `${TEMPLATE_HEADER}\n${lines.join("\n")}\n\n`);
    const options = { externalIdKey: TEST_KEY, minRows: 1, chunkChars: 7_000 };
    const [stream, inline, workers] = await Promise.all([
      readThrough("stream", file, options),
      readThrough("inline", file, options),
      readThrough("workers", file, { ...options, workers: 2 }),
    ]);
    assert.ok(stream.error instanceof PiiInputError);
    assert.ok(stream.error.issues.length >= 9);
    assert.deepEqual(inline.error, stream.error);
    assert.deepEqual(workers.error, stream.error);
    assert.equal(workers.error?.message, stream.error.message);
  });

  it("cuts chunks between records, never inside a character: BOM, multi-byte letters, bytes that are not UTF-8, at every chunk size", async () => {
    const rows = [
      '\ufeffemail,first_name,last_name,address\r\n',
      "zoe@example.com,Zoë,Søren,1 Straße\r\n",
      'jo@example.com,José,"Mü,ller","Apt ""😀"" 2"\r\n',
      "\r\n",
      "li@example.com,李,Łukasz,\u00a0Main\u2003St\r\n",
    ];
    // "Müller" saved as Latin-1 (0xFC is not UTF-8), then a cut-off two-byte character at the very end.
    const bytes = Buffer.concat([Buffer.from(rows.join("")), Buffer.from("ann@example.com,Ann,M"), Buffer.from([0xfc]), Buffer.from("ller,x\r\nbo@example.com,B,C,"), Buffer.from([0xc3])]);
    const file = tmp.file("bytes.csv", "");
    fs.writeFileSync(file, bytes);
    const options = { externalIdKey: TEST_KEY, minRows: 1, invalidFields: "omit-field" as const };
    const reference = await readThrough("stream", file, options);
    assert.ok(reference.summary !== undefined || reference.error !== undefined);
    for (const chunkChars of [1, 2, 3, 5, 8, 13, 64, 1 << 20]) {
      const inline = await readThrough("inline", file, { ...options, chunkChars });
      assert.deepEqual(inline, reference, `inline, chunkChars ${chunkChars}`);
    }
    const workers = await readThrough("workers", file, { ...options, workers: 2, chunkChars: 5 });
    assert.deepEqual(workers, reference);
  });

  it("uses workers under \"auto\" only for large files on a machine with an idle core", () => {
    const large = AUTO_WORKERS_MIN_BYTES;
    assert.equal(autoWorkerCount(large - 1, 2, 0), 0);
    assert.equal(autoWorkerCount(large, 2, 0.5), 2);
    assert.equal(autoWorkerCount(large, 2, 1.5), 0);
    assert.equal(autoWorkerCount(large, 1, 0), 0);
    assert.equal(autoWorkerCount(large, 16, 2), 8);
  });
});
