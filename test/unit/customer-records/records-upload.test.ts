import { strict as assert } from "node:assert";
import fc from "fast-check";
import { DspHttpError, createHashedRecordPacker, packHashedRecords, type BodyAcceptance, type HashedRecordInput, type KeyedBatch, type PreparedBody } from "../../../provider/client";
import { idSetFrom, planMembership } from "../../../provider/plan";
import { hashedRecordCsvLine, rowDigest, sha256Hex, PII_FIELDS, type HashedFields } from "../../../provider/pii";
import {
  describeRecordsPlan,
  describeUpload,
  goneRecordsNote,
  sameDayAssociationWarning,
  sameUtcDay,
  summarizeRecordsPlan,
} from "../../../provider/customer-records/hashed-records-provider";
import { recordKey, type KeyedRecord, type RecordLine } from "../../../provider/customer-records/records-source";
import { uploadWantedRecords, wantedRecordBodies } from "../../../provider/customer-records/records-sync";

/** A record with all eight fields, so sizes are realistic. */
function record(i: number, version = 0): KeyedRecord {
  const h = (field: string): string => sha256Hex(`${field}-${i}-${version}`);
  const hashed = { email: h("e"), phone: h("p"), firstName: h("f"), lastName: h("l"), address: h("a"), city: h("c"), state: h("s"), postalCode: h("z") };
  return { externalId: `person-${i}`, hashed, rowDigest: rowDigest(hashed) };
}

const lineOf = (r: KeyedRecord): RecordLine => ({ externalId: r.externalId, rowDigest: r.rowDigest, line: hashedRecordCsvLine({ ...r, row: 0 }) });

const keyOf = (r: KeyedRecord): string => recordKey(r.externalId, r.rowDigest);

async function* batchesOf(records: KeyedRecord[], size = 7): AsyncGenerator<RecordLine[], undefined, undefined> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size).map(lineOf);
  return undefined;
}

/** The records a body carried, read back from it. */
function recordsOf(prepared: PreparedBody): HashedRecordInput[] {
  assert.equal(prepared.kind, "hashedRecords");
  return (JSON.parse(prepared.batch.body.toString("utf8")) as { records: HashedRecordInput[] }).records;
}

/** A client whose `failAt`-th body (0-based) fails; records what each body carried. */
function fakeClient(failAt = Infinity, status = 500): { calls: HashedRecordInput[][]; sendBody(prepared: PreparedBody): Promise<BodyAcceptance> } {
  const calls: HashedRecordInput[][] = [];
  return {
    calls,
    async sendBody(prepared) {
      const n = calls.length;
      const records = recordsOf(prepared);
      calls.push(records);
      if (n === failAt) throw new DspHttpError({ status, operation: "POST /dp/records/hashed", requestId: "r-fail" });
      return { ops: records.length, requestId: `req-${n}` };
    },
  };
}

describe("resources/hashed-records: plan in records", () => {
  it("counts new, changed (same externalId, new hashes), gone and unchanged", () => {
    const applied = idSetFrom([keyOf(record(1)), keyOf(record(2)), keyOf(record(3)), keyOf(record(4))]);
    // 1, 2 unchanged; 3 changed; 4 gone; 5 new.
    const desired = idSetFrom([keyOf(record(1)), keyOf(record(2)), keyOf(record(3, 1)), keyOf(record(5))]);
    const summary = summarizeRecordsPlan(planMembership(applied, desired));
    assert.deepEqual(summary, { newOrChanged: 2, changed: 1, gone: 1, unchanged: 2 });
    assert.equal(describeRecordsPlan("people", summary), "records people: 2 new or changed, 1 gone (2 unchanged)");
  });

  it("a first upload is all new", () => {
    const desired = idSetFrom([keyOf(record(1)), keyOf(record(2))]);
    assert.deepEqual(summarizeRecordsPlan(planMembership(idSetFrom([]), desired)), { newOrChanged: 2, changed: 0, gone: 0, unchanged: 0 });
  });

  it("says that gone records stay at Amazon and points at deletions", () => {
    assert.match(goneRecordsNote("people", 1), /^records people: 1 record is no longer in the CSV; it leaves .* but stays uploaded at Amazon \(the hashed-records API has no delete\)\. .*`deletions:`/);
    assert.match(goneRecordsNote("people", 3), /3 records are no longer in the CSV; they leave .* but stay uploaded/);
  });

  it("reports an upload in records and requests", () => {
    assert.equal(describeUpload("people", { records: 1, requests: 1 }), "records people: uploaded 1 record in 1 request");
    assert.equal(describeUpload("people", { records: 12_345, requests: 3 }), "records people: uploaded 12,345 records in 3 requests");
  });
});

describe("resources/hashed-records: same-day association warning", () => {
  const now = new Date("2026-05-04T15:30:00Z");

  it("compares UTC calendar days", () => {
    assert.ok(sameUtcDay(new Date("2026-05-04T00:00:00Z"), new Date("2026-05-04T23:59:59Z")));
    assert.ok(!sameUtcDay(new Date("2026-05-03T23:59:59Z"), new Date("2026-05-04T00:00:00Z")));
  });

  const cases: Array<{ title: string; audiences: string[]; first: string | undefined; warns: RegExp | undefined }> = [
    { title: "first upload in this update", audiences: ["vip"], first: undefined, warns: /vip take members from records that are first uploaded in this update/ },
    { title: "first uploaded earlier today", audiences: ["vip", "lapsed"], first: "2026-05-04T09:05:00.000Z", warns: /vip, lapsed .* were first uploaded today \(09:05 UTC\)/ },
    { title: "first uploaded yesterday", audiences: ["vip"], first: "2026-05-03T23:00:00.000Z", warns: undefined },
    { title: "no audience takes the records", audiences: [], first: undefined, warns: undefined },
  ];
  for (const c of cases) {
    it(c.title, () => {
      const warning = sameDayAssociationWarning("people", c.audiences, c.first, now);
      if (c.warns === undefined) assert.equal(warning, undefined);
      else assert.match(warning ?? "", c.warns);
    });
  }
});

describe("records/records-sync", () => {
  it("packs records into bodies the client sends as exactly one request each, with their keys", () => {
    const maxBodyBytes = 20_000;
    const byKey = new Map(Array.from({ length: 200 }, (_, i) => [keyOf(record(i)), record(i)] as const));
    const packer = createHashedRecordPacker<string>({ maxBodyBytes, maxRecords: Infinity });
    const groups = [...byKey].map(([key, r]) => packer.add({ externalId: r.externalId, hashedRecords: [r.hashed] }, key)).filter((g) => g !== undefined);
    const last = packer.finish();
    if (last) groups.push(last);
    assert.equal(groups.reduce((n, g) => n + g.keys.length, 0), 200);
    assert.deepEqual(groups.flatMap((g) => g.keys), [...byKey.keys()], "every key once, in order");
    for (const g of groups) {
      const records = g.keys.map((k) => byKey.get(k)!).map((r) => ({ externalId: r.externalId, hashedRecords: [r.hashed] }));
      const bodies = [...packHashedRecords(records, { maxBodyBytes, maxRecords: Infinity })];
      assert.equal(bodies.length, 1, "one body per group");
      assert.equal(bodies[0]?.bytes, g.bytes, "the keyed body is the client's body");
      assert.ok(bodies[0]?.body.equals(g.body));
      assert.ok(g.bytes <= maxBodyBytes);
    }
    assert.ok(groups.length > 1 && (groups[0]?.bytes ?? 0) > maxBodyBytes - 1_000, "groups are filled");
  });

  it("packs the rendered lines of wanted records into the bodies the client's object packer builds, byte for byte (property)", async () => {
    const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
    const recordArb: fc.Arbitrary<KeyedRecord> = fc
      .record({ externalId: fc.stringMatching(/^[0-9a-zA-Z_-]{1,128}$/), fields: fc.subarray([...PII_FIELDS], { minLength: 1 }), hashes: fc.array(hex64, { minLength: 8, maxLength: 8 }) })
      .map(({ externalId, fields, hashes }) => {
        const hashed: HashedFields = Object.fromEntries(fields.map((field, i) => [field, hashes[i]!]));
        return { externalId, hashed, rowDigest: rowDigest(hashed) };
      });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(recordArb, fc.boolean()), { maxLength: 40 }), fc.integer({ min: 1500, max: 8000 }), async (drawn, maxBodyBytes) => {
        const records = drawn.map(([r]) => r);
        const wanted = new Set(drawn.filter(([, w]) => w).map(([r]) => keyOf(r)));
        const bodies: KeyedBatch<string>[] = [];
        for await (const body of wantedRecordBodies(batchesOf(records, 3), (key) => wanted.has(key), maxBodyBytes)) bodies.push(body);
        const packer = createHashedRecordPacker<string>({ maxBodyBytes, maxRecords: Infinity });
        const expected = records
          .filter((r) => wanted.has(keyOf(r)))
          .map((r) => packer.add({ externalId: r.externalId, hashedRecords: [r.hashed] }, keyOf(r)));
        expected.push(packer.finish());
        const objectBodies = expected.filter((b) => b !== undefined);
        assert.equal(bodies.length, objectBodies.length);
        bodies.forEach((body, b) => {
          assert.ok(body.body.equals(objectBodies[b]!.body), "the same bytes");
          assert.equal(body.bytes, objectBodies[b]!.bytes);
          assert.deepEqual(body.keys, objectBodies[b]!.keys);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("uploads only wanted records and reports them as accepted", async () => {
    const records = Array.from({ length: 30 }, (_, i) => record(i));
    const wanted = new Set([3, 7, 19].map((i) => keyOf(records[i]!)));
    const client = fakeClient();
    const result = await uploadWantedRecords(client, batchesOf(records), (k) => wanted.has(k));
    assert.equal(result.error, undefined);
    assert.equal(result.found, 3);
    assert.deepEqual(client.calls.flat().map((r) => r.externalId), ["person-3", "person-7", "person-19"]);
    assert.deepEqual(result.accepted.toArray().sort(), [...wanted].sort());
    assert.deepEqual(result.requestIds, ["req-0"]);
  });

  it("after a failed request, accepted is exactly the records of the requests that succeeded", async () => {
    const records = Array.from({ length: 100 }, (_, i) => record(i));
    const client = fakeClient(2);
    const result = await uploadWantedRecords(client, batchesOf(records), () => true, { maxBodyBytes: 10_000, concurrency: 1 });
    assert.ok(result.error instanceof DspHttpError);
    const sentOk = [...client.calls.slice(0, 2)].flat().map((r) => r.externalId);
    assert.equal(result.requests, 2);
    assert.deepEqual(result.accepted.toArray().map((k) => k.split(":")[0]).sort(), sentOk.sort());
    assert.equal(client.calls.length, 3, "no request started after the failure");
  });

  it("reports the records of a request whose answer proves nothing as unknown, and of a rejected one as neither", async () => {
    const records = Array.from({ length: 100 }, (_, i) => record(i));
    for (const [status, unknown] of [[500, true], [400, false]] as const) {
      const client = fakeClient(1, status);
      const result = await uploadWantedRecords(client, batchesOf(records), () => true, { maxBodyBytes: 10_000, concurrency: 1 });
      const failed = (client.calls[1] ?? []).map((r) => r.externalId).sort();
      assert.ok(failed.length > 0);
      assert.deepEqual(result.unknown.toArray().map((k) => k.split(":")[0]).sort(), unknown ? failed : []);
      assert.ok(result.accepted.toArray().every((k) => !result.unknown.has(k)));
    }
  });

  it("a read error stops the upload and keeps what was accepted before it", async () => {
    const records = Array.from({ length: 20 }, (_, i) => record(i));
    async function* failing(): AsyncGenerator<RecordLine[], undefined, undefined> {
      yield records.map(lineOf);
      throw new Error("bad.csv: row 22, column email: email has no @");
    }
    const client = fakeClient();
    const result = await uploadWantedRecords(client, failing(), () => true, { maxBodyBytes: 10_000, concurrency: 1 });
    assert.match(result.error?.message ?? "", /row 22/);
    assert.ok(result.accepted.size > 0 && result.accepted.size < 20, "the groups full before the error were sent");
  });
});
