import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkHashedRecords,
  checkMembershipColumns,
  checkUserDeletions,
  createHashedRecordPacker,
  escapeJsonStringContent,
  HASHED_PII_FIELDS,
  mergeMembershipOps,
  packHashedRecords,
  packKeyedMembershipColumns,
  packKeyedUserDeletions,
  packMembershipColumns,
  packMembershipOps,
  packUserDeletions,
  type HashedRecordInput,
  type MembershipOp,
  type MembershipOpColumn,
  type PatchBatch,
  type RecordIdType,
  type RequestBatch,
} from "../../../provider/client/batching";
import { InvalidInputError, RecordTooLargeError } from "../../../provider/client/input-errors";

interface SentPatch {
  op: string;
  path: string;
  value: string[];
}

/** Parses a body the way a server would; ids (bare numbers above 2^53) are re-read exactly from the text. */
function patchesOf(batch: PatchBatch): SentPatch[] {
  const text = batch.body.toString("utf8");
  const body = JSON.parse(text) as { patches: Array<{ op: string; path: string }> };
  return body.patches.map((patch, index) => ({ op: patch.op, path: patch.path, value: idsOfPatch(text, index) }));
}

// `"value":[` cannot occur inside a JSON string (its quote would be escaped), so this finds exactly the id lists.
function idsOfPatch(body: string, index: number): string[] {
  const values = [...body.matchAll(/"value":\[([0-9,-]*)\]/g)].map((match) => match[1] ?? "");
  return (values[index] ?? "").split(",");
}

function assertWithinLimits(batches: readonly RequestBatch[], maxBodyBytes: number): void {
  for (const batch of batches) {
    assert.equal(batch.body.length, batch.bytes, "bytes must match the body");
    assert.ok(batch.bytes <= maxBodyBytes, `body of ${batch.bytes} bytes exceeds ${maxBodyBytes}`);
    JSON.parse(batch.body.toString("utf8")); // always valid JSON
  }
}

const int64Ids = fc.constantFrom("72057594038053890", "9223372036854775807", "1", "-42", "123456789012");
const recordTypes = fc.constantFrom<RecordIdType>("COOKIE", "MAID", "EXTERNAL_USER_ID");
const wellFormed = (value: string): boolean => !/\p{Cs}/u.test(value);
const recordValues = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 10 }).filter(wellFormed), // quotes, control chars, astral characters
  fc.constantFrom('a"b', "back\\slash", "tab\tnew\nline", "\u0000", "é-ü_€", "🍪"),
);

describe("batching", () => {
  describe("PATCH /v2/dp/audience bodies", () => {
    it("builds exact JSON: path with type prefix, ids as bare int64 numbers", () => {
      const [batch, ...rest] = [
        ...packMembershipColumns([{ op: "add", type: "COOKIE", values: ["EMpBAI0GRcK4nBNGpPGg5g"], audienceIds: ["72057594038053890", "9223372036854775807"] }]),
      ];
      assert.equal(rest.length, 0);
      assert.equal(
        batch?.body.toString(),
        '{"patches":[{"op":"add","path":"/COOKIE-EMpBAI0GRcK4nBNGpPGg5g/audiences","value":[72057594038053890,9223372036854775807]}]}',
      );
      assert.deepEqual({ bytes: batch?.bytes, patches: batch?.patches, ops: batch?.ops }, { bytes: batch?.body.length, patches: 1, ops: 2 });
    });

    it("escapes record values as JSON strings", () => {
      const [batch] = [...packMembershipColumns([{ op: "remove", type: "EXTERNAL_USER_ID", values: ['a"b\\c\n', "é🍪"], audienceIds: ["1"] }])];
      const parsed = JSON.parse(batch?.body.toString() ?? "") as { patches: Array<{ path: string }> };
      assert.deepEqual(
        parsed.patches.map((p) => p.path),
        ['/EXTERNAL_USER_ID-a"b\\c\n/audiences', "/EXTERNAL_USER_ID-é🍪/audiences"],
      );
      assert.equal(batch?.body.length, batch?.bytes);
      assert.equal(escapeJsonStringContent("plain-ASCII_123"), "plain-ASCII_123");
    });

    it("splits at exactly maxPatches and at exactly maxBodyBytes", () => {
      const values = Array.from({ length: 7 }, (_, i) => `cookie${i}`); // each patch: 58 bytes
      const byCount = [...packMembershipColumns([{ op: "add", type: "COOKIE", values, audienceIds: ["1"] }], { maxBodyBytes: 1_000_000, maxPatches: 3 })];
      assert.deepEqual(byCount.map((b) => b.patches), [3, 3, 1]);
      const onePatch = byCount[2]?.bytes ?? 0;
      const twoPatches = 2 * (onePatch - 14) + 1 + 14;
      const bySize = [...packMembershipColumns([{ op: "add", type: "COOKIE", values, audienceIds: ["1"] }], { maxBodyBytes: twoPatches, maxPatches: 2000 })];
      assert.deepEqual(bySize.map((b) => b.patches), [2, 2, 2, 1]);
      assert.ok(bySize.every((b) => b.bytes <= twoPatches));
      assert.equal(bySize[0]?.bytes, twoPatches);
    });

    it("never exceeds a limit, loses or duplicates nothing (property)", () => {
      const columns = fc.array(
        fc.record({
          op: fc.constantFrom<"add" | "remove">("add", "remove"),
          type: recordTypes,
          values: fc.array(recordValues, { maxLength: 40 }),
          audienceIds: fc.uniqueArray(int64Ids, { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 6 },
      );
      const limits = fc.record({ maxBodyBytes: fc.integer({ min: 150, max: 3000 }), maxPatches: fc.integer({ min: 1, max: 50 }) });
      fc.assert(
        fc.property(columns, limits, (input: MembershipOpColumn[], limit) => {
          const expected = input.flatMap((c) => c.values.map((v) => `${c.op} /${c.type}-${v}/audiences ${c.audienceIds.map((id) => BigInt(id).toString()).join(",")}`));
          let batches: PatchBatch[];
          try {
            batches = [...packMembershipColumns(input, limit)];
          } catch (error) {
            // Only legitimate failure: one record alone does not fit.
            assert.ok(error instanceof RecordTooLargeError, String(error));
            assert.ok(error.bytes > limit.maxBodyBytes);
            assert.throws(() => checkMembershipColumns(input, limit), RecordTooLargeError);
            return;
          }
          checkMembershipColumns(input, limit); // agrees: everything fits
          assertWithinLimits(batches, limit.maxBodyBytes);
          assert.ok(batches.every((b) => b.patches <= limit.maxPatches && b.patches > 0));
          const sent = batches.flatMap((b) => patchesOf(b).map((p) => `${p.op} ${p.path} ${p.value.join(",")}`));
          assert.deepEqual(sent, expected);
          assert.equal(
            batches.reduce((n, b) => n + b.ops, 0),
            input.reduce((n, c) => n + c.values.length * c.audienceIds.length, 0),
          );
        }),
        { numRuns: 300 },
      );
    });

    it("merges rows of one record and op into one patch listing all its audiences", () => {
      const ops: MembershipOp[] = [
        { op: "add", type: "COOKIE", value: "c1", audienceIds: ["11"] },
        { op: "add", type: "MAID", value: "c1", audienceIds: ["11"] },
        { op: "remove", type: "COOKIE", value: "c1", audienceIds: ["33"] },
        { op: "add", type: "COOKIE", value: "c1", audienceIds: ["22", "11"] },
      ];
      const [batch] = [...packMembershipOps(ops)];
      assert.equal(
        batch?.body.toString(),
        '{"patches":[' +
          '{"op":"add","path":"/COOKIE-c1/audiences","value":[11,22]},' +
          '{"op":"add","path":"/MAID-c1/audiences","value":[11]},' +
          '{"op":"remove","path":"/COOKIE-c1/audiences","value":[33]}]}',
      );
      assert.equal(batch?.ops, 4);
    });

    it("row merging keeps every (op, record, audience) exactly once (property)", () => {
      const rows = fc.array(
        fc.record({
          op: fc.constantFrom<"add" | "remove">("add", "remove"),
          type: recordTypes,
          value: fc.constantFrom("a", "b", "c", 'q"uote'),
          audienceIds: fc.array(int64Ids, { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 30 },
      );
      fc.assert(
        fc.property(rows, (input: MembershipOp[]) => {
          const expected = new Set(input.flatMap((r) => r.audienceIds.map((id) => `${r.op}|${r.type}|${r.value}|${BigInt(id)}`)));
          const merged = mergeMembershipOps(input);
          const keys = merged.map((r) => `${r.op}|${r.type}|${r.value}`);
          assert.equal(new Set(keys).size, keys.length, "one patch per record and op");
          const sent = [...packMembershipOps(input, { maxBodyBytes: 400, maxPatches: 3 })].flatMap((batch) =>
            patchesOf(batch).flatMap((p) => {
              const match = /^\/(COOKIE|MAID|EXTERNAL_USER_ID)-(.*)\/audiences$/s.exec(p.path);
              return p.value.map((id) => `${p.op}|${match?.[1]}|${match?.[2]}|${id}`);
            }),
          );
          assert.equal(sent.length, expected.size, "no duplicates");
          assert.deepEqual(new Set(sent), expected, "nothing lost");
        }),
        { numRuns: 300 },
      );
    });

    it("rejects a record that alone exceeds the body limit, naming it with a truncated id", () => {
      const huge = "X".repeat(2000);
      const columns: MembershipOpColumn[] = [{ op: "add", type: "COOKIE", values: ["ok", huge], audienceIds: ["1"] }];
      const limits = { maxBodyBytes: 1000, maxPatches: 2000 };
      for (const run of [() => checkMembershipColumns(columns, limits), () => [...packMembershipColumns(columns, limits)]]) {
        assert.throws(run, (error: unknown) => {
          assert.ok(error instanceof RecordTooLargeError);
          assert.equal(error.recordType, "COOKIE");
          assert.equal(error.recordIdPreview, '"XXXXXXXXXXXX…" (2000 chars)');
          assert.equal(error.message, 'Record COOKIE "XXXXXXXXXXXX…" (2000 chars) needs 2066 bytes, more than the 1000-byte request limit; it cannot be sent');
          return true;
        });
      }
    });

    it("validates op, type, values and audience ids", () => {
      const base: MembershipOpColumn = { op: "add", type: "COOKIE", values: ["v"], audienceIds: ["1"] };
      const bad: Array<[Partial<MembershipOpColumn>, RegExp]> = [
        [{ op: "replace" as "add" }, /column.op must be "add" or "remove"/],
        [{ type: "EMAIL" as RecordIdType }, /column.type must be COOKIE, MAID or EXTERNAL_USER_ID/],
        [{ values: [""] }, /COOKIE record value at index 0 is empty/],
        [{ audienceIds: [] }, /column.audienceIds is empty/],
        [{ audienceIds: ["1", "2^70"] }, /column.audienceIds\[1\] must be an int64/],
        [{ audienceIds: ["9223372036854775808"] }, /must be an int64/],
        [{ values: ["ok", "bad\ud800"] }, /COOKIE record "bad\\ud800" contains a lone UTF-16 surrogate/],
      ];
      for (const [override, message] of bad) {
        const column = { ...base, ...override };
        assert.throws(() => checkMembershipColumns([column]), (error: unknown) => error instanceof InvalidInputError && message.test(error.message));
        assert.throws(() => [...packMembershipColumns([column])], message);
      }
    });

    it("builds bodies lazily", () => {
      const generator = packMembershipColumns([{ op: "add", type: "COOKIE", values: ["a", "b", "c"], audienceIds: ["1"] }], { maxBodyBytes: 1e6, maxPatches: 1 });
      assert.equal(generator.next().value?.patches, 1);
    });
  });

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

  describe("PATCH /v2/dp/users bodies", () => {
    it("builds the spec's shape (advertiserId as a string, consentTime in ms)", () => {
      const [batch] = [...packUserDeletions([{ type: "MAID", value: "m-1", advertiserId: "72057594038053890", consentTime: 1_700_000_000_000 }, { type: "COOKIE", value: 'c"2' }])];
      assert.equal(
        batch?.body.toString(),
        '{"operation":"DELETE","users":[{"userId":{"type":"MAID","value":"m-1"},"advertiserId":"72057594038053890","consentTime":1700000000000},{"userId":{"type":"COOKIE","value":"c\\"2"}}]}',
      );
    });

    it("splits at 1000 users and at the byte limit", () => {
      const users = Array.from({ length: 2500 }, (_, i) => ({ type: "COOKIE" as const, value: `cookie-${i}` }));
      assert.deepEqual([...packUserDeletions(users)].map((b) => b.ops), [1000, 1000, 500]);
      const small = [...packUserDeletions(users.slice(0, 50), { maxBodyBytes: 500, maxUsers: 1000 })];
      assertWithinLimits(small, 500);
      assert.equal(small.reduce((n, b) => n + b.ops, 0), 50);
    });

    it("validates before sending", () => {
      assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "" }]), /users\[0\].value is empty/);
      assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "x", advertiserId: "abc" }]), /users\[0\].advertiserId must be an int64/);
      assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "x", consentTime: -1 }]), /consentTime must be epoch milliseconds/);
      assert.throws(() => checkUserDeletions([{ type: "COOKIE", value: "y".repeat(600) }], { maxBodyBytes: 500, maxUsers: 1000 }), RecordTooLargeError);
    });
  });

  describe("bodies with the keys they carry", () => {
    const hash = (seed: string): string => seed.repeat(64).slice(0, 64);
    const record = (i: number): HashedRecordInput => ({ externalId: `ext-${i}`, hashedRecords: [{ email: hash(String(i % 10)) }] });

    it("membership: each body carries the keys of exactly its patches, across columns, in order (property)", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), fc.integer({ min: 1, max: 7 }), (sizes, maxPatches) => {
          let next = 0;
          const columns = sizes.map((size, c) => {
            const values = Array.from({ length: size }, (_, i) => `c${c}-v${i}`);
            return { op: c % 2 === 0 ? ("add" as const) : ("remove" as const), type: "COOKIE" as const, values, audienceIds: ["1"], keys: values.map(() => next++) };
          });
          const keyed = [...packKeyedMembershipColumns(columns, { maxBodyBytes: 1_000_000, maxPatches })];
          const plain = [...packMembershipColumns(columns, { maxBodyBytes: 1_000_000, maxPatches })];
          assert.deepEqual(keyed.map((b) => b.body), plain.map((b) => b.body), "the same bodies as the unkeyed packer");
          assert.deepEqual(keyed.flatMap((b) => b.keys), Array.from({ length: next }, (_, k) => k));
          for (const b of keyed) {
            assert.equal(b.keys.length, b.patches);
            const cookieValues = patchesOf(b).map((p) => p.path.slice("/COOKIE-".length, -"/audiences".length));
            const valueOfKey = columns.flatMap((c) => c.values);
            assert.deepEqual(cookieValues, b.keys.map((k) => valueOfKey[k]));
          }
        }),
      );
    });

    it("membership: refuses a column whose keys do not match its values", () => {
      assert.throws(() => [...packKeyedMembershipColumns([{ op: "add", type: "COOKIE", values: ["a", "b"], audienceIds: ["1"], keys: [1] }])], InvalidInputError);
    });

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

    it("user deletions: each body carries the keys of its users", () => {
      const users = Array.from({ length: 2500 }, (_, i) => ({ input: { type: "COOKIE" as const, value: `cookie-${i}` }, key: `k${i}` }));
      const bodies = [...packKeyedUserDeletions(users)];
      assert.deepEqual(bodies.map((b) => b.keys.length), [1000, 1000, 500]);
      assert.deepEqual(bodies.flatMap((b) => b.keys), users.map((u) => u.key));
      assert.deepEqual(bodies.map((b) => b.body), [...packUserDeletions(users.map((u) => u.input))].map((b) => b.body));
    });
  });
});
