import { strict as assert } from "node:assert";
import fc from "fast-check";
import { JsonSyntaxError, parseJsonLossless, stringifyJson, toInt64String } from "../../../simulator/int64-json";

describe("simulator/int64-json: parseJsonLossless", () => {
  it("agrees with JSON.parse on any JSON without unsafe integers", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const expected: unknown = JSON.parse(text, (_k, v: unknown) => v);
        const hasUnsafe = /(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, '""'));
        fc.pre(!hasUnsafe);
        assert.deepEqual(parseJsonLossless(text), expected);
      }),
      { numRuns: 500 },
    );
  });

  it("throws exactly when JSON.parse throws", () => {
    // Strings over JSON's own alphabet (plus a few control and non-ASCII chars) hit the edge cases.
    const alphabet = [..." \t\n\r[]{}:,\"\\-+.0123456789eEtrufalsn", "\u0000", "\u001f", "é"];
    const jsonish = fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.string(), fc.json().map((j) => j.slice(0, -1))), (text) => {
        let nativeFailed = false;
        try {
          JSON.parse(text);
        } catch {
          nativeFailed = true;
        }
        let ownFailed = false;
        try {
          parseJsonLossless(text);
        } catch (err) {
          assert.ok(err instanceof JsonSyntaxError, String(err));
          ownFailed = true;
        }
        assert.equal(ownFailed, nativeFailed, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
  });

  const exact: Array<[string, unknown]> = [
    ["72057594038053891", 72057594038053891n],
    ["-9223372036854775808", -9223372036854775808n],
    ["9007199254740991", 9007199254740991],
    ["9007199254740992", 9007199254740992n],
    ["123456789012345678901234567890", 123456789012345678901234567890n],
    ["7.2057594038053891e16", 72057594038053890],
    ['{"value":[72057594038053891,72057594038053892]}', { value: [72057594038053891n, 72057594038053892n] }],
    ['"72057594038053891"', "72057594038053891"],
    ["-0", -0],
  ];
  for (const [text, value] of exact) {
    it(`parses ${text} exactly`, () => {
      assert.deepEqual(parseJsonLossless(text), value);
    });
  }

  it("keeps a __proto__ key as data", () => {
    const parsed = parseJsonLossless('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.keys(parsed), ["__proto__"]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    assert.throws(() => parseJsonLossless("[".repeat(10_000) + "]".repeat(10_000)), JsonSyntaxError);
  });
});

describe("simulator/int64-json: toInt64String", () => {
  const cases: Array<[unknown, string | undefined]> = [
    [72057594038053891n, "72057594038053891"],
    ["72057594038053891", "72057594038053891"],
    ["0072", "72"],
    ["-5", "-5"],
    [42, "42"],
    [-0, "0"],
    [1.5, undefined],
    [2 ** 53, undefined],
    ["9223372036854775807", "9223372036854775807"],
    ["9223372036854775808", undefined],
    [-9223372036854775809n, undefined],
    ["1e3", undefined],
    [" 1", undefined],
    ["", undefined],
    [null, undefined],
    [true, undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${typeof input} ${String(input)} -> ${String(expected)}`, () => {
      assert.equal(toInt64String(input as never), expected);
    });
  }
});

describe("simulator/int64-json: stringifyJson", () => {
  it("writes bigint as a bare number and otherwise matches JSON.stringify", () => {
    assert.equal(stringifyJson({ id: 72057594038053891n, a: [1, "x", null, undefined], b: undefined, c: { d: true } }), '{"id":72057594038053891,"a":[1,"x",null,null],"c":{"d":true}}');
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        assert.equal(stringifyJson(v), JSON.stringify(v));
      }),
    );
  });

  it("round-trips through parseJsonLossless", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const parsed = parseJsonLossless(stringifyJson({ id: n })) as { id: number | bigint };
        assert.equal(toInt64String(parsed.id), n.toString());
      }),
    );
  });
});
