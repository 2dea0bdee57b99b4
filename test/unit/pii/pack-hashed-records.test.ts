import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
  BODY_OVERHEAD,
  createBodyPacker,
  hashedRecordJson,
  MAX_HASHED_BODY_BYTES,
  packHashedRecords,
  packHashedRecordsAsync,
  PII_FIELDS,
  sha256Hex,
  type HashedFields,
  type HashedRecord,
  type PackedBody,
} from "../../../provider/pii";

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const recordArb: fc.Arbitrary<HashedRecord> = fc
  .record({
    externalId: fc.stringMatching(/^[0-9a-zA-Z_-]{1,128}$/),
    fields: fc.subarray([...PII_FIELDS], { minLength: 1 }),
    hash: hex64,
  })
  .map(({ externalId, fields, hash }) => {
    const hashed: HashedFields = {};
    for (const field of fields) hashed[field] = hash;
    return { externalId, hashed, rowDigest: hash.slice(0, 16), row: 2 };
  });

/** Parses the bodies back into API records, checking each body's shape and size. */
function unpack(bodies: PackedBody[], maxBytes: number): unknown[] {
  return bodies.flatMap((packed) => {
    assert.ok(Buffer.byteLength(packed.body, "utf8") <= maxBytes, "body over maxBytes");
    assert.equal(packed.bytes, Buffer.byteLength(packed.body, "utf8"));
    const parsed = JSON.parse(packed.body) as { records: unknown[] };
    assert.deepEqual(Object.keys(parsed), ["records"]);
    assert.equal(parsed.records.length, packed.records);
    assert.ok(packed.records > 0);
    return parsed.records;
  });
}

const expectedApiRecord = (r: HashedRecord) => ({
  externalId: r.externalId,
  hashedRecords: [Object.fromEntries(PII_FIELDS.filter((f) => r.hashed[f] !== undefined).map((f) => [f, r.hashed[f]]))],
});

describe("pii/pack-hashed-records", () => {
  it("never exceeds maxBytes, loses nothing, keeps order, and fills each body greedily", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), fc.integer({ min: 800, max: 6000 }), (records, maxBytes) => {
        const bodies = [...packHashedRecords(records, maxBytes)];
        assert.deepEqual(unpack(bodies, maxBytes), records.map(expectedApiRecord));
        // Greedy: the first record of each next body would not have fitted the previous one.
        let index = 0;
        bodies.forEach((packed, b) => {
          index += packed.records;
          const next = records[index];
          if (b < bodies.length - 1 && next !== undefined) assert.ok(packed.bytes + 1 + hashedRecordJson(next).length > maxBytes);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("a body of exactly maxBytes is allowed and one byte more is not (boundary)", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 2, maxLength: 12 }), fc.nat(), fc.constantFrom(-1, 0, 1), (records, pick, delta) => {
        const k = 1 + (pick % (records.length - 1));
        const exact = BODY_OVERHEAD + records.slice(0, k).reduce((n, r) => n + hashedRecordJson(r).length, 0) + (k - 1);
        fc.pre(records.every((r) => BODY_OVERHEAD + hashedRecordJson(r).length <= exact + delta)); // every record must fit alone
        const bodies = [...packHashedRecords(records, exact + delta)];
        assert.equal(bodies[0]?.records, delta < 0 ? k - 1 : k);
        assert.ok(bodies.every((b) => b.bytes <= exact + delta));
      }),
      { numRuns: 300 },
    );
  });

  it("packing pre-joined batches gives the same bodies as packing record by record", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), fc.integer({ min: 800, max: 4000 }), fc.array(fc.nat(10), { maxLength: 20 }), (records, maxBytes, cuts) => {
        const items = records.map(hashedRecordJson);
        const single = [...packHashedRecords(records, maxBytes)];
        const packer = createBodyPacker(maxBytes);
        const joined: PackedBody[] = [];
        for (let start = 0, c = 0; start < items.length; c++) {
          const batch = items.slice(start, start + (cuts[c % Math.max(cuts.length, 1)] ?? 3) + 1);
          joined.push(...packer.addJoined(batch.join(","), Uint32Array.from(batch, (item) => item.length)));
          start += batch.length;
        }
        const last = packer.flush();
        if (last !== undefined) joined.push(last);
        assert.deepEqual(joined, single);
      }),
      { numRuns: 300 },
    );
  });

  it("the async variant equals the sync one and passes the source's return value through", async () => {
    const records = fc.sample(recordArb, 50);
    async function* source(): AsyncGenerator<HashedRecord, string> {
      yield* records;
      return "summary";
    }
    const iterator = packHashedRecordsAsync(source(), 3000);
    const bodies: PackedBody[] = [];
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) {
        assert.equal(next.value, "summary");
        break;
      }
      bodies.push(next.value);
    }
    assert.deepEqual(bodies, [...packHashedRecords(records, 3000)]);
  });

  it("fills real-size bodies up to, never over, 5,000,000 bytes by default", () => {
    const hash = sha256Hex("x");
    const hashed: HashedFields = Object.fromEntries(PII_FIELDS.map((f) => [f, hash]));
    const records = Array.from({ length: 20_000 }, (_, i) => ({ externalId: `id-${String(i).padStart(28, "0")}`, hashed, rowDigest: "", row: i + 2 }));
    const bodies = [...packHashedRecords(records)];
    assert.equal(bodies.reduce((n, b) => n + b.records, 0), 20_000);
    for (const packed of bodies.slice(0, -1)) {
      assert.ok(packed.bytes <= MAX_HASHED_BODY_BYTES);
      assert.ok(packed.bytes > MAX_HASHED_BODY_BYTES - 700, "bodies should be nearly full");
    }
  });

  it("refuses a record that cannot fit any body and an impossible maxBytes", () => {
    const record = fc.sample(recordArb, 1)[0]!;
    const size = hashedRecordJson(record).length;
    assert.throws(() => [...packHashedRecords([record], size + BODY_OVERHEAD - 1)], /cannot fit a body/);
    assert.deepEqual([...packHashedRecords([record], size + BODY_OVERHEAD)].map((b) => b.records), [1]);
    assert.throws(() => createBodyPacker(BODY_OVERHEAD), /maxBytes must be an integer/);
  });
});
