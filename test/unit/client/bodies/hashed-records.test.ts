import assert from "node:assert/strict";
import fc from "fast-check";
import { HASHED_PII_FIELDS, checkHashedRecords, createHashedRecordPacker, packHashedRecords, type HashedRecordInput } from "../../../../provider/client/bodies/hashed-records";
import { InvalidInputError, RecordTooLargeError } from "../../../../provider/client/input-errors";
import { assertWithinLimits } from "../../../support/request-bodies";

describe("POST /dp/records/hashed bodies", () => {
  const hash = (seed: string): string => seed.repeat(64).slice(0, 64);
  const record = (externalId: string): HashedRecordInput => ({ externalId, hashedRecords: [{ email: hash("a"), phone: hash("b") }, { email: hash("c") }] });

  it("builds the documented shape", () => {
    const [batch] = [...packHashedRecords([record("ext-1")])];
    assert.deepEqual(JSON.parse(batch?.body.toString() ?? ""), { records: [{ externalId: "ext-1", hashedRecords: [{ email: hash("a"), phone: hash("b") }, { email: hash("c") }] }] });
    assert.equal(batch?.ops, 1);
  });

  it("never exceeds the byte limit and keeps every record once (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 400, max: 3000 }), fc.integer({ min: 1, max: 10 }), (count, maxBodyBytes, maxRecords) => {
        const records = Array.from({ length: count }, (_, i) => record(`ext-${i}`));
        const batches = [...packHashedRecords(records, { maxBodyBytes, maxRecords })];
        assertWithinLimits(batches, maxBodyBytes);
        const ids = batches.flatMap((b) => (JSON.parse(b.body.toString()) as { records: Array<{ externalId: string }> }).records.map((r) => r.externalId));
        assert.deepEqual(ids, records.map((r) => r.externalId));
        assert.ok(batches.every((b) => b.ops <= maxRecords));
      }),
    );
  });

  it("rejects bad ids, bad hashes, unknown fields and oversize records before sending", () => {
    const cases: Array<[HashedRecordInput, RegExp]> = [
      [{ externalId: "has space", hashedRecords: [{ email: hash("a") }] }, /records\[0\].externalId must match/],
      [{ externalId: "ok", hashedRecords: [] }, /has no hashed records/],
      [{ externalId: "ok", hashedRecords: [{ email: "A".repeat(64) }] }, /records\[0\].hashedRecords\[0\].email must be a SHA-256 hash/],
      [{ externalId: "ok", hashedRecords: [{ zip: hash("a") } as never] }, /hashedRecords\[0\].zip is not a hashed-record field/],
      [{ externalId: "ok", hashedRecords: [{}] }, /hashedRecords\[0\] has no fields/],
    ];
    for (const [input, message] of cases) assert.throws(() => checkHashedRecords([input]), message);
    assert.throws(() => checkHashedRecords([record("big")], { maxBodyBytes: 100, maxRecords: 10 }), /Record externalId "big" needs \d+ bytes/);
  });
});

// Moved from the deleted pii/pack-hashed-records packer's tests: the client's packer is the one that builds these bodies.
describe("POST /dp/records/hashed bodies: packing", () => {
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
  const recordArb: fc.Arbitrary<HashedRecordInput> = fc
    .record({ externalId: fc.stringMatching(/^[0-9a-zA-Z_-]{1,128}$/), fields: fc.subarray([...HASHED_PII_FIELDS], { minLength: 1 }), hash: hex64 })
    .map(({ externalId, fields, hash }) => ({ externalId, hashedRecords: [Object.fromEntries(fields.map((field) => [field, hash]))] }));
  const WRAPPER = '{"records":[]}'.length;
  const unlimited = (maxBodyBytes: number) => ({ maxBodyBytes, maxRecords: Infinity });
  /** Bytes of one record's JSON item inside a body. */
  const itemBytes = (record: HashedRecordInput): number => ([...packHashedRecords([record])][0]?.bytes ?? 0) - WRAPPER;

  it("never exceeds maxBodyBytes, loses nothing, keeps order, and fills each body greedily", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 60 }), fc.integer({ min: 800, max: 6000 }), (records, maxBodyBytes) => {
        const bodies = [...packHashedRecords(records, unlimited(maxBodyBytes))];
        assertWithinLimits(bodies, maxBodyBytes);
        const sent = bodies.flatMap((b) => {
          const parsed = JSON.parse(b.body.toString("utf8")) as { records: unknown[] };
          assert.deepEqual(Object.keys(parsed), ["records"]);
          assert.equal(parsed.records.length, b.ops);
          assert.ok(b.ops > 0);
          return parsed.records;
        });
        assert.deepEqual(sent, records);
        // Greedy: the first record of each next body would not have fitted the previous one.
        let index = 0;
        bodies.forEach((packed, b) => {
          index += packed.ops;
          const next = records[index];
          if (b < bodies.length - 1 && next !== undefined) assert.ok(packed.bytes + 1 + itemBytes(next) > maxBodyBytes);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("a body of exactly maxBodyBytes is allowed and one byte more is not (boundary)", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 2, maxLength: 12 }), fc.nat(), fc.constantFrom(-1, 0, 1), (records, pick, delta) => {
        const k = 1 + (pick % (records.length - 1));
        const exact = WRAPPER + records.slice(0, k).reduce((n, r) => n + itemBytes(r), 0) + (k - 1);
        fc.pre(records.every((r) => WRAPPER + itemBytes(r) <= exact + delta)); // every record must fit alone
        const bodies = [...packHashedRecords(records, unlimited(exact + delta))];
        assert.equal(bodies[0]?.ops, delta < 0 ? k - 1 : k);
        assert.ok(bodies.every((b) => b.bytes <= exact + delta));
      }),
      { numRuns: 300 },
    );
  });

  it("fills real-size bodies up to, never over, 5,000,000 bytes by default", () => {
    const hash = "0123456789abcdef".repeat(4);
    const set = Object.fromEntries(HASHED_PII_FIELDS.map((f) => [f, hash]));
    const records = Array.from({ length: 20_000 }, (_, i) => ({ externalId: `id-${String(i).padStart(28, "0")}`, hashedRecords: [set] }));
    const bodies = [...packHashedRecords(records)];
    assert.equal(bodies.reduce((n, b) => n + b.ops, 0), 20_000);
    for (const packed of bodies.slice(0, -1)) {
      assert.ok(packed.bytes <= 5_000_000);
      assert.ok(packed.bytes > 5_000_000 - 700, "bodies should be nearly full");
    }
  });

  it("refuses a record that cannot fit any body, and takes one that fits exactly", () => {
    const record = fc.sample(recordArb, 1)[0]!;
    const size = itemBytes(record);
    assert.throws(() => [...packHashedRecords([record], unlimited(size + WRAPPER - 1))], RecordTooLargeError);
    assert.deepEqual([...packHashedRecords([record], unlimited(size + WRAPPER))].map((b) => b.ops), [1]);
  });
});

describe("POST /dp/records/hashed bodies with the keys they carry", () => {
  const hash = (seed: string): string => seed.repeat(64).slice(0, 64);
  const record = (i: number): HashedRecordInput => ({ externalId: `ext-${i}`, hashedRecords: [{ email: hash(String(i % 10)) }] });

  it("hashed records: the push packer builds the unkeyed packer's bodies, each with its records' keys", () => {
    const records = Array.from({ length: 120 }, (_, i) => record(i));
    const limits = { maxBodyBytes: 2_000, maxRecords: Infinity };
    const plain = [...packHashedRecords(records, limits)];
    const packer = createHashedRecordPacker<number>(limits);
    const pushed = records.map((r, i) => packer.add(r, i)).filter((b) => b !== undefined);
    const last = packer.finish();
    if (last !== undefined) pushed.push(last);
    assert.deepEqual(pushed.map((b) => b.body.toString()), plain.map((b) => b.body.toString()));
    pushed.forEach((b) => {
      const ids = (JSON.parse(b.body.toString()) as { records: Array<{ externalId: string }> }).records.map((r) => r.externalId);
      assert.deepEqual(ids, b.keys.map((k) => `ext-${k}`));
    });
    assert.ok(plain.length > 1);
  });
});

describe("POST /dp/records/hashed bodies: bad input", () => {
  const good = "0123456789abcdef".repeat(4);
  const other = { externalId: "fine", hashedRecords: [{ email: good }] };
  /** [record at index 2, the error's field, its exact message] */
  const cases: Array<[unknown, string, string]> = [
    [{ externalId: "has space", hashedRecords: [{ email: good }] }, "records[2].externalId", "records[2].externalId must match [0-9a-zA-Z-_]{1,128}"],
    [{ externalId: 7, hashedRecords: [{ email: good }] }, "records[2].externalId", "records[2].externalId must match [0-9a-zA-Z-_]{1,128}"],
    [{ externalId: "x".repeat(129), hashedRecords: [{ email: good }] }, "records[2].externalId", "records[2].externalId must match [0-9a-zA-Z-_]{1,128}"],
    [{ externalId: "p", hashedRecords: [] }, "records[2].hashedRecords", "records[2] (externalId p) has no hashed records"],
    [{ externalId: "p", hashedRecords: "x" }, "records[2].hashedRecords", "records[2] (externalId p) has no hashed records"],
    [{ externalId: "p", hashedRecords: [{ email: good }, {}] }, "records[2].hashedRecords[1]", "records[2].hashedRecords[1] has no fields"],
    [{ externalId: "p", hashedRecords: [{ email: undefined }] }, "records[2].hashedRecords[0]", "records[2].hashedRecords[0] has no fields"],
    [{ externalId: "p", hashedRecords: [{ email: good, zip: good }] }, "records[2].hashedRecords[0].zip", `records[2].hashedRecords[0].zip is not a hashed-record field (expected one of ${HASHED_PII_FIELDS.join(", ")})`],
    ...[
      ["uppercase", good.toUpperCase()],
      ["63 characters", good.slice(1)],
      ["65 characters", `${good}0`],
      ["a g", `g${good.slice(1)}`],
      ["a character past f", `${good.slice(1)}{`],
      ["a character before 0", `/${good.slice(1)}`],
      ["a non-ASCII character", `${good.slice(1)}é`],
      ["a character whose low byte is a hex digit", `${good.slice(1)}\u0161`],
      ["empty", ""],
      ["a number", 12],
    ].map(([what, hash]): [unknown, string, string] => [
      { externalId: `p-${String(what).replace(/\W/g, "")}`, hashedRecords: [{ email: good }, { phone: good, city: hash }] },
      "records[2].hashedRecords[1].city",
      "records[2].hashedRecords[1].city must be a SHA-256 hash: 64 lowercase hex characters",
    ]),
  ];
  for (const [input, field, message] of cases) {
    it(`names ${field}: ${message.slice(message.indexOf(" ") + 1, 60)}… (${JSON.stringify(input).slice(0, 50)})`, () => {
      const records = [other, other, input as HashedRecordInput, other];
      const packer = createHashedRecordPacker<number>();
      for (const run of [() => checkHashedRecords(records), () => [...packHashedRecords(records)], () => records.map((r, i) => packer.add(r, i))]) {
        assert.throws(run, (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.equal(error.field, field);
          assert.equal(error.message, message);
          return true;
        });
      }
    });
  }
});

describe("POST /dp/records/hashed bodies from rendered records", () => {
  const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
  const recordArb: fc.Arbitrary<HashedRecordInput> = fc
    .record({ externalId: fc.stringMatching(/^[0-9a-zA-Z_-]{1,128}$/), fields: fc.subarray([...HASHED_PII_FIELDS], { minLength: 1 }), hashes: fc.array(hex64, { minLength: 8, maxLength: 8 }) })
    .map(({ externalId, fields, hashes }) => ({ externalId, hashedRecords: [Object.fromEntries(fields.map((field, i) => [field, hashes[i]!]))] }));
  /** The record's JSON item as the object path renders it (the body of one record, unwrapped). */
  const itemOf = (record: HashedRecordInput): string => {
    const body = [...packHashedRecords([record])][0]!.body.toString("latin1");
    return body.slice('{"records":['.length, -"]}".length);
  };

  it("addRendered builds the same bodies, byte for byte and key for key, as add (property)", () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 40 }), fc.integer({ min: 1200, max: 8000 }), (records, maxBodyBytes) => {
        const limits = { maxBodyBytes, maxRecords: Infinity };
        const byObject = createHashedRecordPacker<number>(limits);
        const byItem = createHashedRecordPacker<number>(limits);
        const objectBodies = [...records.map((r, i) => byObject.add(r, i)), byObject.finish()].filter((b) => b !== undefined);
        const renderedBodies = [...records.map((r, i) => byItem.addRendered({ externalId: r.externalId, json: itemOf(r) }, i)), byItem.finish()].filter((b) => b !== undefined);
        assert.equal(renderedBodies.length, objectBodies.length);
        renderedBodies.forEach((body, b) => {
          assert.ok(body.body.equals(objectBodies[b]!.body));
          assert.equal(body.bytes, objectBodies[b]!.bytes);
          assert.equal(body.ops, objectBodies[b]!.ops);
          assert.deepEqual(body.keys, objectBodies[b]!.keys);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("addRendered refuses a record that cannot fit any body, naming it", () => {
    const packer = createHashedRecordPacker<number>({ maxBodyBytes: 100, maxRecords: Infinity });
    const json = `{"externalId":"too-big","hashedRecords":[{"email":"${"a".repeat(64)}"}]}`;
    assert.throws(() => packer.addRendered({ externalId: "too-big", json }, 0), (error: unknown) => error instanceof RecordTooLargeError && /externalId "too-big" needs 133 bytes/.test(error.message));
  });
});
