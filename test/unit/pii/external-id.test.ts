import { strict as assert } from "node:assert";
import * as crypto from "node:crypto";
import fc from "fast-check";
import {
  createExternalIdDeriver,
  deriveExternalId,
  EXTERNAL_ID_PATTERN,
  isSha256Hex,
  sha256Hex,
  validateExternalId,
} from "../../../provider/pii";
import { keyedSha256 } from "../../../provider/pii/external-id";

const KEY = "test-key-0123456789-abcdef";
const emailHash = sha256Hex("jane.doe@example.com");
const phoneHash = sha256Hex("12125550123");

describe("pii/hash", () => {
  it("sha256Hex equals createHash over UTF-8, lowercase hex", () => {
    for (const value of ["", "jane.doe@example.com", "müller", "山田", "😀"]) {
      assert.equal(sha256Hex(value), crypto.createHash("sha256").update(value, "utf8").digest("hex"));
    }
  });

  it("isSha256Hex accepts exactly 64 lowercase hex characters", () => {
    assert.equal(isSha256Hex(emailHash), true);
    assert.equal(isSha256Hex(emailHash.toUpperCase()), false);
    assert.equal(isSha256Hex(emailHash.slice(1)), false);
    assert.equal(isSha256Hex(`${emailHash}0`), false);
    assert.equal(isSha256Hex(`${emailHash.slice(1)}g`), false);
  });
});

describe("pii/external-id: validateExternalId", () => {
  const cases: [string, ReturnType<typeof validateExternalId>][] = [
    ["cust-0001_A", { ok: true, value: "cust-0001_A" }],
    ["  cust-0001 ", { ok: true, value: "cust-0001" }],
    ["x".repeat(128), { ok: true, value: "x".repeat(128) }],
    ["", { ok: false, code: "external-id-empty", reason: "external id is empty" }],
    ["x".repeat(129), { ok: false, code: "external-id-too-long", reason: "external id is longer than 128 characters" }],
    ["cust 0001", { ok: false, code: "external-id-bad-characters", reason: "external id has characters other than 0-9 a-z A-Z _ -" }],
    ["jane@example.com", { ok: false, code: "external-id-bad-characters", reason: "external id has characters other than 0-9 a-z A-Z _ -" }],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input.length > 20 ? `${input.slice(0, 8)}…(${input.length})` : input)}`, () => assert.deepEqual(validateExternalId(input), expected));
  }
});

describe("pii/external-id: derived ids", () => {
  it("is HMAC-SHA256 under the key of 'email:<sha256 of the normalised email>', base64url, 32 chars", () => {
    const expected = crypto.createHmac("sha256", KEY).update(`email:${emailHash}`).digest("base64url").slice(0, 32);
    assert.equal(deriveExternalId({ email: emailHash, phone: phoneHash }, { externalIdKey: KEY }), expected);
  });

  it("falls back to the phone hash, and to nothing", () => {
    const derive = createExternalIdDeriver({ externalIdKey: KEY });
    const expected = crypto.createHmac("sha256", KEY).update(`phone:${phoneHash}`).digest("base64url").slice(0, 32);
    assert.equal(derive(undefined, phoneHash), expected);
    assert.equal(derive(undefined, undefined), undefined);
  });

  it("is stable across calls and deriver instances, and changes with the key", () => {
    const a = createExternalIdDeriver({ externalIdKey: KEY })(emailHash, undefined);
    const b = createExternalIdDeriver({ externalIdKey: Buffer.from(KEY) })(emailHash, undefined);
    const c = createExternalIdDeriver({ externalIdKey: `${KEY}!` })(emailHash, undefined);
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it("honours encoding and length, and always matches Amazon's externalId pattern", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("base64url" as const, "hex" as const),
        fc.integer({ min: 16, max: 43 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (encoding, length, seed) => {
          const id = deriveExternalId({ email: sha256Hex(seed) }, { externalIdKey: KEY, externalIdEncoding: encoding, externalIdLength: length });
          assert.ok(id !== undefined);
          assert.equal(id.length, length);
          assert.match(id, EXTERNAL_ID_PATTERN);
          if (encoding === "hex") assert.match(id, /^[0-9a-f]+$/);
        },
      ),
    );
  });

  it("rejects short keys and impossible lengths up front", () => {
    assert.throws(() => createExternalIdDeriver({}), /externalIdKey is required/);
    assert.throws(() => createExternalIdDeriver({ externalIdKey: "too-short" }), /at least 16 bytes/);
    assert.throws(() => createExternalIdDeriver({ externalIdKey: KEY, externalIdLength: 44 }), /16 to 43 for base64url/);
    assert.throws(() => createExternalIdDeriver({ externalIdKey: KEY, externalIdEncoding: "hex", externalIdLength: 65 }), /16 to 64 for hex/);
    assert.throws(() => createExternalIdDeriver({ externalIdKey: KEY, externalIdLength: 8 }), /16 to 43/);
  });

  it("never puts the key in error messages", () => {
    const secret = "s3cr3t-but-short";
    try {
      createExternalIdDeriver({ externalIdKey: secret.slice(0, 10) });
      assert.fail("expected a throw");
    } catch (error) {
      assert.ok(!(error as Error).message.includes(secret.slice(0, 10)));
    }
  });
});

describe("pii/external-id: keyedSha256", () => {
  it("equals createHmac for keys shorter than, equal to and longer than a block, and any message", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 150 }), fc.string({ maxLength: 400, unit: "grapheme" }), fc.constantFrom("hex" as const, "base64url" as const), (key, message, encoding) => {
        const expected = crypto.createHmac("sha256", key).update(message, "utf8").digest(encoding);
        assert.equal(keyedSha256(key)(message, encoding), expected);
      }),
    );
  });

  it("equals createHmac for ASCII keys (the string fast path), short and long, and any message", () => {
    const asciiKey = fc.string({ minLength: 1, maxLength: 150, unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)) });
    fc.assert(
      fc.property(asciiKey, fc.string({ maxLength: 400, unit: "grapheme" }), fc.constantFrom("hex" as const, "base64url" as const), (key, message, encoding) => {
        const expected = crypto.createHmac("sha256", key).update(message, "utf8").digest(encoding);
        assert.equal(keyedSha256(Buffer.from(key, "latin1"))(message, encoding), expected);
      }),
    );
  });

  it("gives the same digest on every call of one keyed function (no state carried over)", () => {
    const hmac = keyedSha256(Buffer.from(KEY));
    const long = `email:${"x".repeat(300)}`;
    const first = [hmac(`email:${emailHash}`, "hex"), hmac(long, "hex"), hmac("phone:1", "base64url")];
    const second = [hmac(`email:${emailHash}`, "hex"), hmac(long, "hex"), hmac("phone:1", "base64url")];
    assert.deepEqual(second, first);
    assert.equal(first[2], crypto.createHmac("sha256", KEY).update("phone:1").digest("base64url"));
  });
});
