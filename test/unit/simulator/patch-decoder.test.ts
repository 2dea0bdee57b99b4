import { strict as assert } from "node:assert";
import fc from "fast-check";
import { parseJsonLossless } from "../../../simulator/int64-json";
import { opsFromBatch } from "../../../simulator/patch-batch";
import { decodePatchBodyFast } from "../../../simulator/patch-decoder";
import { validatePatchBody } from "../../../simulator/validation";

/** The reference result: ops on success, "error" for any 400/413. */
function reference(body: string, maxPatches: number): unknown {
  let parsed;
  try {
    parsed = parseJsonLossless(body);
  } catch {
    return "error";
  }
  const v = validatePatchBody(parsed, maxPatches);
  return v.ok ? v.value.map((op) => ({ ...op, audienceIds: [...op.audienceIds] })) : "error";
}

function fast(body: string, maxPatches: number): unknown {
  const batch = decodePatchBodyFast(Buffer.from(body, "utf8"), maxPatches);
  return batch && opsFromBatch(batch).map((op) => ({ ...op, audienceIds: [...op.audienceIds] }));
}

/** Mostly `usual`, sometimes one of the `unusual` values. */
const mostly = <T>(usual: fc.Arbitrary<T>, ...unusual: T[]): fc.Arbitrary<T> =>
  fc.oneof({ weight: 12, arbitrary: usual }, { weight: 1, arbitrary: fc.constantFrom(...unusual) });

const ws = mostly(fc.constant(""), " ", "\n", "\t ", "\r\n  ");
const idLiteral = mostly(
  fc.oneof(fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }).map(String), fc.constantFrom("72057594038053891", "72057594038053892", "9223372036854775807")),
  "9223372036854775808", "0", "-5", "1.5", "1e3", '"72057594038053891"', "01",
);
const recordValue = mostly(fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/), "a-b-c", "x/audiences", "-", "caf\\u00e9", "tab\\there", 'quote\\"d', "é", "a\u007fb", "", "\u0001");
const recordType = mostly(fc.constantFrom("COOKIE", "MAID", "EXTERNAL_USER_ID"), "EMAIL", "cookie");
const op = mostly(fc.constantFrom('"add"', '"remove"'), '"replace"', "1");

/** A patch object as JSON text, usually valid, sometimes with one of many defects. */
const patch = fc
  .record({
    op,
    type: recordType,
    value: recordValue,
    suffix: mostly(fc.constant("/audiences"), "/audience", ""),
    ids: mostly(fc.array(idLiteral, { minLength: 1, maxLength: 3 }), []),
    order: fc.constantFrom([0, 1, 2], [2, 1, 0], [1, 0, 2]),
    extra: mostly(fc.constant(""), ',"consent":{"consentType":"TCF","tcf":"abc"}', ',"from":"x"', ',"op":"add"'),
    w: ws,
  })
  .map(({ op, type, value, suffix, ids, order, extra, w }) => {
    const fields = [`"op"${w}:${w}${op}`, `"path":"/${type}-${value}${suffix}"`, `"value":[${w}${ids.join(`,${w}`)}${w}]`];
    return `{${w}${order.map((i) => fields[i]).join(`,${w}`)}${extra}${w}}`;
  });

const body = fc
  .record({ patches: fc.array(patch, { minLength: 0, maxLength: 5 }), w: ws, top: mostly(fc.constant(""), ',"x":1') })
  .map(({ patches, w, top }) => `{${w}"patches"${w}:${w}[${w}${patches.join(`,${w}`)}${w}]${top}${w}}`);

describe("simulator/patch-decoder: fast path agrees with the reference decoder", () => {
  it("returns the reference's ops whenever it decodes a body (and never accepts what the reference rejects)", () => {
    let decoded = 0;
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 6 }), (text, max) => {
        const f = fast(text, max);
        if (f === undefined) return;
        decoded++;
        assert.deepEqual(f, reference(text, max), text);
      }),
      { numRuns: 3000 },
    );
    assert.ok(decoded > 300, `the fast path decoded only ${decoded} of 3000 bodies`);
  });

  it("shares one audience-id array between consecutive patches with the same ids", () => {
    const batch = decodePatchBodyFast(
      Buffer.from('{"patches":[{"op":"add","path":"/COOKIE-a/audiences","value":[7,8]},{"op":"remove","path":"/MAID-b/audiences","value":[7,8]},{"op":"add","path":"/MAID-c/audiences","value":[9]}]}'),
      10,
    );
    assert.ok(batch);
    assert.equal(batch.audienceIds[0], batch.audienceIds[1]);
    assert.notEqual(batch.audienceIds[1], batch.audienceIds[2]);
    assert.deepEqual(opsFromBatch(batch).map((o) => [o.add, o.type, o.value, o.audienceIds]), [
      [true, "COOKIE", "a", ["7", "8"]],
      [false, "MAID", "b", ["7", "8"]],
      [true, "MAID", "c", ["9"]],
    ]);
  });

  const fallbacks: Array<[string, string]> = [
    ["consent", '{"patches":[{"op":"add","path":"/COOKIE-a/audiences","value":[7],"consent":{"consentType":"TCF","tcf":"x"}}]}'],
    ["escaped path", '{"patches":[{"op":"add","path":"/COOKIE-caf\\u00e9/audiences","value":[7]}]}'],
    ["non-ASCII path", '{"patches":[{"op":"add","path":"/COOKIE-café/audiences","value":[7]}]}'],
    ["numeric-string id", '{"patches":[{"op":"add","path":"/COOKIE-a/audiences","value":["7"]}]}'],
    ["more patches than allowed", `{"patches":[${'{"op":"add","path":"/COOKIE-a/audiences","value":[7]},'.repeat(3)}{"op":"add","path":"/COOKIE-a/audiences","value":[7]}]}`],
    ["empty patches", '{"patches":[]}'],
  ];
  for (const [name, text] of fallbacks) {
    it(`leaves "${name}" to the reference decoder`, () => {
      assert.equal(decodePatchBodyFast(Buffer.from(text), 3), undefined);
    });
  }
});
