import assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidInputError } from "../../../provider/client/input-errors";
import { isInt64String, parseJsonWithInt64Ids, toInt64String } from "../../../provider/client/int64";

describe("int64 ids", () => {
  describe("isInt64String", () => {
    const cases: Array<[string, boolean]> = [
      ["0", true],
      ["72057594038053890", true],
      ["9223372036854775807", true],
      ["-9223372036854775808", true],
      ["9223372036854775808", false],
      ["-9223372036854775809", false],
      ["99999999999999999999", false],
      ["", false],
      ["-", false],
      ["1e3", false],
      [" 1", false],
      ["1.0", false],
      ["+1", false],
      ["0x10", false],
    ];
    for (const [input, expected] of cases) {
      it(`${JSON.stringify(input)} → ${expected}`, () => assert.equal(isInt64String(input), expected));
    }
  });

  describe("toInt64String", () => {
    it("canonicalises leading zeros and -0", () => {
      assert.equal(toInt64String("007", "id"), "7");
      assert.equal(toInt64String("-0", "id"), "0");
    });
    it("accepts safe integers and bigints, refuses unsafe numbers", () => {
      assert.equal(toInt64String(42, "id"), "42");
      assert.equal(toInt64String(9223372036854775807n, "id"), "9223372036854775807");
      assert.throws(() => toInt64String(Number("72057594038053890"), "audienceId"), (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        assert.equal(error.field, "audienceId");
        assert.match(error.message, /safe integer or a decimal string/);
        return true;
      });
    });
    it("names the field when the string is not an int64", () => {
      assert.throws(() => toInt64String("12a", "advertiserId"), /advertiserId must be an int64 decimal string \(got "12a"\)/);
    });
  });

  describe("parseJsonWithInt64Ids", () => {
    it("keeps ids above 2^53 exact", () => {
      const text = '{"requestId":"r1","audience":{"id":72057594038053890,"advertiserId":9223372036854775807,"name":"n"}}';
      const parsed = parseJsonWithInt64Ids(text) as { audience: { id: string; advertiserId: string } };
      assert.equal(parsed.audience.id, "72057594038053890");
      assert.equal(parsed.audience.advertiserId, "9223372036854775807");
      // The naive parse silently rounds to the nearest double:
      assert.notEqual(BigInt((JSON.parse(text) as { audience: { id: number } }).audience.id), 72057594038053890n);
    });

    it("leaves digits inside strings, other fields, floats and negative ids alone or exact", () => {
      const text =
        '{"description":"see \\"id\\":72057594038053891 here","ttl":34300800,"matchRate":0.1234567890123,' +
        '"nested":[{"audienceId":-9223372036854775808}],"count":12345678901234567890}';
      const parsed = parseJsonWithInt64Ids(text) as Record<string, unknown>;
      assert.equal(parsed["description"], 'see "id":72057594038053891 here');
      assert.equal(parsed["ttl"], 34300800);
      assert.equal(parsed["matchRate"], 0.1234567890123);
      assert.deepEqual(parsed["nested"], [{ audienceId: "-9223372036854775808" }]);
      assert.equal(typeof parsed["count"], "number"); // not an id field: parsed as JSON.parse would
    });

    it("round-trips any int64 through JSON text as a bare number", () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (id) => {
          const text = `{"audience":{"id":${id.toString()},"advertiserId":${id.toString()}}}`;
          const parsed = parseJsonWithInt64Ids(text) as { audience: { id: string; advertiserId: string } };
          assert.equal(parsed.audience.id, id.toString());
          assert.equal(toInt64String(parsed.audience.advertiserId, "advertiserId"), id.toString());
        }),
      );
    });

    it("throws on invalid JSON like JSON.parse", () => {
      assert.throws(() => parseJsonWithInt64Ids('{"id":'), SyntaxError);
    });
  });
});
