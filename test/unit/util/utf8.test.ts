import { strict as assert } from "node:assert";
import { isUtf8 } from "node:buffer";
import fc from "fast-check";

import { firstInvalidUtf8, utf8PositionAt } from "../../../provider/util/utf8";

describe("UTF-8 checks", () => {
  const rows: Array<{ name: string; bytes: number[]; bad: number }> = [
    { name: "ASCII", bytes: [0x61, 0x62], bad: -1 },
    { name: "é, €, 😀", bytes: [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], bad: -1 },
    { name: "a Latin-1 é", bytes: [0x63, 0x61, 0x66, 0xe9, 0x0a], bad: 3 },
    { name: "a lone continuation byte", bytes: [0x61, 0x80], bad: 1 },
    { name: "an overlong slash", bytes: [0xc0, 0xaf], bad: 0 },
    { name: "an overlong three-byte form", bytes: [0xe0, 0x80, 0xaf], bad: 0 },
    { name: "a surrogate", bytes: [0x61, 0xed, 0xa0, 0x80], bad: 1 },
    { name: "a code point above U+10FFFF", bytes: [0xf4, 0x90, 0x80, 0x80], bad: 0 },
    { name: "a sequence cut off at the end", bytes: [0x61, 0xe2, 0x82], bad: 1 },
  ];
  for (const row of rows) {
    it(`finds the first bad byte: ${row.name}`, () => {
      assert.equal(firstInvalidUtf8(Uint8Array.from(row.bytes)), row.bad);
    });
  }

  it("agrees with Node's isUtf8 on any bytes, and the prefix before the bad byte is UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const bad = firstInvalidUtf8(bytes);
        assert.equal(bad === -1, isUtf8(bytes));
        if (bad >= 0) assert.ok(isUtf8(bytes.subarray(0, bad)));
      }),
      { numRuns: 2000 },
    );
  });

  it("names line and column in characters", () => {
    const bytes = Buffer.concat([Buffer.from("line one\nnamé: Caf"), Buffer.from([0xe9])]);
    assert.deepEqual(utf8PositionAt(bytes, bytes.length - 1), { line: 2, column: 10 });
  });
});
