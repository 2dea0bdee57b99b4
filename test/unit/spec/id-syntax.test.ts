import { strict as assert } from "node:assert";

import fc from "fast-check";
import { ID_BYTES_CHECKS, ID_SYNTAX_CHECKS, type IdType } from "../../../provider/spec";

const COOKIE_INVALID = "is not a valid COOKIE ID: expected 1–1999 characters of A–Z a–z 0–9 _ - = + / . :";
const MAID_INVALID = "is not a valid MAID: expected a UUID like 6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6";
const MAID_ZERO = "is the all-zero MAID a device reports when ad tracking is limited; it identifies nobody";
const EXTERNAL_INVALID = "is not a valid EXTERNAL_USER_ID: expected 1–128 characters of A–Z a–z 0–9 _ -";

const ROWS: Array<[IdType, string, string | undefined]> = [
  ["COOKIE", "EMpBAI0GRcK4nBNGpPGg5g", undefined],
  ["COOKIE", "a+b/c=d.e:f_g-h", undefined],
  ["COOKIE", "c".repeat(1999), undefined],
  ["COOKIE", "c".repeat(2000), COOKIE_INVALID],
  ["COOKIE", "", COOKIE_INVALID],
  ["COOKIE", "has space", COOKIE_INVALID],
  ["COOKIE", "ünïcode", COOKIE_INVALID],
  ["COOKIE", "semi;colon", COOKIE_INVALID],
  ["MAID", "6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6", undefined],
  ["MAID", "A1B2C3D4-E5F6-4A7B-8C9D-0E1F2A3B4C5D", undefined],
  ["MAID", "a1B2c3D4-e5F6-4a7B-8c9D-0e1F2a3B4c5D", undefined],
  ["MAID", "00000000-0000-0000-0000-000000000000", MAID_ZERO],
  ["MAID", "6f1c2e4a1b2c4d5e8f90a1b2c3d4e5f6", MAID_INVALID],
  ["MAID", "{6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6}", MAID_INVALID],
  ["MAID", "6f1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f", MAID_INVALID],
  ["MAID", "gf1c2e4a-1b2c-4d5e-8f90-a1b2c3d4e5f6", MAID_INVALID],
  ["EXTERNAL_USER_ID", "crm-000123", undefined],
  ["EXTERNAL_USER_ID", "A_b-9", undefined],
  ["EXTERNAL_USER_ID", "x".repeat(128), undefined],
  ["EXTERNAL_USER_ID", "x".repeat(129), EXTERNAL_INVALID],
  ["EXTERNAL_USER_ID", "", EXTERNAL_INVALID],
  ["EXTERNAL_USER_ID", "jane@example.com", EXTERNAL_INVALID],
  ["EXTERNAL_USER_ID", "a.b", EXTERNAL_INVALID],
];

describe("ID syntax checks (shared with ID files)", () => {
  for (const [type, id, expected] of ROWS) {
    it(`${type} ${JSON.stringify(id.length > 40 ? `${id.slice(0, 12)}…(${id.length})` : id)} → ${expected ?? "valid"}`, () => {
      assert.equal(ID_SYNTAX_CHECKS[type](id), expected);
    });
  }

  it("never quotes the ID in its message", () => {
    const secret = "jane@example.com";
    assert.equal(ID_SYNTAX_CHECKS.EXTERNAL_USER_ID(secret)?.includes(secret), false);
  });
});

describe("ID byte checks (the fast path of ID files)", () => {
  const asciiId = fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)), minLength: 0, maxLength: 140 });
  const anyId = fc.oneof(asciiId, fc.string({ unit: "grapheme", maxLength: 20 }), fc.constantFrom("", "a".repeat(128), "a".repeat(129), "a".repeat(1999), "a".repeat(2000)));

  it("COOKIE and EXTERNAL_USER_ID have one, derived from the schema; MAID (a UUID, not all zeros) has none", () => {
    assert.equal(typeof ID_BYTES_CHECKS.COOKIE, "function");
    assert.equal(typeof ID_BYTES_CHECKS.EXTERNAL_USER_ID, "function");
    assert.equal(ID_BYTES_CHECKS.MAID, undefined);
  });

  for (const type of ["COOKIE", "EXTERNAL_USER_ID"] as const) {
    it(`${type}: accepts exactly the ASCII IDs the string check accepts, and never anything it rejects`, () => {
      const bytesCheck = ID_BYTES_CHECKS[type] as (bytes: Uint8Array, start: number, end: number) => boolean;
      fc.assert(
        fc.property(anyId, (id) => {
          const bytes = Buffer.from(`xx${id}yy`, "utf8");
          const accepted = bytesCheck(bytes, 2, bytes.length - 2);
          const valid = ID_SYNTAX_CHECKS[type](id) === undefined;
          if (accepted) assert.ok(valid, "accepted by bytes, rejected by the rule");
          if (valid && Buffer.byteLength(id) === id.length) assert.ok(accepted, "a valid ASCII ID takes the fast path");
        }),
        { numRuns: 3000 },
      );
    });
  }
});
