import assert from "node:assert/strict";
import fc from "fast-check";
import {
  checkMembershipColumns,
  mergeMembershipOps,
  packKeyedMembershipColumns,
  packMembershipColumns,
  packMembershipOps,
  type MembershipOp,
  type MembershipOpColumn,
  type PatchBatch,
} from "../../../../provider/client/bodies/membership-patches";
import { escapeJsonStringContent, type RecordIdType } from "../../../../provider/client/bodies/record-values";
import { InvalidInputError, RecordTooLargeError } from "../../../../provider/client/input-errors";
import { assertWithinLimits } from "../../../support/request-bodies";

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

const int64Ids = fc.constantFrom("72057594038053890", "9223372036854775807", "1", "-42", "123456789012");
const recordTypes = fc.constantFrom<RecordIdType>("COOKIE", "MAID", "EXTERNAL_USER_ID");
const wellFormed = (value: string): boolean => !/\p{Cs}/u.test(value);
const recordValues = fc.oneof(
  fc.string({ minLength: 1, maxLength: 30 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 10 }).filter(wellFormed), // quotes, control chars, astral characters
  fc.constantFrom('a"b', "back\\slash", "tab\tnew\nline", "\u0000", "é-ü_€", "🍪"),
);

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

describe("PATCH /v2/dp/audience bodies with the keys they carry", () => {
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
});
